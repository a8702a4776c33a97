// include/athanor/optim/one_cycle_lr.h: the 1cycle policy (Smith & Topin, 2019, "Super-
// Convergence"), as PyTorch 1.13's OneCycleLR: stepped once per batch.
#pragma once

#include <cstdint>
#include <vector>

#include <athanor/optim/lr_scheduler.h>

namespace athanor::optim {

enum class AnnealStrategy { kCos, kLinear };

/// PyTorch's OneCycleLR options and defaults.
struct OneCycleLROptions {
  /// The peak lr: one value for every group, or one per group. Required.
  std::vector<double> max_lr;
  /// The length of the cycle in steps, or, when 0, epochs * steps_per_epoch.
  int64_t total_steps = 0;
  int64_t epochs = 0;
  int64_t steps_per_epoch = 0;
  /// The fraction of the cycle spent raising the lr.
  double pct_start = 0.3;
  AnnealStrategy anneal_strategy = AnnealStrategy::kCos;
  /// Cycle the momentum (SGD's or RMSprop's momentum, the Adam family's betas.0) inversely to the
  /// lr, between max_momentum and base_momentum.
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  /// The cycle starts at max_lr / div_factor and ends at that / final_div_factor.
  double div_factor = 25;
  double final_div_factor = 1e4;
  /// Three phases (up, down to the starting lr, then down to the minimum) as in the paper, instead
  /// of fastai's two.
  bool three_phase = false;
};

/// lr rises from max_lr / div_factor to max_lr over pct_start of the steps, then anneals to
/// max_lr / (div_factor * final_div_factor) (cosine or linear); the momentum moves the other way.
/// Stepping more than total_steps times throws. It sets each group's initial_lr to the starting lr.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, OneCycleLROptions options);

  void step() override;
  int64_t total_steps() const { return total_steps_; }

 protected:
  double get_lr(size_t group) override;

 private:
  enum class Value { kInitialLr, kMaxLr, kMinLr, kMaxMomentum, kBaseMomentum };
  struct Phase {
    double end_step;
    Value start_lr, end_lr, start_momentum, end_momentum;
  };
  double value(size_t group, Value which) const;
  double anneal(double start, double end, double pct) const;

  OneCycleLROptions options_;
  int64_t total_steps_ = 0;
  std::vector<Phase> phases_;
  std::vector<double> initial_lrs_, max_lrs_, min_lrs_;
};

}  // namespace athanor::optim
