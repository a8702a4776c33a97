// src/autograd/tensor_autograd.cpp: the autograd members of Tensor.
#include <athanor/autograd/node.h>

namespace athanor {

bool Tensor::requires_grad() const {
  const auto& meta = impl().autograd;
  return meta && (meta->requires_grad || meta->grad_fn);
}

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  auto& meta = impl().autograd;
  if (meta && meta->grad_fn) {
    ATHANOR_CHECK(requires_grad,
                  "set_requires_grad: this tensor was produced by '{}' and requires grad through "
                  "it; use detach() to cut it from the graph",
                  meta->grad_fn->name());
    return *this;
  }
  ATHANOR_CHECK(!requires_grad || is_floating_point(),
                "set_requires_grad: only floating-point tensors can require gradients, got {}",
                dtype());
  if (!meta) {
    if (!requires_grad) return *this;
    meta = std::make_shared<AutogradMeta>();
  }
  meta->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  const auto& meta = impl().autograd;
  return meta ? meta->grad : Tensor();
}

void Tensor::set_grad(const Tensor& grad) const {
  auto& meta = impl().autograd;
  if (grad.defined()) {
    ATHANOR_CHECK(grad.shape() == shape() && grad.dtype() == dtype(),
                  "set_grad: the gradient has shape {} ({}), the tensor {} ({})", grad.shape(),
                  grad.dtype(), shape(), dtype());
  }
  if (!meta) {
    if (!grad.defined()) return;
    meta = std::make_shared<AutogradMeta>();
  }
  meta->grad = grad;
}

bool Tensor::is_leaf() const {
  const auto& meta = impl().autograd;
  return !meta || !meta->grad_fn;
}

std::shared_ptr<Node> Tensor::grad_fn() const {
  const auto& meta = impl().autograd;
  return meta ? meta->grad_fn : nullptr;
}

Tensor Tensor::detach() const { return alias(); }

}  // namespace athanor
