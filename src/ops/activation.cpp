// src/ops/activation.cpp: activation functions. relu, sigmoid and tanh are primitives with fused
// backward kernels (they run on every layer of every model); the others are compositions.
#include <cmath>

#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {

using backend::BinaryOp;
using backend::UnaryOp;
using ops::check_floating;

Tensor relu(const Tensor& x) {
  check_floating("relu", x);
  Tensor y = ops::run_unary("relu", UnaryOp::kRelu, x);
  // d relu(x) = dx where y > 0; 0 elsewhere (including x = 0).
  return with_backward("relu", y, {x}, [y](const Tensor& dy) {
    return Grads{ops::run_binary("relu", BinaryOp::kReluBackward, dy, y)};
  });
}

Tensor sigmoid(const Tensor& x) {
  check_floating("sigmoid", x);
  Tensor y = ops::run_unary("sigmoid", UnaryOp::kSigmoid, x);
  // d sigmoid(x) = y (1 - y) dx.
  return with_backward("sigmoid", y, {x}, [y](const Tensor& dy) {
    return Grads{ops::run_binary("sigmoid", BinaryOp::kSigmoidBackward, dy, y)};
  });
}

Tensor tanh(const Tensor& x) {
  check_floating("tanh", x);
  Tensor y = ops::run_unary("tanh", UnaryOp::kTanh, x);
  // d tanh(x) = (1 - y^2) dx: reuse y rather than recomputing tanh(x).
  return with_backward("tanh", y, {x}, [y](const Tensor& dy) {
    return Grads{ops::run_binary("tanh", BinaryOp::kTanhBackward, dy, y)};
  });
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  check_floating("leaky_relu", x);
  return where(x > 0.0, x, x * negative_slope);
}

Tensor elu(const Tensor& x, double alpha) {
  check_floating("elu", x);
  // expm1 of x with the positive entries replaced by 0, so the unused branch never overflows (an
  // inf there would turn the masked-out gradient 0 * inf into NaN). Not minimum(x, 0): at x = 0 it
  // would pass on only half the gradient (alpha / 2 instead of alpha).
  const Tensor positive = x > 0.0;
  return where(positive, x, alpha * expm1(where(positive, 0.0, x)));
}

Tensor gelu(const Tensor& x, std::string_view approximate) {
  check_floating("gelu", x);
  if (approximate == "tanh") {
    constexpr double kSqrt2OverPi = 0.7978845608028654;
    return 0.5 * x * (1.0 + tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
  }
  ATHANOR_CHECK(approximate == "none", "gelu: approximate must be \"none\" or \"tanh\", got \"{}\"",
                approximate);
  return 0.5 * x * (1.0 + erf(x * M_SQRT1_2));
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  check_floating("softplus", x);
  ATHANOR_CHECK(beta > 0, "softplus: expected beta > 0, got {}", beta);
  const Tensor bx = x * beta;
  const Tensor linear = bx > threshold;
  // exp only of the entries kept (the others replaced by 0), so it cannot overflow into a NaN
  // gradient; not minimum(bx, threshold), which halves the gradient at bx == threshold.
  return where(linear, x, log1p(exp(where(linear, 0.0, bx))) / beta);
}

}  // namespace athanor
