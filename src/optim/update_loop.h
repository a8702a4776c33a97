// src/optim/update_loop.h: running an optimizer's fused elementwise update over a parameter's
// contiguous data, in its own dtype, without allocating.
#pragma once

#include <cmath>
#include <cstdint>

#include <athanor/core/parallel.h>
#include <athanor/tensor/tensor.h>

namespace athanor::optim::detail {

/// Elements per parallel chunk: below this an update runs on the calling thread.
inline constexpr int64_t kUpdateGrain = int64_t{1} << 15;

/// Calls fn(T{}) with T = float or double, the dtype of a floating-point parameter (checked when
/// the parameter was added).
template <typename Fn>
void dispatch_floating(DType dtype, Fn&& fn) {
  if (dtype == kFloat32) {
    fn(float{});
  } else {
    ATHANOR_ASSERT(dtype == kFloat64);
    fn(double{});
  }
}

/// Calls fn(i) for every i in [0, n), split over threads. Each element's update reads and writes
/// only element i, so the split never changes a result. The chunk body holds a single reference,
/// which std::function stores without allocating.
template <typename Fn>
void for_each_index(int64_t n, const Fn& fn) {
  parallel_for(0, n, kUpdateGrain, [&fn](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) fn(i);
  });
}

/// A zero buffer shaped like the parameter, created the first time it is needed.
inline void ensure_zeros(Tensor& buffer, const Tensor& param) {
  if (!buffer.defined()) buffer = zeros(param.shape(), param.dtype());
}

/// max(a, b) that propagates NaN, as torch.maximum does.
template <typename T>
T nan_max(T a, T b) {
  return (a != a || a > b) ? a : b;
}

}  // namespace athanor::optim::detail
