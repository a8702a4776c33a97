// include/athanor/optim/rmsprop.h: RMSprop (Hinton's lecture 6e), optionally centered (Graves,
// 2013) and with momentum, as PyTorch implements it.
#pragma once

#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's RMSprop options and defaults.
struct RMSpropOptions {
  double lr = 1e-2;
  /// Smoothing constant of the running average of squared gradients.
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  /// Normalize by an estimate of the gradient's variance instead of its second moment.
  bool centered = false;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("alpha", alpha);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("momentum", momentum);
    f("centered", centered);
    f("maximize", maximize);
  }
};

/// The step count, the running average of squared gradients, and (when used) the momentum buffer
/// and the running average of gradients (centered).
struct RMSpropParamState {
  double step = 0;
  Tensor square_avg;
  Tensor momentum_buffer;
  Tensor grad_avg;

  template <typename F>
  void visit_fields(F&& f) {
    f("step", step);
    f("square_avg", square_avg);
    f("momentum_buffer", momentum_buffer);
    f("grad_avg", grad_avg);
  }
};

/// For each parameter p with gradient g:
///   g <- -g if maximize;  g <- g + weight_decay * p
///   s <- alpha s + (1 - alpha) g^2
///   centered: a <- alpha a + (1 - alpha) g;  d = sqrt(s - a^2) + eps;  else d = sqrt(s) + eps
///   momentum > 0: b <- momentum b + g / d;  p <- p - lr b;   else p <- p - lr g / d
class RMSprop : public OptimizerBase<RMSpropOptions, RMSpropParamState> {
 public:
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  explicit RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups, RMSpropOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const RMSpropOptions& options) const override;
};

}  // namespace athanor::optim
