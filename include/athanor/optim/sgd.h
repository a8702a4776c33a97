// include/athanor/optim/sgd.h: stochastic gradient descent with momentum, dampening, Nesterov
// momentum and weight decay (PyTorch's SGD).
#pragma once

#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's SGD options. lr has no default in PyTorch; 0.01 is Keras's. Full-batch gradient
/// descent and mini-batch SGD are this optimizer with the batch size the data loader chooses.
struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  /// Ascend the objective instead of descending it.
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("momentum", momentum);
    f("dampening", dampening);
    f("weight_decay", weight_decay);
    f("nesterov", nesterov);
    f("maximize", maximize);
  }
};

/// The momentum buffer, created at a parameter's first step with momentum != 0 (as a copy of the
/// gradient, without dampening, as PyTorch does).
struct SGDParamState {
  Tensor momentum_buffer;

  template <typename F>
  void visit_fields(F&& f) {
    f("momentum_buffer", momentum_buffer);
  }
};

/// For each parameter p with gradient g (PyTorch's formulation, Sutskever et al. 2013 for the
/// momentum form):
///   g <- -g if maximize;  g <- g + weight_decay * p
///   b <- g at the first step, else momentum * b + (1 - dampening) * g
///   g <- g + momentum * b if nesterov, else b   (when momentum != 0)
///   p <- p - lr * g
class SGD : public OptimizerBase<SGDOptions, SGDParamState> {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions options = {});
  /// Groups with their own options: SGD opt({{head, {.lr = 0.1}}, {body, {.lr = 0.01}}}).
  explicit SGD(std::vector<ParamGroup<SGDOptions>> groups, SGDOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const SGDOptions& options) const override;
};

}  // namespace athanor::optim
