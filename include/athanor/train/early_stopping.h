// include/athanor/train/early_stopping.h: EarlyStopping, ending fit when a monitored value stops
// improving, optionally restoring the best weights.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <athanor/tensor/tensor_dict.h>
#include <athanor/train/callback.h>
#include <athanor/train/monitor.h>

namespace athanor::train {

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  Mode mode = Mode::kAuto;
  /// Epochs without improvement tolerated; training stops at the next one.
  int64_t patience = 0;
  /// Smaller changes than this do not count as an improvement.
  double min_delta = 0;
  /// On stopping, load the weights of the best epoch (Keras restores only when it stops early).
  bool restore_best_weights = false;
  /// The value to beat: until one epoch beats it, patience runs out even if later epochs improve
  /// on each other.
  std::optional<double> baseline = std::nullopt;
};

/// Keras's EarlyStopping, rule for rule: each epoch end counts one more epoch without improvement
/// unless the monitored value improves on the best (and on the baseline, when given); when the
/// count reaches patience, fit stops. A monitored value missing from the logs is an error (Keras
/// only warns), since it usually means validation data was forgotten.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  void on_train_begin(Trainer& trainer) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  std::string name() const override { return "EarlyStopping"; }
  /// wait, best, best_epoch, stopped_epoch (the best weights themselves are not saved: after a
  /// resume, restore_best_weights falls back to the best epoch since the resume).
  optim::ScalarDict state_dict() const override;
  void load_state_dict(const optim::ScalarDict& state) override;

  /// The epoch at which fit was stopped, or -1.
  int64_t stopped_epoch() const { return stopped_epoch_; }
  int64_t best_epoch() const { return best_epoch_; }
  double best() const { return best_; }

 private:
  EarlyStoppingOptions options_;
  Monitor monitor_;
  int64_t wait_ = 0;
  double best_ = 0;
  int64_t best_epoch_ = -1;
  int64_t stopped_epoch_ = -1;
  TensorDict best_weights_;
};

}  // namespace athanor::train
