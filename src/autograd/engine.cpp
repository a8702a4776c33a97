// src/autograd/engine.cpp: backward(): walks the recorded graph from a tensor in reverse
// topological order, summing the gradients that reach each node before applying it.
#include <cmath>
#include <unordered_map>

#include <athanor/autograd/anomaly_mode.h>
#include <athanor/autograd/node.h>

#include "autograd/accumulate.h"

namespace athanor {
namespace {

// Number of edges reaching each node from the root, found iteratively (graphs of unrolled
// recurrences are deep).
std::unordered_map<Node*, int> count_dependencies(Node* root) {
  std::unordered_map<Node*, int> deps;
  deps[root] = 0;
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const auto& next : node->next()) {
      if (!next) continue;
      auto [it, inserted] = deps.try_emplace(next.get(), 0);
      ++it->second;
      if (inserted) stack.push_back(next.get());
    }
  }
  return deps;
}

void check_gradient(const Node& node, const Tensor& g, const Node& producer, size_t input) {
  ATHANOR_CHECK(g.shape() == node.shape() && g.dtype() == node.dtype(),
                "backward: '{}' returned a gradient of shape {} ({}) for its input {}, which has "
                "shape {} ({})",
                producer.name(), g.shape(), g.dtype(), input, node.shape(), node.dtype());
}

// Anomaly mode: the first NaN or inf in a gradient `producer` returned for its input `input`.
void check_finite(const Tensor& g, const Node& producer, size_t input) {
  if (g.dtype() != kFloat32 && g.dtype() != kFloat64) return;
  const std::vector<double> values = g.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    ATHANOR_CHECK(std::isfinite(values[i]),
                  "backward (anomaly detection): the backward of '{}' produced {} in the gradient "
                  "of its input {} (shape {}, element {})",
                  producer.name(), values[i], input, g.shape(), i);
  }
}

}  // namespace

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  ATHANOR_CHECK(requires_grad(),
                "backward: the tensor does not require grad and has no grad_fn; mark an input "
                "with set_requires_grad() before computing it");
  Tensor dy = gradient;
  if (!dy.defined()) {
    ATHANOR_CHECK(numel() == 1,
                  "backward: a gradient must be given for a tensor of shape {} ({} elements); "
                  "only one-element tensors default to a gradient of 1",
                  shape(), numel());
    dy = ones(shape(), dtype(), device());
  }
  ATHANOR_CHECK(dy.shape() == shape(),
                "backward: the gradient has shape {}, but the tensor has shape {}", dy.shape(),
                shape());
  if (dy.dtype() != dtype()) {
    Tensor converted = empty(shape(), dtype(), device());
    converted.copy_(dy);
    dy = converted;
  }

  NoGradGuard no_grad;
  std::shared_ptr<Node> root = grad_fn();
  if (!root) {  // a leaf: accumulate directly
    AutogradMeta& meta = *impl().autograd;
    if (!meta.grad.defined())
      meta.grad = detail::own_gradient(dy);
    else
      detail::add_into(meta.grad, dy);
    return;
  }

  auto deps = count_dependencies(root.get());
  std::unordered_map<Node*, Tensor> pending;
  pending[root.get()] = dy;
  std::vector<Node*> ready{root.get()};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    Tensor g;
    if (auto it = pending.find(node); it != pending.end()) {
      g = std::move(it->second);
      pending.erase(it);
    }
    Grads grads;
    if (g.defined()) grads = node->apply(std::move(g));
    if (!retain_graph) node->release();
    const auto& next = node->next();
    ATHANOR_CHECK(grads.empty() || grads.size() == next.size(),
                  "backward: '{}' returned {} gradients for {} inputs", node->name(), grads.size(),
                  next.size());
    for (size_t i = 0; i < next.size(); ++i) {
      Node* child = next[i].get();
      if (!child) continue;
      if (!grads.empty() && grads[i].defined()) {
        check_gradient(*child, grads[i], *node, i);
        if (is_anomaly_enabled()) check_finite(grads[i], *node, i);
        auto [it, inserted] = pending.try_emplace(child, grads[i]);
        if (!inserted) {
          // Sum into a buffer that nothing else sees.
          it->second = detail::own_gradient(std::move(it->second));
          detail::add_into(it->second, grads[i]);
        }
      }
      if (--deps[child] == 0) ready.push_back(child);
    }
  }
}

}  // namespace athanor
