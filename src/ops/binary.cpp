// src/ops/binary.cpp: elementwise arithmetic with broadcasting and dtype promotion, the gradient
// rules (each summed back over broadcast dimensions) and the operators.
#include <cmath>
#include <tuple>

#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {

using backend::BinaryOp;

namespace {

struct InputInfo {
  Shape shape;
  DType dtype;
  explicit InputInfo(const Tensor& t) : shape(t.shape()), dtype(t.dtype()) {}
};

// The gradient of a broadcast input: summed over broadcast dims, in the input's dtype.
Tensor grad_for(const Tensor& g, const InputInfo& in) { return to(sum_to(g, in.shape), in.dtype); }

// a and b in their common dtype, refusing bool arithmetic; `floating` forces a float result.
// Detached: the ops record their own node over a and b and use these only as values (a
// conversion recorded here would be a dead node, and a capture would hold a's graph).
std::pair<Tensor, Tensor> arith_operands(const char* op, const Tensor& a, const Tensor& b,
                                         bool floating = false) {
  ops::check_same_device(op, a, b);
  DType t = promote_types(a.dtype(), b.dtype());
  ATHANOR_CHECK(t != kBool,
                "{}: arithmetic on bool tensors is not supported; convert with to(kInt64) or use "
                "logical_and / logical_or",
                op);
  if (floating && !is_floating(t)) t = kFloat32;
  return {to(a.detach(), t), to(b.detach(), t)};
}

}  // namespace

Tensor scalar_like(const Tensor& like, double value) {
  DType t = like.dtype();
  if (!is_floating(t)) t = value == std::trunc(value) ? (t == kBool ? kInt64 : t) : kFloat32;
  return scalar_tensor(value, t, like.device());
}

Tensor add(const Tensor& a, const Tensor& b) {
  auto [x, y] = arith_operands("add", a, b);
  Tensor out = ops::run_binary("add", BinaryOp::kAdd, x, y);
  return with_backward("add", out, {a, b},
                       [ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
                         return Grads{grad_for(dy, ia), grad_for(dy, ib)};
                       });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  auto [x, y] = arith_operands("sub", a, b);
  Tensor out = ops::run_binary("sub", BinaryOp::kSub, x, y);
  return with_backward("sub", out, {a, b},
                       [ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
                         return Grads{grad_for(dy, ia), grad_for(neg(dy), ib)};
                       });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor x, y;  // not a structured binding: clang 14 cannot capture one in a lambda
  std::tie(x, y) = arith_operands("mul", a, b);
  Tensor out = ops::run_binary("mul", BinaryOp::kMul, x, y);
  return with_backward("mul", out, {a, b},
                       [x, y, ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
                         return Grads{grad_for(dy * y, ia), grad_for(dy * x, ib)};
                       });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor x, y;  // not a structured binding: clang 14 cannot capture one in a lambda
  std::tie(x, y) = arith_operands("div", a, b, /*floating=*/true);
  Tensor out = ops::run_binary("div", BinaryOp::kDiv, x, y);
  // d(x/y) = dx / y - (x / y^2) dy = (dx - out dy) / y.
  return with_backward("div", out, {a, b},
                       [y, out, ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
                         const Tensor da = dy / y;
                         return Grads{grad_for(da, ia), grad_for(-(da * out), ib)};
                       });
}

Tensor pow(const Tensor& a, const Tensor& b) {
  Tensor x, y;  // not a structured binding: clang 14 cannot capture one in a lambda
  std::tie(x, y) = arith_operands("pow", a, b, /*floating=*/true);
  Tensor out = ops::run_binary("pow", BinaryOp::kPow, x, y);
  const bool b_needs_grad = b.requires_grad();
  return with_backward(
      "pow", out, {a, b},
      [x, y, out, b_needs_grad, ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
        // d x^y / dx = y x^(y-1) (taken as 0 where y == 0, so 0^0 has no NaN gradient);
        // d x^y / dy = x^y log(x), only when the exponent needs it, and taken as 0 where x == 0
        // and y >= 0 (the limit of 0^y log(0), as PyTorch), not 0 * -inf = NaN.
        const Tensor dx = where(eq(y, scalar_like(y, 0.0)), 0.0, y * pow(x, y - 1.0)) * dy;
        Tensor de;
        if (b_needs_grad) {
          const Tensor zero_base =
              logical_and(eq(x, scalar_like(x, 0.0)), ge(y, scalar_like(y, 0.0)));
          de = grad_for(dy * where(zero_base, 0.0, out * log(x)), ib);
        }
        return Grads{grad_for(dx, ia), de};
      });
}

Tensor pow(const Tensor& a, double exponent) { return pow(a, scalar_like(a, exponent)); }
Tensor pow(double base, const Tensor& exponent) {
  return pow(scalar_like(exponent, base), exponent);
}

namespace {

// Shared by maximum and minimum: `pick_a` is a > b (maximum) or a < b (minimum).
Tensor extremum(const char* op, BinaryOp kernel, const Tensor& a, const Tensor& b, bool is_max) {
  Tensor x, y;  // not a structured binding: clang 14 cannot capture one in a lambda
  std::tie(x, y) = arith_operands(op, a, b);
  Tensor out = ops::run_binary(op, kernel, x, y);
  return with_backward(op, out, {a, b},
                       [x, y, is_max, ia = InputInfo(a), ib = InputInfo(b)](const Tensor& dy) {
                         const Tensor pick_a = is_max ? gt(x, y) : lt(x, y);
                         // Share of the gradient going to a: 1, 1/2 at ties, else 0.
                         const Tensor w = where(pick_a, 1.0, where(eq(x, y), 0.5, zeros_like(dy)));
                         return Grads{grad_for(dy * w, ia), grad_for(dy * (1.0 - w), ib)};
                       });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return extremum("maximum", BinaryOp::kMaximum, a, b, true);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return extremum("minimum", BinaryOp::kMinimum, a, b, false);
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(b, a), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(b, a), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(b, a), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(b, a), b); }

}  // namespace athanor
