// src/nn/linear.cpp: Linear.
#include <cmath>

#include <athanor/core/error.h>
#include <athanor/nn/init.h>
#include <athanor/nn/linear.h>
#include <athanor/ops/linalg.h>

namespace athanor::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, DType dtype)
    : in_features_(in_features), out_features_(out_features) {
  ATHANOR_CHECK(in_features > 0 && out_features > 0,
                "Linear: in_features and out_features must be positive, got {} and {}", in_features,
                out_features);
  weight = register_parameter("weight", empty(Shape{out_features, in_features}, dtype));
  init::kaiming_uniform_(weight, {.a = std::sqrt(5.0)});
  if (with_bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    bias = register_parameter("bias", empty(Shape{out_features}, dtype));
    init::uniform_(bias, -bound, bound);
  }
}

namespace {

void check_input(const Tensor& x, int64_t in_features) {
  ATHANOR_CHECK(x.dim() >= 1 && x.shape(-1) == in_features,
                "Linear: input has {} features, layer expects {} (input shape {})",
                x.dim() >= 1 ? x.shape(-1) : 0, in_features, x.shape());
}

}  // namespace

Tensor Linear::forward(const Tensor& x) {
  check_input(x, in_features_);
  return athanor::linear(x, weight, bias);
}

Tensor Linear::forward_relu(const Tensor& x) {
  check_input(x, in_features_);
  return athanor::linear_relu(x, weight, bias);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_,
                     bias.defined() ? "True" : "False");
}

}  // namespace athanor::nn
