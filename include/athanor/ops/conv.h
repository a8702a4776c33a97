// include/athanor/ops/conv.h: 1-D and 2-D convolution (cross-correlation, as PyTorch's).
//
// Output sizes follow PyTorch: out = floor((in + 2 padding - dilation (kernel - 1) - 1) / stride)
// + 1, which must be at least 1. With `groups` = G the channels split into G independent
// convolutions: input channels g C_in / G .. and output channels g C_out / G .. of group g. float32
// runs on oneDNN; float64 on direct loops (for gradient checks).
#pragma once

#include <array>
#include <cstdint>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// x: [N, C_in, L], weight: [C_out, C_in / groups, K], bias: [C_out] or undefined (no bias)
/// -> [N, C_out, L_out].
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              int64_t stride = 1, int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1);

/// x: [N, C_in, H, W], weight: [C_out, C_in / groups, kH, kW], bias: [C_out] or undefined (no
/// bias) -> [N, C_out, H_out, W_out]. stride, padding (zeros, both sides) and dilation are
/// {height, width}.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              std::array<int64_t, 2> stride = {1, 1}, std::array<int64_t, 2> padding = {0, 0},
              std::array<int64_t, 2> dilation = {1, 1}, int64_t groups = 1);

/// max_pool2d(conv2d(x, weight, bias, stride, padding, dilation, groups), pool_kernel_size,
/// pool_stride, pool_padding, pool_dilation, ceil_mode): the same values and gradients, bit for
/// bit, computed together where the backend has a kernel for it (on the CPU a float32 first
/// layer, 1 to 4 input channels and stride 1), which never stores the convolution's output.
Tensor conv2d_max_pool2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                         std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                         std::array<int64_t, 2> dilation, int64_t groups,
                         std::array<int64_t, 2> pool_kernel_size,
                         std::array<int64_t, 2> pool_stride = {0, 0},
                         std::array<int64_t, 2> pool_padding = {0, 0},
                         std::array<int64_t, 2> pool_dilation = {1, 1}, bool ceil_mode = false);

}  // namespace athanor
