// include/athanor/optim/nadam.h: NAdam, Adam with Nesterov momentum (Dozat, 2016), as PyTorch
// implements it.
#pragma once

#include <utility>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's NAdam options and defaults (maximize is an addition; PyTorch 1.13 has none).
struct NAdamOptions {
  double lr = 2e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  /// How fast the momentum schedule mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2) rises.
  double momentum_decay = 4e-3;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("betas", betas);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("momentum_decay", momentum_decay);
    f("maximize", maximize);
  }
};

/// The step count, the product of the momentum schedule so far, and the moment estimates.
struct NAdamParamState {
  double step = 0;
  double mu_product = 1;
  Tensor exp_avg;
  Tensor exp_avg_sq;

  template <typename F>
  void visit_fields(F&& f) {
    f("step", step);
    f("mu_product", mu_product);
    f("exp_avg", exp_avg);
    f("exp_avg_sq", exp_avg_sq);
  }
};

/// For each parameter p with gradient g, at step t, with mu_t as above and P_t = mu_1 ... mu_t:
///   g <- -g if maximize;  g <- g + weight_decay * p
///   m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
///   d = sqrt(v / (1 - beta2^t)) + eps
///   p <- p - lr (1 - mu_t) / (1 - P_t) g / d - lr mu_{t+1} / (1 - P_t mu_{t+1}) m / d
class NAdam : public OptimizerBase<NAdamOptions, NAdamParamState> {
 public:
  explicit NAdam(std::vector<Tensor> params, NAdamOptions options = {});
  explicit NAdam(std::vector<ParamGroup<NAdamOptions>> groups, NAdamOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const NAdamOptions& options) const override;
};

}  // namespace athanor::optim
