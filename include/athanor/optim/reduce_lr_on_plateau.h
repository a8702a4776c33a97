// include/athanor/optim/reduce_lr_on_plateau.h: ReduceLROnPlateau, lowering the lr when a
// monitored metric stops improving (PyTorch 1.13's, value for value).
#pragma once

#include <cstdint>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// Whether a lower (kMin: a loss) or a higher (kMax: an accuracy) metric is better.
enum class PlateauMode { kMin, kMax };
/// What counts as an improvement on the best value so far: beyond best * (1 -+ threshold) (kRel)
/// or beyond best -+ threshold (kAbs).
enum class ThresholdMode { kRel, kAbs };

/// PyTorch's ReduceLROnPlateau options and defaults.
struct ReduceLROnPlateauOptions {
  PlateauMode mode = PlateauMode::kMin;
  /// new lr = lr * factor.
  double factor = 0.1;
  /// Steps without improvement tolerated before the lr is reduced (it is reduced at the next).
  int64_t patience = 10;
  double threshold = 1e-4;
  ThresholdMode threshold_mode = ThresholdMode::kRel;
  /// Steps after a reduction during which bad steps are not counted.
  int64_t cooldown = 0;
  /// Lower bounds: one for every group, or one per group.
  std::vector<double> min_lr = {0.0};
  /// A reduction smaller than eps is skipped.
  double eps = 1e-8;
};

/// Call step(metric) after each evaluation (typically once per epoch). Not an LRScheduler: it
/// needs the metric, and it changes the lr only by reducing it, so it composes with a per-batch
/// warm-up schedule stepped beside it.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  ReduceLROnPlateau(const ReduceLROnPlateau&) = delete;
  ReduceLROnPlateau& operator=(const ReduceLROnPlateau&) = delete;

  void step(double metric);
  /// The groups' lrs after the latest step (after construction, their current lrs).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// The best metric so far (+inf in min mode, -inf in max mode, before any).
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }
  int64_t last_epoch() const { return last_epoch_; }
  Optimizer& optimizer() const { return optimizer_; }

  /// "best", "num_bad_epochs", "cooldown_counter", "last_epoch", "_last_lr.<g>".
  ScalarDict state_dict() const;
  void load_state_dict(const ScalarDict& state);

 private:
  bool is_better(double a, double best) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace athanor::optim
