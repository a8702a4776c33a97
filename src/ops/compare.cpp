// src/ops/compare.cpp: comparisons and logical ops (bool results, no gradient), where and clamp.
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {

using backend::BinaryOp;

namespace {

Tensor compare(const char* op, BinaryOp kernel, const Tensor& a, const Tensor& b) {
  auto [x, y] = ops::promote(a.detach(), b.detach());
  return ops::run_binary(op, kernel, x, y, kBool);
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare("eq", BinaryOp::kEq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare("ne", BinaryOp::kNe, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare("lt", BinaryOp::kLt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare("le", BinaryOp::kLe, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare("gt", BinaryOp::kGt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare("ge", BinaryOp::kGe, a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator<(const Tensor& a, double b) { return lt(a, scalar_like(a, b)); }
Tensor operator<=(const Tensor& a, double b) { return le(a, scalar_like(a, b)); }
Tensor operator>(const Tensor& a, double b) { return gt(a, scalar_like(a, b)); }
Tensor operator>=(const Tensor& a, double b) { return ge(a, scalar_like(a, b)); }

Tensor logical_not(const Tensor& x) {
  return ops::run_unary("logical_not", backend::UnaryOp::kLogicalNot, x.detach(), kBool);
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return ops::run_binary("logical_and", BinaryOp::kMinimum, to(a.detach(), kBool),
                         to(b.detach(), kBool));
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return ops::run_binary("logical_or", BinaryOp::kMaximum, to(a.detach(), kBool),
                         to(b.detach(), kBool));
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  ATHANOR_CHECK(cond.dtype() == kBool, "where: expected a bool condition, got {}", cond.dtype());
  ops::check_same_device("where", cond, a);
  ops::check_same_device("where", a, b);
  auto [x, y] = ops::promote(a.detach(), b.detach());  // values only; the node is over a and b
  const Shape shape =
      broadcast_shapes(broadcast_shapes(cond.shape(), x.shape(), "where"), y.shape(), "where");
  Tensor out = empty(shape, x.dtype(), x.device());
  kernels_for(out, "where")
      .where(broadcast_view(cond, shape), broadcast_view(x, shape), broadcast_view(y, shape),
             kernel_view(out));
  return with_backward(
      "where", out, {a, b},
      [cond, sa = a.shape(), ta = a.dtype(), sb = b.shape(), tb = b.dtype()](const Tensor& dy) {
        const Tensor zero = zeros_like(dy);
        return Grads{to(sum_to(where(cond, dy, zero), sa), ta),
                     to(sum_to(where(cond, zero, dy), sb), tb)};
      });
}

Tensor where(const Tensor& cond, const Tensor& a, double b) {
  return where(cond, a, scalar_like(a, b));
}
Tensor where(const Tensor& cond, double a, const Tensor& b) {
  return where(cond, scalar_like(b, a), b);
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  ATHANOR_CHECK(x.dtype() != kBool, "clamp: not defined for bool tensors");
  ATHANOR_CHECK(min || max, "clamp: at least one of min and max must be given");
  ATHANOR_CHECK(!min || !max || *min <= *max, "clamp: expected min <= max, got min={} and max={}",
                *min, *max);
  Tensor y = x.detach();
  Tensor inside = ones(x.shape(), kBool, x.device());
  if (min) {
    const Tensor lo = scalar_like(x, *min);
    inside = logical_and(inside, ge(y, lo));
    y = maximum(y, lo);
  }
  if (max) {
    const Tensor hi = scalar_like(x, *max);
    inside = logical_and(inside, le(x.detach(), hi));
    y = minimum(y, hi);
  }
  // Gradient 1 inside [min, max] (bounds included), 0 outside.
  return with_backward("clamp", y, {x}, [inside](const Tensor& dy) {
    return Grads{where(inside, dy, zeros_like(dy))};
  });
}

}  // namespace athanor
