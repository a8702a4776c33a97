// src/ops/matmul.cpp: matrix products. One primitive multiplies 2-D matrices or 3-D batches
// (a batch of 1 broadcasts); matmul reduces every other case to it by views.
//
// Backward of C = A B: dA = dC B^T and dB = A^T dC, with the transposes passed to the kernel as
// strided views (no copies), summed over a broadcast batch.
#include <algorithm>

#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

// The kernel's [B, M, K] view of a 2-D or 3-D operand, broadcast to `batch`.
backend::View batch_view(const Tensor& t, int64_t batch) {
  backend::View v = kernel_view(t);
  if (t.dim() == 2) {
    v.shape.insert(0, 1);
    v.strides.insert(0, 0);
  }
  if (v.shape[0] == 1 && batch > 1) {
    v.shape[0] = batch;
    v.strides[0] = 0;
  }
  return v;
}

// a: [M, K] or [Ba, M, K]; b: [K, N] or [Bb, K, N] (same rank; Ba, Bb equal or 1).
Tensor matmul_primitive(const Tensor& a, const Tensor& b) {
  const int r = a.dim();
  const int64_t M = a.shape()[r - 2], N = b.shape()[r - 1];
  Shape out_shape{M, N};
  int64_t batch = 1;
  if (r == 3) {
    batch = std::max(a.shape()[0], b.shape()[0]);
    out_shape.insert(0, batch);
  }
  Tensor out = empty(out_shape, a.dtype(), a.device());
  backend::View ov = kernel_view(out);
  if (r == 2) {
    ov.shape.insert(0, 1);
    ov.strides.insert(0, M * N);
  }
  kernels_for(a, "matmul").matmul(batch_view(a, batch), batch_view(b, batch), ov);
  return with_backward("matmul", out, {a, b}, [a, b](const Tensor& dy) {
    Tensor da, db;
    if (a.requires_grad()) da = sum_to(matmul_primitive(dy, transpose(b, -1, -2)), a.shape());
    if (b.requires_grad()) db = sum_to(matmul_primitive(transpose(a, -1, -2), dy), b.shape());
    return Grads{da, db};
  });
}

Shape batch_shape(const Tensor& t) {
  Shape s;
  for (int d = 0; d + 2 < t.dim(); ++d) s.push_back(t.shape()[d]);
  return s;
}

Shape concat_shapes(Shape s, std::initializer_list<int64_t> tail) {
  for (int64_t d : tail) s.push_back(d);
  return s;
}

}  // namespace

Tensor matmul(const Tensor& a0, const Tensor& b0) {
  ATHANOR_CHECK(a0.dim() >= 1 && b0.dim() >= 1,
                "matmul: both operands need at least 1 dimension, got shapes {} and {}", a0.shape(),
                b0.shape());
  ops::check_same_device("matmul", a0, b0);
  const int64_t k_a = a0.shape(-1);
  const int64_t k_b = b0.dim() == 1 ? b0.shape(0) : b0.shape(-2);
  ATHANOR_CHECK(k_a == k_b,
                "matmul: inner dimensions differ: a has shape {} and b has shape {}; expected "
                "a.shape[-1] == b.shape[{}]",
                a0.shape(), b0.shape(), b0.dim() == 1 ? "0" : "-2");
  auto [a, b] = ops::promote(a0, b0);
  ATHANOR_CHECK(a.dtype() != kBool && a.dtype() != kUInt8,
                "matmul: expected floating-point or int64 operands, got {}", a.dtype());

  if (a.dim() == 1 && b.dim() == 1) {
    return reshape(matmul_primitive(unsqueeze(a, 0), unsqueeze(b, 1)), Shape{});
  }
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  if (a.dim() == 2 && b.dim() == 2) return matmul_primitive(a, b);

  const int64_t M = a.shape(-2), K = k_a, N = b.shape(-1);
  if (b.dim() == 2) {
    // A batch of rows times one matrix: one large product.
    Shape out_shape = batch_shape(a);
    out_shape = concat_shapes(out_shape, {M, N});
    return reshape(matmul_primitive(reshape(a, Shape{-1, K}), b), out_shape);
  }
  if (a.dim() <= 3 && b.dim() == 3 &&
      (a.dim() == 2 || a.shape(0) == b.shape(0) || a.shape(0) == 1 || b.shape(0) == 1)) {
    return matmul_primitive(a.dim() == 2 ? unsqueeze(a, 0) : a, b);
  }
  const Shape batch_a = batch_shape(a), batch_b = batch_shape(b);
  for (int i = 1; i <= std::min(batch_a.rank(), batch_b.rank()); ++i) {
    const int64_t sa = batch_a[batch_a.rank() - i], sb = batch_b[batch_b.rank() - i];
    ATHANOR_CHECK(sa == sb || sa == 1 || sb == 1,
                  "matmul: batch dimensions do not broadcast: a has shape {} and b has shape {}; "
                  "expected the sizes before the last two dimensions to be equal or 1",
                  a.shape(), b.shape());
  }
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const Tensor a3 = reshape(expand(a, concat_shapes(batch, {M, K})), Shape{-1, M, K});
  const Tensor b3 = reshape(expand(b, concat_shapes(batch, {K, N})), Shape{-1, K, N});
  return reshape(matmul_primitive(a3, b3), concat_shapes(batch, {M, N}));
}

}  // namespace athanor
