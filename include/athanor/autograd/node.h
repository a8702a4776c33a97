// include/athanor/autograd/node.h: graph nodes, the autograd data of a tensor, and with_backward,
// through which every differentiable op records itself.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include <athanor/autograd/grad_mode.h>
#include <athanor/tensor/tensor.h>

namespace athanor {

/// One gradient per input of a node; an undefined Tensor means "no gradient for this input".
using Grads = std::vector<Tensor>;
/// Maps the gradient of a node's output to the gradients of its inputs.
using BackwardFn = std::function<Grads(const Tensor& dy)>;

/// A recorded operation: its name, the nodes of its inputs (null where an input needs no
/// gradient) and the shape and dtype its incoming gradient must have.
class Node {
 public:
  Node(const char* name, std::vector<std::shared_ptr<Node>> next, Shape shape, DType dtype)
      : name_(name), next_(std::move(next)), shape_(shape), dtype_(dtype) {}
  /// Releases the inputs' nodes iteratively, so dropping a very deep graph cannot overflow the
  /// stack.
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const char* name() const { return name_; }
  const std::vector<std::shared_ptr<Node>>& next() const { return next_; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }

  /// Computes the inputs' gradients from dy (which may be consumed).
  virtual Grads apply(Tensor dy) = 0;
  /// Frees what apply needs (saved tensors); a later apply throws.
  virtual void release() {}

 private:
  const char* name_;
  std::vector<std::shared_ptr<Node>> next_;
  Shape shape_;
  DType dtype_;
};

/// The autograd data of a tensor.
struct AutogradMeta {
  bool requires_grad = false;       // set on leaves by set_requires_grad
  Tensor grad;                      // accumulated gradient of a leaf
  std::shared_ptr<Node> grad_fn;    // the node that produced a non-leaf
  std::weak_ptr<Node> accumulator;  // a leaf's AccumulateGrad node, shared by its uses
};

namespace detail {
/// Test hook: when set, called with the name of every node recorded (gradient-check coverage).
void set_node_recorder(void (*recorder)(const char* name));
bool any_requires_grad(std::span<const Tensor> inputs);
Tensor attach_node(Tensor y, std::span<const Tensor> inputs, const char* name, BackwardFn fn);
}  // namespace detail

/// Returns y recorded as the output of op `name` applied to `inputs`, with `fn` computing the
/// inputs' gradients, when grad mode is on and an input requires grad; otherwise returns y.
/// The result is a new handle on y's data, so `fn` may capture y without creating a cycle.
template <typename Fn>
Tensor with_backward(const char* name, Tensor y, std::span<const Tensor> inputs, Fn&& fn) {
  if (!is_grad_enabled() || !detail::any_requires_grad(inputs)) return y;
  return detail::attach_node(std::move(y), inputs, name, BackwardFn(std::forward<Fn>(fn)));
}
template <typename Fn>
Tensor with_backward(const char* name, Tensor y, std::initializer_list<Tensor> inputs, Fn&& fn) {
  return with_backward(name, std::move(y), std::span<const Tensor>(inputs.begin(), inputs.size()),
                       std::forward<Fn>(fn));
}

}  // namespace athanor
