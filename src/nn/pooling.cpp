// src/nn/pooling.cpp: pooling modules, each calling its op.
#include <fmt/format.h>

#include <athanor/nn/pooling.h>
#include <athanor/ops/pool.h>

namespace athanor::nn {

MaxPool2d::MaxPool2d(Size2 kernel_size, const MaxPool2dOptions& options)
    : kernel_size_(kernel_size), options_(options) {
  if (options_.stride == Size2(0)) options_.stride = kernel_size;
}

Tensor MaxPool2d::forward(const Tensor& x) {
  return max_pool2d(x, kernel_size_.array(), options_.stride.array(), options_.padding.array(),
                    options_.dilation.array(), options_.ceil_mode);
}

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     kernel_size_.to_string(), options_.stride.to_string(),
                     options_.padding.to_string(), options_.dilation.to_string(),
                     options_.ceil_mode ? "True" : "False");
}

AvgPool2d::AvgPool2d(Size2 kernel_size, const AvgPool2dOptions& options)
    : kernel_size_(kernel_size), options_(options) {
  if (options_.stride == Size2(0)) options_.stride = kernel_size;
}

Tensor AvgPool2d::forward(const Tensor& x) {
  return avg_pool2d(x, kernel_size_.array(), options_.stride.array(), options_.padding.array(),
                    options_.ceil_mode, options_.count_include_pad);
}

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", kernel_size_.to_string(),
                     options_.stride.to_string(), options_.padding.to_string());
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Size2 output_size) : output_size_(output_size) {}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) {
  return adaptive_avg_pool2d(x, output_size_.array());
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return "output_size=" + output_size_.to_string();
}

}  // namespace athanor::nn
