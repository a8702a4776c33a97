// include/athanor/ops/pool.h: 2-D max, average and adaptive average pooling.
//
// Inputs are [N, C, H, W] or unbatched [C, H, W]; every size pair is {height, width}. Output
// sizes follow PyTorch: out = floor_or_ceil((in + 2 padding - dilation (kernel - 1) - 1) / stride)
// + 1, where with ceil_mode the last window must still start inside the input or the left
// padding (else out is one less). Padding must be at most half the kernel size.
#pragma once

#include <array>
#include <cstdint>

#include <athanor/ops/reduce.h>
#include <athanor/tensor/tensor.h>

namespace athanor {

/// The maximum of each window; stride {0, 0} means stride = kernel_size (PyTorch's stride=None).
/// Its gradient goes to the first maximum of each window (overlapping windows add up). A NaN in a
/// window is its maximum.
Tensor max_pool2d(const Tensor& x, std::array<int64_t, 2> kernel_size,
                  std::array<int64_t, 2> stride = {0, 0}, std::array<int64_t, 2> padding = {0, 0},
                  std::array<int64_t, 2> dilation = {1, 1}, bool ceil_mode = false);

/// max_pool2d, and (int64, the output's shape) the position h * W + w of each maximum within its
/// input plane, as PyTorch's return_indices=True.
ValuesIndices max_pool2d_with_indices(const Tensor& x, std::array<int64_t, 2> kernel_size,
                                      std::array<int64_t, 2> stride = {0, 0},
                                      std::array<int64_t, 2> padding = {0, 0},
                                      std::array<int64_t, 2> dilation = {1, 1},
                                      bool ceil_mode = false);

/// The mean of each window. The divisor is the window's size clipped to the padded input
/// (count_include_pad), or the number of input elements in it; windows that ceil_mode adds past
/// the padding are clipped either way.
Tensor avg_pool2d(const Tensor& x, std::array<int64_t, 2> kernel_size,
                  std::array<int64_t, 2> stride = {0, 0}, std::array<int64_t, 2> padding = {0, 0},
                  bool ceil_mode = false, bool count_include_pad = true);

/// The mean over output_size bins: bin i covers rows floor(i H / H_out) .. ceil((i + 1) H /
/// H_out) - 1 (bins overlap when H_out does not divide H), and the same for columns.
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> output_size);

}  // namespace athanor
