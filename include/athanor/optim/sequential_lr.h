// include/athanor/optim/sequential_lr.h: composing schedules: one after another (SequentialLR),
// all at once (ChainedScheduler), and a linear warm-up in front of any schedule (with_warmup).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <athanor/optim/lr_scheduler.h>

namespace athanor::optim {

/// Runs schedulers[0] until milestones[0], then schedulers[1] from its start (PyTorch's
/// SequentialLR: the next schedule is restarted at step 0 with its closed form), and so on. All
/// must drive `optimizer`; milestones.size() == schedulers.size() - 1. The learning rates are
/// reset to the groups' initial lr first, undoing what the schedules' constructors set.
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);

  void step() override;
  /// Its own "last_epoch" and "_last_lr.<g>", and each schedule's under "_schedulers.<i>.".
  ScalarDict state_dict() const override;
  void load_state_dict(const ScalarDict& state) override;

 protected:
  double get_lr(size_t group) override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

/// Steps every schedule at each step, in order: their chainable forms multiply, e.g. a
/// CosineAnnealingLR chained with a LinearLR warm-up scales the cosine during the warm-up.
class ChainedScheduler : public LRScheduler {
 public:
  explicit ChainedScheduler(std::vector<std::shared_ptr<LRScheduler>> schedulers);

  void step() override;
  /// "_last_lr.<g>", and each schedule's under "_schedulers.<i>.".
  ScalarDict state_dict() const override;
  void load_state_dict(const ScalarDict& state) override;

 protected:
  double get_lr(size_t group) override;

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
};

/// A linear warm-up from start_factor * lr to lr over `warmup_steps` steps, then `schedule` from
/// its own start: PyTorch's SequentialLR([LinearLR(start_factor, 1, warmup_steps), schedule],
/// [warmup_steps]). With a CosineAnnealingLR or a LinearLR decay to 0 over the remaining steps,
/// this is the usual "linear warm-up, then cosine (or linear) decay". To warm up a
/// ReduceLROnPlateau instead, step a LinearLR per batch beside it: both scale the current lr.
std::shared_ptr<SequentialLR> with_warmup(std::shared_ptr<LRScheduler> schedule,
                                          int64_t warmup_steps, double start_factor = 1e-3);

}  // namespace athanor::optim
