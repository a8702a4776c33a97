// src/optim/radam.cpp: RAdam, one fused loop per parameter.
#include <cmath>

#include <athanor/optim/radam.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

RAdam::RAdam(std::vector<Tensor> params, RAdamOptions options)
    : RAdam({{std::move(params), options}}, options) {}

RAdam::RAdam(std::vector<ParamGroup<RAdamOptions>> groups, RAdamOptions defaults)
    : OptimizerBase("RAdam", defaults) {
  init(std::move(groups));
}

void RAdam::check_options(const RAdamOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_non_negative(name(), "eps", o.eps);
  detail::check_betas(name(), o.betas);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
}

void RAdam::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const RAdamOptions& o,
                              RAdamParamState& state, detail::UpdateQueue& queue) {
    detail::ensure_zeros(state.exp_avg, param);
    detail::ensure_zeros(state.exp_avg_sq, param);
    state.step += 1;
    const double t = state.step;
    const double beta1 = o.betas.first, beta2 = o.betas.second;  // clang 14: no binding captures
    const double bias_correction1 = 1 - std::pow(beta1, t);
    const double bias_correction2 = 1 - std::pow(beta2, t);
    // The length of the approximated simple moving average, and its limit.
    const double rho_inf = 2 / (1 - beta2) - 1;
    const double rho_t = rho_inf - 2 * t * std::pow(beta2, t) / bias_correction2;
    const bool rectify = rho_t > 5.;
    const double rect = rectify ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                            ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                                : 0.0;
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* m = state.exp_avg.data_ptr<T>();
      T* v = state.exp_avg_sq.data_ptr<T>();
      const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
      const T one_minus_b1 = static_cast<T>(1 - beta1), one_minus_b2 = static_cast<T>(1 - beta2);
      const T wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
      const T bc1 = static_cast<T>(bias_correction1), lr = static_cast<T>(o.lr);
      const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
      const T r = static_cast<T>(rect);
      queue.add(param.numel(), [=](int64_t i) {
        T d = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) d = d + wd * p[i];
        m[i] = m[i] * b1 + one_minus_b1 * d;
        v[i] = v[i] * b2 + one_minus_b2 * d * d;
        const T m_hat = m[i] / bc1;
        if (rectify) {
          const T adaptive_lr = bc2_sqrt / (std::sqrt(v[i]) + eps);
          p[i] = p[i] - m_hat * lr * adaptive_lr * r;
        } else {
          p[i] = p[i] - m_hat * lr;
        }
      });
    });
  });
}

}  // namespace athanor::optim
