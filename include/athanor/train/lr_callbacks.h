// include/athanor/train/lr_callbacks.h: callbacks that set the learning rate from the epoch
// (LearningRateScheduler) or from a plateau of a monitored value (ReduceLROnPlateau).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <athanor/optim/reduce_lr_on_plateau.h>
#include <athanor/train/callback.h>

namespace athanor::train {

/// Keras's LearningRateScheduler: at each epoch's start, every group's lr = schedule(epoch, lr).
/// (For per-step schedules use FitOptions::scheduler with an optim schedule.)
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::function<double(int64_t epoch, double lr)> schedule);
  void on_epoch_begin(Trainer& trainer, int64_t epoch) override;
  std::string name() const override { return "LearningRateScheduler"; }

 private:
  std::function<double(int64_t, double)> schedule_;
};

struct ReduceLROnPlateauCallbackOptions {
  std::string monitor = "val_loss";
  /// factor, patience, threshold, cooldown, min_lr, eps as optim::ReduceLROnPlateau; the mode is
  /// taken from the monitor's name unless `mode_from_name` is false.
  optim::ReduceLROnPlateauOptions plateau = {};
  bool mode_from_name = true;
};

/// Steps an optim::ReduceLROnPlateau over the trainer's optimizer with the monitored value at
/// each epoch's end (after validation); its state is saved in checkpoints.
class ReduceLROnPlateau : public Callback {
 public:
  explicit ReduceLROnPlateau(ReduceLROnPlateauCallbackOptions options = {});
  void on_train_begin(Trainer& trainer) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  std::string name() const override { return "ReduceLROnPlateau"; }
  optim::ScalarDict state_dict() const override;
  void load_state_dict(const optim::ScalarDict& state) override;

 private:
  ReduceLROnPlateauCallbackOptions options_;
  std::shared_ptr<optim::ReduceLROnPlateau> plateau_;
};

}  // namespace athanor::train
