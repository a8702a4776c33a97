// src/nn/activation.cpp: activation modules, each calling its op.
#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/nn/activation.h>
#include <athanor/ops/activation.h>

namespace athanor::nn {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }

Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope_); }
std::string LeakyReLU::extra_repr() const {
  return fmt::format("negative_slope={}", negative_slope_);
}

Tensor ELU::forward(const Tensor& x) { return elu(x, alpha_); }
std::string ELU::extra_repr() const { return fmt::format("alpha={}", alpha_); }

GELU::GELU(std::string approximate) : approximate_(std::move(approximate)) {
  ATHANOR_CHECK(approximate_ == "none" || approximate_ == "tanh",
                "GELU: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate_);
}
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate_); }
std::string GELU::extra_repr() const { return fmt::format("approximate='{}'", approximate_); }

Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta_, threshold_); }
std::string Softplus::extra_repr() const {
  return fmt::format("beta={}, threshold={}", beta_, threshold_);
}

Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim_); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim_); }

Tensor LogSoftmax::forward(const Tensor& x) { return log_softmax(x, dim_); }
std::string LogSoftmax::extra_repr() const { return fmt::format("dim={}", dim_); }

}  // namespace athanor::nn
