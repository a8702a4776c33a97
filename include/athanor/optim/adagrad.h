// include/athanor/optim/adagrad.h: Adagrad (Duchi et al., 2011), as PyTorch implements it.
#pragma once

#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's Adagrad options and defaults.
struct AdagradOptions {
  double lr = 1e-2;
  /// The step size at step t is lr / (1 + (t - 1) lr_decay).
  double lr_decay = 0;
  double weight_decay = 0;
  /// The starting value of the sum of squared gradients.
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("lr_decay", lr_decay);
    f("weight_decay", weight_decay);
    f("initial_accumulator_value", initial_accumulator_value);
    f("eps", eps);
    f("maximize", maximize);
  }
};

/// The step count and the running sum of squared gradients.
struct AdagradParamState {
  double step = 0;
  Tensor sum;

  template <typename F>
  void visit_fields(F&& f) {
    f("step", step);
    f("sum", sum);
  }
};

/// For each parameter p with gradient g, at step t:
///   g <- -g if maximize;  g <- g + weight_decay * p
///   s <- s + g^2;  p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)
class Adagrad : public OptimizerBase<AdagradOptions, AdagradParamState> {
 public:
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  explicit Adagrad(std::vector<ParamGroup<AdagradOptions>> groups, AdagradOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const AdagradOptions& options) const override;
};

}  // namespace athanor::optim
