// include/athanor/nn/init.h: parameter initialization (PyTorch's torch.nn.init), in place and
// outside autograd. `gen` == nullptr draws from default_generator().
#pragma once

#include <string_view>
#include <utility>

#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>

namespace athanor::nn::init {

enum class FanMode { kFanIn, kFanOut };

/// The recommended gain for a nonlinearity: linear/conv*/sigmoid 1, tanh 5/3, relu sqrt(2),
/// leaky_relu sqrt(2 / (1 + slope^2)) (slope = `param`, default 0.01), selu 3/4.
double calculate_gain(std::string_view nonlinearity, double param = 0.01);
/// fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, where the receptive
/// field is the product of dims 2.. (a conv kernel). Requires at least 2 dims.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

void uniform_(const Tensor& t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
void normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
void constant_(const Tensor& t, double value);
void zeros_(const Tensor& t);
void ones_(const Tensor& t);

/// Glorot & Bengio (2010): U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)).
void xavier_uniform_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
/// N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)).
void xavier_normal_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);

struct KaimingOptions {
  double a = 0.0;  // negative slope of the leaky_relu that follows
  FanMode mode = FanMode::kFanIn;
  std::string_view nonlinearity = "leaky_relu";
};
/// He et al. (2015): U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a).
void kaiming_uniform_(const Tensor& t, const KaimingOptions& options = {},
                      Generator* gen = nullptr);
/// N(0, std^2), std = gain / sqrt(fan).
void kaiming_normal_(const Tensor& t, const KaimingOptions& options = {}, Generator* gen = nullptr);

/// Saxe et al. (2013): the rows (or columns, whichever are fewer) of t viewed as [size(0), rest]
/// are orthonormal, scaled by gain: Q from the QR decomposition of a normal matrix, with signs
/// fixed by R's diagonal so Q is uniformly distributed.
void orthogonal_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);

}  // namespace athanor::nn::init
