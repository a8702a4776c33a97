// include/athanor/optim/lr_scheduler.h: LRScheduler, the base of learning-rate schedules, and the
// schedules computed from the step count alone (PyTorch 1.13's torch.optim.lr_scheduler, value for
// value: the same recursive "chainable" forms, so schedules compose as PyTorch's do).
//
// A schedule sets the lr of every parameter group of its optimizer each time step() is called:
// once per epoch or once per batch, as the caller chooses (a schedule counts steps, not epochs).
// Call it after optimizer.step(). Construction performs step 0, which sets the starting lr.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// Advances the schedule by one step and sets each group's lr.
  virtual void step();
  /// The lrs the latest step set, one per group (after construction, the starting lrs).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// The number of steps taken (0 after construction).
  int64_t last_epoch() const { return last_epoch_; }
  Optimizer& optimizer() const { return optimizer_; }
  /// The class name ("StepLR"), used in error messages.
  const std::string& name() const { return name_; }

  /// The schedule's counters: "last_epoch", "_step_count", "base_lrs.<g>", "_last_lr.<g>" and
  /// those of the particular schedule (PyTorch's names). Functions and options are not saved.
  virtual ScalarDict state_dict() const;
  /// Restores state_dict() into a schedule built with the same options over an optimizer with the
  /// same number of groups; together with the optimizer's own state dict, training continues
  /// exactly. Throws naming any missing key before changing anything.
  virtual void load_state_dict(const ScalarDict& state);

 protected:
  /// Records each group's initial_lr (the current lr, unless an earlier schedule did) as the
  /// schedule's base lrs.
  LRScheduler(std::string name, Optimizer& optimizer);
  /// Step 0, which PyTorch performs in its base constructor; each concrete schedule's constructor
  /// ends with it, once its own members exist.
  void initial_step();
  /// The lr of `group` at last_epoch_ (already advanced), usually from the group's current lr.
  virtual double get_lr(size_t group) = 0;
  /// The lr of `group` at last_epoch_ from the base lrs alone, for schedules with a closed form.
  virtual std::optional<double> closed_form_lr(size_t /*group*/) const { return std::nullopt; }
  /// Jumps to `epoch` using the closed form where there is one (PyTorch's deprecated
  /// step(epoch)); SequentialLR restarts a schedule this way at its milestone.
  virtual void step_to(int64_t epoch);
  /// Sets every group's lr to lr_of(group), then records them in last_lr_.
  void apply(const std::function<double(size_t)>& lr_of);
  /// Throws unless the optimizer still has as many groups as when the schedule was made.
  void check_groups() const;
  /// state.at(key), or a throw naming the schedule and the key.
  double read(const ScalarDict& state, const std::string& key) const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;  // PyTorch's _step_count: steps including the initial one
  std::vector<double> last_lr_;

 private:
  friend class SequentialLR;
  friend class ChainedScheduler;
  std::string name_;
};

/// A function of the step count, for LambdaLR and MultiplicativeLR.
using LRLambda = std::function<double(int64_t)>;

/// lr = initial_lr * lr_lambda(step), one function for all groups or one per group.
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, LRLambda lr_lambda);
  LambdaLR(Optimizer& optimizer, std::vector<LRLambda> lr_lambdas);

 protected:
  double get_lr(size_t group) override;

 private:
  std::vector<LRLambda> lr_lambdas_;
};

/// lr <- lr * lr_lambda(step) at every step after the first.
class MultiplicativeLR : public LRScheduler {
 public:
  MultiplicativeLR(Optimizer& optimizer, LRLambda lr_lambda);
  MultiplicativeLR(Optimizer& optimizer, std::vector<LRLambda> lr_lambdas);

 protected:
  double get_lr(size_t group) override;

 private:
  std::vector<LRLambda> lr_lambdas_;
};

/// lr <- lr * gamma every step_size steps: initial_lr * gamma^floor(step / step_size).
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  int64_t step_size_;
  double gamma_;
};

/// lr <- lr * gamma at each milestone (a milestone listed k times multiplies by gamma^k).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  std::vector<int64_t> milestones_;  // sorted
  double gamma_;
};

/// lr = initial_lr * factor for the first total_iters steps, then initial_lr. factor = 1 (with any
/// total_iters) is a constant schedule.
class ConstantLR : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  double factor_;
  int64_t total_iters_;
};

/// The factor of initial_lr moves linearly from start_factor to end_factor over total_iters
/// steps, then stays: a linear warm-up (start_factor < end_factor = 1) or a linear decay.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0,
           int64_t total_iters = 5);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  double start_factor_;
  double end_factor_;
  int64_t total_iters_;
};

/// lr <- lr * gamma every step: initial_lr * gamma^step.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  double gamma_;
};

/// lr = initial_lr * (1 - min(step, total_iters) / total_iters)^power.
class PolynomialLR : public LRScheduler {
 public:
  PolynomialLR(Optimizer& optimizer, int64_t total_iters = 5, double power = 1.0);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  int64_t total_iters_;
  double power_;
};

/// Cosine annealing (Loshchilov & Hutter, 2017, without restarts):
/// lr = eta_min + (initial_lr - eta_min) (1 + cos(pi step / T_max)) / 2, computed recursively from
/// the current lr as PyTorch does; past T_max it rises again (period 2 T_max).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min = 0);

 protected:
  double get_lr(size_t group) override;
  std::optional<double> closed_form_lr(size_t group) const override;

 private:
  int64_t t_max_;
  double eta_min_;
};

/// SGDR (Loshchilov & Hutter, 2017): cosine annealing from initial_lr to eta_min over T_i steps,
/// then a restart, with T_0 for the first period and T_{i+1} = T_i * T_mult.
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0, int64_t t_mult = 1,
                              double eta_min = 0);

  void step() override;
  /// Jumps to a (possibly fractional) epoch, e.g. epoch + batch / batches_per_epoch.
  void step(double epoch);
  ScalarDict state_dict() const override;
  void load_state_dict(const ScalarDict& state) override;

 protected:
  double get_lr(size_t group) override;
  void step_to(int64_t epoch) override;

 private:
  int64_t t_0_;
  int64_t t_mult_;
  double eta_min_;
  double t_i_;
  double t_cur_;
};

}  // namespace athanor::optim
