// include/athanor/ops/activation.h: activation functions, softmax and log_softmax.
#pragma once

#include <string_view>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// max(x, 0); the gradient at 0 is 0.
Tensor relu(const Tensor& x);
/// x where x > 0, else negative_slope * x.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
/// x where x > 0, else alpha * (exp(x) - 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
/// x * Phi(x) with the exact normal CDF ("none", PyTorch's default) or its tanh approximation
/// ("tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), Hendrycks & Gimpel, 2016).
Tensor gelu(const Tensor& x, std::string_view approximate = "none");
/// 1 / (1 + exp(-x)).
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
/// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
/// exp(x) / sum(exp(x)) along `dim`, computed stably.
Tensor softmax(const Tensor& x, int dim = -1);
/// x - logsumexp(x) along `dim`, computed stably.
Tensor log_softmax(const Tensor& x, int dim = -1);

}  // namespace athanor
