// include/athanor/train/monitor.h: Monitor, a logged value that callbacks watch for improvement
// (EarlyStopping, ModelCheckpoint's best, ReduceLROnPlateau).
#pragma once

#include <string>
#include <string_view>

#include <athanor/train/logs.h>

namespace athanor::train {

/// Whether lower (kMin: a loss) or higher (kMax: an accuracy) is better. kAuto decides from the
/// name: higher for names containing "acc", "auc", "f1", "precision", "recall" or "r2" (Keras
/// checks "acc" and "auc"), lower otherwise.
enum class Mode { kAuto, kMin, kMax };

class Monitor {
 public:
  Monitor(std::string name, Mode mode = Mode::kAuto, double min_delta = 0);

  const std::string& name() const { return name_; }
  bool higher_is_better() const { return higher_; }
  /// +inf when lower is better, -inf otherwise: what any first value improves on.
  double worst() const;
  /// Whether `current` beats `best` by more than min_delta (Keras's rule).
  bool improves(double current, double best) const;
  /// The monitored value in `logs`; throws "<who>: monitor 'val_loss' is not in the logs (have:
  /// loss, accuracy)" when absent, which usually means validation data is missing.
  double read(const Logs& logs, std::string_view who) const;

 private:
  std::string name_;
  bool higher_;
  double min_delta_;
};

}  // namespace athanor::train
