// src/ops/unary.cpp: elementwise functions of one tensor, each with its gradient rule.
#include <cmath>

#include <athanor/ops/binary.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {

using backend::UnaryOp;
using ops::check_floating;
using ops::run_unary;

Tensor neg(const Tensor& x) {
  ATHANOR_CHECK(x.dtype() != kBool,
                "neg: negation is not defined for bool tensors; use logical_not");
  Tensor y = run_unary("neg", UnaryOp::kNeg, x);
  return with_backward("neg", y, {x}, [](const Tensor& dy) { return Grads{neg(dy)}; });
}

Tensor exp(const Tensor& x) {
  check_floating("exp", x);
  Tensor y = run_unary("exp", UnaryOp::kExp, x);
  // d exp(x) = exp(x) dx: reuse y.
  return with_backward("exp", y, {x}, [y](const Tensor& dy) { return Grads{dy * y}; });
}

Tensor log(const Tensor& x) {
  check_floating("log", x);
  Tensor y = run_unary("log", UnaryOp::kLog, x);
  return with_backward("log", y, {x}, [x](const Tensor& dy) { return Grads{dy / x}; });
}

Tensor log1p(const Tensor& x) {
  check_floating("log1p", x);
  Tensor y = run_unary("log1p", UnaryOp::kLog1p, x);
  return with_backward("log1p", y, {x}, [x](const Tensor& dy) { return Grads{dy / (x + 1.0)}; });
}

Tensor expm1(const Tensor& x) {
  check_floating("expm1", x);
  Tensor y = run_unary("expm1", UnaryOp::kExpm1, x);
  return with_backward("expm1", y, {x}, [y](const Tensor& dy) { return Grads{dy * (y + 1.0)}; });
}

Tensor sqrt(const Tensor& x) {
  check_floating("sqrt", x);
  Tensor y = run_unary("sqrt", UnaryOp::kSqrt, x);
  // d sqrt(x) = dx / (2 sqrt(x)).
  return with_backward("sqrt", y, {x}, [y](const Tensor& dy) { return Grads{dy / (2.0 * y)}; });
}

Tensor rsqrt(const Tensor& x) {
  check_floating("rsqrt", x);
  Tensor y = run_unary("rsqrt", UnaryOp::kRsqrt, x);
  // d x^(-1/2) = -1/2 x^(-3/2) dx = -1/2 y^3 dx.
  return with_backward("rsqrt", y, {x},
                       [y](const Tensor& dy) { return Grads{dy * y * y * y * -0.5}; });
}

Tensor abs(const Tensor& x) {
  ATHANOR_CHECK(x.dtype() != kBool, "abs: not defined for bool tensors");
  Tensor y = run_unary("abs", UnaryOp::kAbs, x);
  return with_backward("abs", y, {x}, [x](const Tensor& dy) { return Grads{dy * sign(x)}; });
}

Tensor sign(const Tensor& x) {
  Tensor y = run_unary("sign", UnaryOp::kSign, x);
  return with_backward("sign", y, {x}, [](const Tensor& dy) { return Grads{zeros_like(dy)}; });
}

Tensor sin(const Tensor& x) {
  check_floating("sin", x);
  Tensor y = run_unary("sin", UnaryOp::kSin, x);
  return with_backward("sin", y, {x}, [x](const Tensor& dy) { return Grads{dy * cos(x)}; });
}

Tensor cos(const Tensor& x) {
  check_floating("cos", x);
  Tensor y = run_unary("cos", UnaryOp::kCos, x);
  return with_backward("cos", y, {x}, [x](const Tensor& dy) { return Grads{-(dy * sin(x))}; });
}

Tensor erf(const Tensor& x) {
  check_floating("erf", x);
  Tensor y = run_unary("erf", UnaryOp::kErf, x);
  // d erf(x) = 2/sqrt(pi) exp(-x^2) dx.
  return with_backward("erf", y, {x}, [x](const Tensor& dy) {
    return Grads{dy * exp(-(x * x)) * (2.0 / std::sqrt(M_PI))};
  });
}

Tensor square(const Tensor& x) {
  ATHANOR_CHECK(x.dtype() != kBool,
                "square: not defined for bool tensors; convert with to(kInt64)");
  return x * x;
}

Tensor reciprocal(const Tensor& x) {
  check_floating("reciprocal", x);
  return 1.0 / x;
}

}  // namespace athanor
