// include/athanor/nn/pooling.h: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d over NCHW input.
#pragma once

#include <athanor/nn/module.h>
#include <athanor/nn/size2.h>

namespace athanor::nn {

struct MaxPool2dOptions {
  Size2 stride = 0;   // 0: equal to kernel_size (PyTorch's stride=None)
  Size2 padding = 0;  // implicit -inf, at most half the kernel
  Size2 dilation = 1;
  bool ceil_mode = false;  // round the output size up (windows must still start inside)
};

/// The maximum of each window; [N, C, H, W] -> [N, C, H_out, W_out] (or [C, H, W] unbatched).
/// The gradient goes to the first maximum of each window.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, const MaxPool2dOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;
  Size2 kernel_size() const { return kernel_size_; }
  const MaxPool2dOptions& options() const { return options_; }

 private:
  Size2 kernel_size_;
  MaxPool2dOptions options_;
};

struct AvgPool2dOptions {
  Size2 stride = 0;   // 0: equal to kernel_size
  Size2 padding = 0;  // zeros, at most half the kernel
  bool ceil_mode = false;
  bool count_include_pad = true;  // divide by the padded window size
};

/// The mean of each window.
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, const AvgPool2dOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2 kernel_size_;
  AvgPool2dOptions options_;
};

/// Averages into a fixed output_size whatever the input size: bin i of n over an input of size
/// L spans [floor(i L / n), ceil((i + 1) L / n)). AdaptiveAvgPool2d(1) is global average pooling.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2 output_size_;
};

}  // namespace athanor::nn
