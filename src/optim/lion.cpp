// src/optim/lion.cpp: Lion, one fused loop per parameter.
#include <athanor/optim/lion.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

Lion::Lion(std::vector<Tensor> params, LionOptions options)
    : Lion({{std::move(params), options}}, options) {}

Lion::Lion(std::vector<ParamGroup<LionOptions>> groups, LionOptions defaults)
    : OptimizerBase("Lion", defaults) {
  init(std::move(groups));
}

void Lion::check_options(const LionOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_betas(name(), o.betas);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
}

void Lion::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const LionOptions& o,
                              LionParamState& state, detail::UpdateQueue& queue) {
    detail::ensure_zeros(state.exp_avg, param);
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* m = state.exp_avg.data_ptr<T>();
      const T b1 = static_cast<T>(o.betas.first), b2 = static_cast<T>(o.betas.second);
      const T one_minus_b1 = static_cast<T>(1 - o.betas.first);
      const T one_minus_b2 = static_cast<T>(1 - o.betas.second);
      const T decay = static_cast<T>(1 - o.lr * o.weight_decay), lr = static_cast<T>(o.lr);
      queue.add(param.numel(), [=](int64_t i) {
        const T d = o.maximize ? -g[i] : g[i];
        const T c = b1 * m[i] + one_minus_b1 * d;
        // sign(0) = 0: an element whose interpolated momentum vanishes does not move.
        const T sign = static_cast<T>((c > 0) - (c < 0));
        p[i] = p[i] * decay - lr * sign;
        m[i] = b2 * m[i] + one_minus_b2 * d;
      });
    });
  });
}

}  // namespace athanor::optim
