// src/optim/adam.cpp: Adam and AdamW, one fused loop per parameter.
#include <cmath>

#include <athanor/optim/adam.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {
namespace {

// The options both algorithms share, and how weight decay enters.
struct AdamStep {
  double lr;
  std::pair<double, double> betas;
  double eps;
  double weight_decay;
  bool amsgrad;
  bool maximize;
  bool decoupled;  // AdamW
};

void adam_update(Tensor& param, const Tensor& grad, AdamParamState& state, const AdamStep& o) {
  detail::ensure_zeros(state.exp_avg, param);
  detail::ensure_zeros(state.exp_avg_sq, param);
  if (o.amsgrad) detail::ensure_zeros(state.max_exp_avg_sq, param);
  state.step += 1;
  const auto [beta1, beta2] = o.betas;
  // Scalars in double as PyTorch computes them in Python, then cast to the parameter's dtype.
  const double bias_correction1 = 1 - std::pow(beta1, state.step);
  const double bias_correction2 = 1 - std::pow(beta2, state.step);
  const double step_size = o.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  detail::dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = state.exp_avg.data_ptr<T>();
    T* v = state.exp_avg_sq.data_ptr<T>();
    T* v_max = o.amsgrad ? state.max_exp_avg_sq.data_ptr<T>() : nullptr;
    const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
    const T one_minus_b1 = static_cast<T>(1 - beta1), one_minus_b2 = static_cast<T>(1 - beta2);
    const T wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
    const T decay = static_cast<T>(1 - o.lr * o.weight_decay);
    const T neg_step_size = static_cast<T>(-step_size);
    const T bc2_sqrt = static_cast<T>(bias_correction2_sqrt);
    detail::for_each_index(param.numel(), [&](int64_t i) {
      T d = o.maximize ? -g[i] : g[i];
      if (o.decoupled) {
        p[i] = p[i] * decay;
      } else if (o.weight_decay != 0) {
        d = d + wd * p[i];
      }
      m[i] = m[i] * b1 + one_minus_b1 * d;
      v[i] = v[i] * b2 + one_minus_b2 * d * d;
      T second = v[i];
      if (o.amsgrad) second = v_max[i] = detail::nan_max(v_max[i], v[i]);
      const T denom = std::sqrt(second) / bc2_sqrt + eps;
      p[i] = p[i] + neg_step_size * m[i] / denom;
    });
  });
}

template <typename Options>
void check_adam_options(const std::string& name, const Options& o) {
  detail::check_non_negative(name, "lr", o.lr);
  detail::check_non_negative(name, "eps", o.eps);
  detail::check_betas(name, o.betas);
  detail::check_non_negative(name, "weight_decay", o.weight_decay);
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam({{std::move(params), options}}, options) {}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups, AdamOptions defaults)
    : OptimizerBase("Adam", defaults) {
  init(std::move(groups));
}

void Adam::check_options(const AdamOptions& o) const { check_adam_options(name(), o); }

void Adam::step() {
  for_each_param_with_grad(
      [](Tensor& param, const Tensor& grad, const AdamOptions& o, AdamParamState& state) {
        adam_update(param, grad, state,
                    {o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, false});
      });
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : AdamW({{std::move(params), options}}, options) {}

AdamW::AdamW(std::vector<ParamGroup<AdamWOptions>> groups, AdamWOptions defaults)
    : OptimizerBase("AdamW", defaults) {
  init(std::move(groups));
}

void AdamW::check_options(const AdamWOptions& o) const { check_adam_options(name(), o); }

void AdamW::step() {
  for_each_param_with_grad(
      [](Tensor& param, const Tensor& grad, const AdamWOptions& o, AdamParamState& state) {
        adam_update(param, grad, state,
                    {o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, true});
      });
}

}  // namespace athanor::optim
