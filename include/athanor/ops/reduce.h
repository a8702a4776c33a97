// include/athanor/ops/reduce.h: reductions over all elements or over dimensions.
//
// `dims` may be negative (counting from the end); an empty `dims` reduces every dimension.
// With keepdim the reduced dimensions stay with size 1.
#pragma once

#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Sum; integer and bool inputs sum into int64.
Tensor sum(const Tensor& x, const std::vector<int>& dims = {}, bool keepdim = false);
/// Arithmetic mean (floating inputs only).
Tensor mean(const Tensor& x, const std::vector<int>& dims = {}, bool keepdim = false);
/// Variance with Bessel's correction by default (divides by N - correction).
Tensor var(const Tensor& x, const std::vector<int>& dims = {}, int64_t correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& x, const std::vector<int>& dims = {}, int64_t correction = 1,
           bool keepdim = false);
/// log(sum(exp(x))) computed stably.
Tensor logsumexp(const Tensor& x, const std::vector<int>& dims, bool keepdim = false);

/// The largest element (a 0-d tensor); the gradient is split evenly among tied maxima.
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);

/// Values and int64 positions of the extreme elements along one dimension.
struct ValuesIndices {
  Tensor values;
  Tensor indices;
};
ValuesIndices max(const Tensor& x, int dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, int dim, bool keepdim = false);
/// Largest / smallest values over `dims` (no indices); the gradient is split evenly among tied
/// extremes, as PyTorch's amax does.
Tensor amax(const Tensor& x, const std::vector<int>& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<int>& dims, bool keepdim = false);
/// Position of the largest element in row-major order (0-d int64), or along `dim`.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, int dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, int dim, bool keepdim = false);

/// `g` summed over the dimensions along which `shape` was broadcast to g's shape: the gradient
/// of a broadcast.
Tensor sum_to(const Tensor& g, const Shape& shape);

}  // namespace athanor
