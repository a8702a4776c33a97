// src/autograd/node.cpp: the two node kinds (a recorded op's closure, a leaf's accumulator) and
// attaching a node to an op's output.
#include <athanor/autograd/node.h>

#include "autograd/accumulate.h"
#include "backend/kernels.h"
#include "tensor/kernel_view.h"

namespace athanor {
namespace detail {

void add_into(const Tensor& acc, const Tensor& g) {
  const backend::View a = kernel_view(acc);
  kernels_for(acc, "backward").binary(backend::BinaryOp::kAdd, a, kernel_view(g), a);
}

Tensor own_gradient(Tensor g) {
  if (g.is_contiguous() && g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 &&
      g.offset() == 0) {
    return g;
  }
  Tensor copy = empty_like(g);
  copy.copy_(g);
  return copy;
}

}  // namespace detail

Node::~Node() {
  // Children owned only by this node are destroyed from a per-thread stack instead of
  // recursively through their own destructors.
  thread_local std::vector<std::shared_ptr<Node>> orphans;
  thread_local bool draining = false;
  for (auto& child : next_) {
    if (child && child.use_count() == 1) orphans.push_back(std::move(child));
  }
  next_.clear();
  if (draining) return;
  draining = true;
  while (!orphans.empty()) {
    std::shared_ptr<Node> last = std::move(orphans.back());
    orphans.pop_back();
    last.reset();  // may push its own children
  }
  draining = false;
}

namespace {

void (*node_recorder)(const char*) = nullptr;

class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, std::vector<std::shared_ptr<Node>> next, Shape shape, DType dtype,
               BackwardFn fn)
      : Node(name, std::move(next), shape, dtype), fn_(std::move(fn)) {}

  Grads apply(Tensor dy) override {
    ATHANOR_CHECK(fn_ != nullptr,
                  "backward: trying to backpropagate through '{}' a second time, but its saved "
                  "values were freed by the first backward(); pass retain_graph=true to the first "
                  "call to backpropagate twice",
                  name());
    return fn_(dy);
  }
  void release() override { fn_ = nullptr; }

 private:
  BackwardFn fn_;
};

class AccumulateGrad final : public Node {
 public:
  AccumulateGrad(std::shared_ptr<AutogradMeta> leaf, Shape shape, DType dtype)
      : Node("accumulate_grad", {}, shape, dtype), leaf_(std::move(leaf)) {}

  Grads apply(Tensor dy) override {
    if (!leaf_->grad.defined()) {
      leaf_->grad = detail::own_gradient(std::move(dy));
    } else {
      detail::add_into(leaf_->grad, dy);
    }
    return {};
  }

 private:
  std::shared_ptr<AutogradMeta> leaf_;
};

std::shared_ptr<Node> accumulator_of(const Tensor& leaf) {
  AutogradMeta& meta = *leaf.impl().autograd;
  if (auto node = meta.accumulator.lock()) return node;
  auto node = std::make_shared<AccumulateGrad>(leaf.impl().autograd, leaf.shape(), leaf.dtype());
  meta.accumulator = node;
  return node;
}

}  // namespace

namespace detail {

void set_node_recorder(void (*recorder)(const char* name)) { node_recorder = recorder; }

bool any_requires_grad(std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

Tensor attach_node(Tensor y, std::span<const Tensor> inputs, const char* name, BackwardFn fn) {
  if (!y.is_floating_point()) return y;  // integer and bool results carry no gradient
  if (node_recorder) node_recorder(name);
  std::vector<std::shared_ptr<Node>> next;
  next.reserve(inputs.size());
  for (const Tensor& t : inputs) {
    if (!t.defined() || !t.requires_grad()) {
      next.emplace_back();
    } else if (auto fn_node = t.grad_fn()) {
      next.push_back(std::move(fn_node));
    } else {
      next.push_back(accumulator_of(t));
    }
  }
  Tensor out = y.alias();
  auto meta = std::make_shared<AutogradMeta>();
  meta->grad_fn = std::make_shared<FunctionNode>(name, std::move(next), out.shape(), out.dtype(),
                                                 std::move(fn));
  out.impl().autograd = std::move(meta);
  return out;
}

}  // namespace detail
}  // namespace athanor
