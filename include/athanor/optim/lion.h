// include/athanor/optim/lion.h: Lion, evolved sign momentum (Chen et al., 2023, "Symbolic
// Discovery of Optimization Algorithms", Algorithm 2).
#pragma once

#include <utility>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// The paper's defaults. Lion's updates have unit size per element, so its lr is typically 3-10x
/// smaller than AdamW's and its weight_decay 3-10x larger.
struct LionOptions {
  double lr = 1e-4;
  std::pair<double, double> betas{0.9, 0.99};
  /// Decoupled, as AdamW's.
  double weight_decay = 0;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("betas", betas);
    f("weight_decay", weight_decay);
    f("maximize", maximize);
  }
};

/// The momentum (the only state Lion keeps).
struct LionParamState {
  Tensor exp_avg;

  template <typename F>
  void visit_fields(F&& f) {
    f("exp_avg", exp_avg);
  }
};

/// For each parameter p with gradient g (g <- -g if maximize):
///   c = beta1 m + (1 - beta1) g
///   p <- p (1 - lr weight_decay) - lr sign(c)
///   m <- beta2 m + (1 - beta2) g
class Lion : public OptimizerBase<LionOptions, LionParamState> {
 public:
  explicit Lion(std::vector<Tensor> params, LionOptions options = {});
  explicit Lion(std::vector<ParamGroup<LionOptions>> groups, LionOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const LionOptions& options) const override;
};

}  // namespace athanor::optim
