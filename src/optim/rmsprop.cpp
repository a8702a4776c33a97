// src/optim/rmsprop.cpp: RMSprop, one fused loop per parameter.
#include <cmath>

#include <athanor/optim/rmsprop.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop({{std::move(params), options}}, options) {}

RMSprop::RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups, RMSpropOptions defaults)
    : OptimizerBase("RMSprop", defaults) {
  init(std::move(groups));
}

void RMSprop::check_options(const RMSpropOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_non_negative(name(), "eps", o.eps);
  detail::check_non_negative(name(), "momentum", o.momentum);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
  detail::check_non_negative(name(), "alpha", o.alpha);
}

void RMSprop::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const RMSpropOptions& o,
                              RMSpropParamState& state, detail::UpdateQueue& queue) {
    detail::ensure_zeros(state.square_avg, param);
    const bool use_momentum = o.momentum > 0;
    if (use_momentum) detail::ensure_zeros(state.momentum_buffer, param);
    if (o.centered) detail::ensure_zeros(state.grad_avg, param);
    state.step += 1;
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* sq = state.square_avg.data_ptr<T>();
      T* buf = use_momentum ? state.momentum_buffer.data_ptr<T>() : nullptr;
      T* ga = o.centered ? state.grad_avg.data_ptr<T>() : nullptr;
      const T alpha = static_cast<T>(o.alpha), one_minus_alpha = static_cast<T>(1 - o.alpha);
      const T wd = static_cast<T>(o.weight_decay), eps = static_cast<T>(o.eps);
      const T momentum = static_cast<T>(o.momentum), neg_lr = static_cast<T>(-o.lr);
      queue.add(param.numel(), [=](int64_t i) {
        T d = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) d = d + wd * p[i];
        sq[i] = sq[i] * alpha + one_minus_alpha * d * d;
        T avg;
        if (o.centered) {
          ga[i] = ga[i] * alpha + one_minus_alpha * d;
          avg = std::sqrt(sq[i] + T(-1) * ga[i] * ga[i]);
        } else {
          avg = std::sqrt(sq[i]);
        }
        avg = avg + eps;
        if (use_momentum) {
          buf[i] = buf[i] * momentum + d / avg;
          p[i] = p[i] + neg_lr * buf[i];
        } else {
          p[i] = p[i] + neg_lr * d / avg;
        }
      });
    });
  });
}

}  // namespace athanor::optim
