// src/optim/adagrad.cpp: Adagrad, one fused loop per parameter.
#include <cmath>

#include <athanor/optim/adagrad.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad({{std::move(params), options}}, options) {}

Adagrad::Adagrad(std::vector<ParamGroup<AdagradOptions>> groups, AdagradOptions defaults)
    : OptimizerBase("Adagrad", defaults) {
  init(std::move(groups));
}

void Adagrad::check_options(const AdagradOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_non_negative(name(), "lr_decay", o.lr_decay);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
  detail::check_non_negative(name(), "initial_accumulator_value", o.initial_accumulator_value);
  detail::check_non_negative(name(), "eps", o.eps);
}

void Adagrad::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const AdagradOptions& o,
                              AdagradParamState& state, detail::UpdateQueue& queue) {
    if (!state.sum.defined())
      state.sum = full(param.shape(), o.initial_accumulator_value, param.dtype());
    state.step += 1;
    const double clr = o.lr / (1 + (state.step - 1) * o.lr_decay);
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* sum = state.sum.data_ptr<T>();
      const T wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
      const T neg_clr = static_cast<T>(-clr);
      queue.add(param.numel(), [=](int64_t i) {
        T d = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) d = d + wd * p[i];
        sum[i] = sum[i] + d * d;
        p[i] = p[i] + neg_clr * d / (std::sqrt(sum[i]) + eps);
      });
    });
  });
}

}  // namespace athanor::optim
