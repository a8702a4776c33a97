// include/athanor/nn/conv.h: Conv1d and Conv2d, cross-correlation layers over NCL / NCHW input.
#pragma once

#include <athanor/nn/module.h>
#include <athanor/nn/size2.h>

namespace athanor::nn {

struct Conv1dOptions {
  int64_t stride = 1;
  int64_t padding = 0;  // zeros on both ends
  int64_t dilation = 1;
  int64_t groups = 1;  // divides in_channels and out_channels
  bool bias = true;
  DType dtype = kFloat32;
};

/// x: [N, in_channels, L] -> [N, out_channels, L_out],
/// L_out = floor((L + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.
/// weight [out_channels, in_channels / groups, kernel_size], bias [out_channels], initialized as
/// PyTorch: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kernel_size.
class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
         const Conv1dOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv1d"; }
  std::string extra_repr() const override;

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  int64_t in_channels_, out_channels_, kernel_size_;
  Conv1dOptions options_;
};

struct Conv2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  DType dtype = kFloat32;
};

/// x: [N, in_channels, H, W] -> [N, out_channels, H_out, W_out], each spatial size as Conv1d's.
/// Runs on oneDNN in float32. weight [out_channels, in_channels / groups, kH, kW], bias
/// [out_channels], initialized as Conv1d's with fan_in = in_channels / groups * kH * kW.
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size,
         const Conv2dOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;
  const Conv2dOptions& options() const { return options_; }

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  int64_t in_channels_, out_channels_;
  Size2 kernel_size_;
  Conv2dOptions options_;
};

}  // namespace athanor::nn
