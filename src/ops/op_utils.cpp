// src/ops/op_utils.cpp: helpers shared by the op families.
#include "ops/op_utils.h"

#include <athanor/ops/shape.h>

namespace athanor::ops {

void check_floating(const char* op, const Tensor& x) {
  ATHANOR_CHECK(x.is_floating_point(), "{}: expected a floating-point tensor, got {}", op,
                x.dtype());
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  ATHANOR_CHECK(a.device() == b.device(), "{}: expected tensors on one device, got {} and {}", op,
                a.device(), b.device());
}

Tensor run_unary(const char* op, backend::UnaryOp kernel, const Tensor& x,
                 std::optional<DType> out_dtype) {
  Tensor y = empty(x.shape(), out_dtype.value_or(x.dtype()), x.device());
  kernels_for(x, op).unary(kernel, kernel_view(x), kernel_view(y));
  return y;
}

Tensor run_binary(const char* op, backend::BinaryOp kernel, const Tensor& a, const Tensor& b,
                  std::optional<DType> out_dtype) {
  check_same_device(op, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(shape, out_dtype.value_or(a.dtype()), a.device());
  kernels_for(a, op).binary(kernel, broadcast_view(a, shape), broadcast_view(b, shape),
                            kernel_view(out));
  return out;
}

std::pair<Tensor, Tensor> promote(const Tensor& a, const Tensor& b) {
  const DType t = promote_types(a.dtype(), b.dtype());
  return {to(a, t), to(b, t)};
}

}  // namespace athanor::ops
