// src/ops/pool_window.h: max_pool2d's window checks, for an op that pools what it computes.
#pragma once

#include <array>
#include <utility>

#include <athanor/tensor/tensor.h>

#include "backend/kernels.h"

namespace athanor::ops {

/// Checks max_pool2d's options for a 4-D input of shape `input` as max_pool2d does (same
/// messages); returns the kernel's parameters and the output shape.
std::pair<backend::Pool2dParams, Shape> max_pool2d_window(
    const Shape& input, std::array<int64_t, 2> kernel_size, std::array<int64_t, 2> stride,
    std::array<int64_t, 2> padding, std::array<int64_t, 2> dilation, bool ceil_mode);

}  // namespace athanor::ops
