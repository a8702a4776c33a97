// src/ops/softmax.cpp: softmax and log_softmax along a dimension, as fused primitives.
#include <athanor/ops/activation.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

Tensor softmax_impl(const char* op, const Tensor& x, int dim, bool log) {
  ops::check_floating(op, x);
  const Tensor xd = x.detach();  // before the copies, so that they record no graph
  const Tensor src = contiguous(xd.dim() == 0 ? reshape(xd, Shape{1}) : xd);
  const int d = normalize_dim(dim, x.dim(), op);  // x.dim(), so errors name the rank given
  Tensor y = empty(src.shape(), src.dtype(), src.device());
  kernels_for(x, op).softmax(kernel_view(src), d, log, kernel_view(y));
  if (x.dim() == 0) y = y.as_strided(Shape{}, Shape{}, 0);
  return with_backward(op, y, {x}, [op, y, d, log](const Tensor& dy) {
    const Tensor yc = y.dim() == 0 ? y.as_strided(Shape{1}, Shape{1}, 0) : y;
    const Tensor g = contiguous(reshape(dy, yc.shape()));
    Tensor dx = empty(yc.shape(), yc.dtype(), yc.device());
    kernels_for(yc, op).softmax_backward(kernel_view(g), kernel_view(yc), d, log, kernel_view(dx));
    return Grads{reshape(dx, y.shape())};
  });
}

}  // namespace

Tensor softmax(const Tensor& x, int dim) { return softmax_impl("softmax", x, dim, false); }
Tensor log_softmax(const Tensor& x, int dim) { return softmax_impl("log_softmax", x, dim, true); }

}  // namespace athanor
