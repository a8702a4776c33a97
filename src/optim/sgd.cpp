// src/optim/sgd.cpp: SGD with momentum, dampening, Nesterov momentum and weight decay.
#include <athanor/optim/sgd.h>

#include "optim/option_checks.h"
#include "optim/update_loop.h"

namespace athanor::optim {

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD({{std::move(params), options}}, options) {}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups, SGDOptions defaults)
    : OptimizerBase("SGD", defaults) {
  init(std::move(groups));
}

void SGD::check_options(const SGDOptions& o) const {
  detail::check_non_negative(name(), "lr", o.lr);
  detail::check_non_negative(name(), "momentum", o.momentum);
  detail::check_non_negative(name(), "weight_decay", o.weight_decay);
  ATHANOR_CHECK(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
                "SGD: nesterov momentum requires momentum > 0 and dampening == 0; got momentum {} "
                "and dampening {}",
                o.momentum, o.dampening);
}

void SGD::step() {
  for_each_param_with_grad([](Tensor& param, const Tensor& grad, const SGDOptions& o,
                              SGDParamState& state, detail::UpdateQueue& queue) {
    const bool use_momentum = o.momentum != 0;
    const bool first = use_momentum && !state.momentum_buffer.defined();
    if (first) state.momentum_buffer = empty(param.shape(), param.dtype());
    detail::dispatch_floating(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* p = param.data_ptr<T>();
      const T* g = grad.data_ptr<T>();
      T* buf = use_momentum ? state.momentum_buffer.data_ptr<T>() : nullptr;
      const T lr = static_cast<T>(o.lr), wd = static_cast<T>(o.weight_decay);
      const T momentum = static_cast<T>(o.momentum);
      const T keep = static_cast<T>(1 - o.dampening);
      queue.add(param.numel(), [=](int64_t i) {
        T d = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) d = d + wd * p[i];
        if (use_momentum) {
          buf[i] = first ? d : buf[i] * momentum + keep * d;
          d = o.nesterov ? d + momentum * buf[i] : buf[i];
        }
        p[i] = p[i] + -lr * d;
      });
    });
  });
}

}  // namespace athanor::optim
