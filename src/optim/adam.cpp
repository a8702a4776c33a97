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

void adam_update(Tensor& param, const Tensor& grad, AdamParamState& state, const AdamStep& o,
                 detail::UpdateQueue& queue) {
  detail::ensure_zeros(state.exp_avg, param);
  detail::ensure_zeros(state.exp_avg_sq, param);
  if (o.amsgrad) detail::ensure_zeros(state.max_exp_avg_sq, param);
  state.step += 1;
  const double beta1 = o.betas.first, beta2 = o.betas.second;  // clang 14: no binding captures
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
    // The flags are template arguments so that the loop has no branches and vectorizes.
    auto update = [&]<bool kMaximize, bool kL2, bool kDecoupled, bool kAmsgrad>() {
      queue.add(param.numel(), [=](int64_t i) {
        T d = kMaximize ? -g[i] : g[i];
        T pi = p[i];
        if constexpr (kDecoupled) pi = pi * decay;
        if constexpr (kL2) d = d + wd * pi;
        const T mi = m[i] * b1 + one_minus_b1 * d;
        const T vi = v[i] * b2 + one_minus_b2 * d * d;
        m[i] = mi;
        v[i] = vi;
        T second = vi;
        if constexpr (kAmsgrad) second = v_max[i] = detail::nan_max(v_max[i], vi);
        const T denom = std::sqrt(second) / bc2_sqrt + eps;
        p[i] = pi + neg_step_size * mi / denom;
      });
    };
    const bool l2 = !o.decoupled && o.weight_decay != 0;
    auto with_amsgrad = [&]<bool kMaximize, bool kL2, bool kDecoupled>() {
      if (o.amsgrad) {
        update.template operator()<kMaximize, kL2, kDecoupled, true>();
      } else {
        update.template operator()<kMaximize, kL2, kDecoupled, false>();
      }
    };
    auto with_decay = [&]<bool kMaximize>() {
      if (o.decoupled) {
        with_amsgrad.template operator()<kMaximize, false, true>();
      } else if (l2) {
        with_amsgrad.template operator()<kMaximize, true, false>();
      } else {
        with_amsgrad.template operator()<kMaximize, false, false>();
      }
    };
    if (o.maximize) {
      with_decay.template operator()<true>();
    } else {
      with_decay.template operator()<false>();
    }
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
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const AdamOptions& o,
                              AdamParamState& state, detail::UpdateQueue& queue) {
    adam_update(param, grad, state,
                {o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, false}, queue);
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
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const AdamWOptions& o,
                              AdamParamState& state, detail::UpdateQueue& queue) {
    adam_update(param, grad, state,
                {o.lr, o.betas, o.eps, o.weight_decay, o.amsgrad, o.maximize, true}, queue);
  });
}

}  // namespace athanor::optim
