// src/nn/conv.cpp: Conv1d and Conv2d.
#include <cmath>

#include <athanor/core/error.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/init.h>
#include <athanor/ops/conv.h>

namespace athanor::nn {

namespace {

void check_channels(const char* layer, int64_t in_channels, int64_t out_channels, int64_t groups) {
  ATHANOR_CHECK(in_channels > 0 && out_channels > 0 && groups > 0,
                "{}: in_channels, out_channels and groups must be positive, got {}, {} and {}",
                layer, in_channels, out_channels, groups);
  ATHANOR_CHECK(in_channels % groups == 0 && out_channels % groups == 0,
                "{}: groups={} must divide in_channels={} and out_channels={}", layer, groups,
                in_channels, out_channels);
}

// PyTorch's reset_parameters: kaiming_uniform_(a = sqrt(5)) for the weight, which is
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
void reset(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, {.a = std::sqrt(5.0)});
  if (bias.defined()) {
    const double bound =
        1.0 / std::sqrt(static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first));
    init::uniform_(bias, -bound, bound);
  }
}

}  // namespace

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
               const Conv1dOptions& options)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      options_(options) {
  check_channels("Conv1d", in_channels, out_channels, options.groups);
  ATHANOR_CHECK(kernel_size > 0, "Conv1d: kernel_size must be positive, got {}", kernel_size);
  weight = register_parameter(
      "weight",
      empty(Shape{out_channels, in_channels / options.groups, kernel_size}, options.dtype));
  if (options.bias) bias = register_parameter("bias", empty(Shape{out_channels}, options.dtype));
  reset(weight, bias);
}

Tensor Conv1d::forward(const Tensor& x) {
  return conv1d(x, weight, bias, options_.stride, options_.padding, options_.dilation,
                options_.groups);
}

std::string Conv1d::extra_repr() const {
  std::string s = fmt::format("{}, {}, kernel_size=({},), stride=({},)", in_channels_,
                              out_channels_, kernel_size_, options_.stride);
  if (options_.padding != 0) s += fmt::format(", padding=({},)", options_.padding);
  if (options_.dilation != 1) s += fmt::format(", dilation=({},)", options_.dilation);
  if (options_.groups != 1) s += fmt::format(", groups={}", options_.groups);
  if (!options_.bias) s += ", bias=False";
  return s;
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
               const Conv2dOptions& options)
    : in_channels_(in_channels),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      options_(options) {
  check_channels("Conv2d", in_channels, out_channels, options.groups);
  ATHANOR_CHECK(kernel_size.h > 0 && kernel_size.w > 0,
                "Conv2d: kernel_size must be positive, got ({}, {})", kernel_size.h, kernel_size.w);
  weight = register_parameter("weight", empty(Shape{out_channels, in_channels / options.groups,
                                                    kernel_size.h, kernel_size.w},
                                              options.dtype));
  if (options.bias) bias = register_parameter("bias", empty(Shape{out_channels}, options.dtype));
  reset(weight, bias);
}

Tensor Conv2d::forward(const Tensor& x) {
  return conv2d(x, weight, bias, options_.stride.array(), options_.padding.array(),
                options_.dilation.array(), options_.groups);
}

std::string Conv2d::extra_repr() const {
  auto pair = [](Size2 s) { return fmt::format("({}, {})", s.h, s.w); };
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels_, out_channels_,
                              pair(kernel_size_), pair(options_.stride));
  if (options_.padding != Size2(0)) s += ", padding=" + pair(options_.padding);
  if (options_.dilation != Size2(1)) s += ", dilation=" + pair(options_.dilation);
  if (options_.groups != 1) s += fmt::format(", groups={}", options_.groups);
  if (!options_.bias) s += ", bias=False";
  return s;
}

}  // namespace athanor::nn
