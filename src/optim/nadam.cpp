// src/optim/nadam.cpp: NAdam, one fused loop per parameter.
#include <cmath>

#include <athanor/optim/nadam.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

NAdam::NAdam(std::vector<Tensor> params, NAdamOptions options)
    : NAdam({{std::move(params), options}}, options) {}

NAdam::NAdam(std::vector<ParamGroup<NAdamOptions>> groups, NAdamOptions defaults)
    : OptimizerBase("NAdam", defaults) {
  init(std::move(groups));
}

void NAdam::check_options(const NAdamOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_non_negative(name(), "eps", o.eps);
  detail::check_betas(name(), o.betas);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
  detail::check_non_negative(name(), "momentum_decay", o.momentum_decay);
}

void NAdam::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const NAdamOptions& o,
                              NAdamParamState& state, detail::UpdateQueue& queue) {
    detail::ensure_zeros(state.exp_avg, param);
    detail::ensure_zeros(state.exp_avg_sq, param);
    state.step += 1;
    const double t = state.step;
    const double beta1 = o.betas.first, beta2 = o.betas.second;  // clang 14: no binding captures
    const double bias_correction2 = 1 - std::pow(beta2, t);
    // The momentum schedule at t and t + 1, in PyTorch's operation order.
    const double mu = beta1 * (1. - 0.5 * std::pow(0.96, t * o.momentum_decay));
    const double mu_next = beta1 * (1. - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay));
    state.mu_product *= mu;
    const double mu_product_next = state.mu_product * mu * mu_next;
    const double grad_coef = -o.lr * (1. - mu) / (1. - state.mu_product);
    const double avg_coef = -o.lr * mu_next / (1. - mu_product_next);
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* m = state.exp_avg.data_ptr<T>();
      T* v = state.exp_avg_sq.data_ptr<T>();
      const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
      const T one_minus_b1 = static_cast<T>(1 - beta1), one_minus_b2 = static_cast<T>(1 - beta2);
      const T wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
      const T bc2 = static_cast<T>(bias_correction2);
      const T c_grad = static_cast<T>(grad_coef), c_avg = static_cast<T>(avg_coef);
      queue.add(param.numel(), [=](int64_t i) {
        T d = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) d = d + wd * p[i];
        m[i] = m[i] * b1 + one_minus_b1 * d;
        v[i] = v[i] * b2 + one_minus_b2 * d * d;
        const T denom = std::sqrt(v[i] / bc2) + eps;
        p[i] = p[i] + c_grad * d / denom;
        p[i] = p[i] + c_avg * m[i] / denom;
      });
    });
  });
}

}  // namespace athanor::optim
