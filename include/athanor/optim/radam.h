// include/athanor/optim/radam.h: RAdam, Adam with a rectified adaptive learning rate (Liu et al.,
// 2020), as PyTorch implements it.
#pragma once

#include <utility>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's RAdam options and defaults (maximize is an addition; PyTorch 1.13 has none).
struct RAdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("betas", betas);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("maximize", maximize);
  }
};

/// The step count and the moment estimates.
struct RAdamParamState {
  double step = 0;
  Tensor exp_avg;
  Tensor exp_avg_sq;

  template <typename F>
  void visit_fields(F&& f) {
    f("step", step);
    f("exp_avg", exp_avg);
    f("exp_avg_sq", exp_avg_sq);
  }
};

/// For each parameter p with gradient g, at step t:
///   g <- -g if maximize;  g <- g + weight_decay * p
///   m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;  m_hat = m / (1 - beta1^t)
///   rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
///   rho_t > 5: r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t));
///              p <- p - lr m_hat r sqrt(1 - beta2^t) / (sqrt(v) + eps)
///   else (the variance is not yet tractable): p <- p - lr m_hat
class RAdam : public OptimizerBase<RAdamOptions, RAdamParamState> {
 public:
  explicit RAdam(std::vector<Tensor> params, RAdamOptions options = {});
  explicit RAdam(std::vector<ParamGroup<RAdamOptions>> groups, RAdamOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const RAdamOptions& options) const override;
};

}  // namespace athanor::optim
