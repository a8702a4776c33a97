// include/athanor/ops/compare.h: comparisons (bool results), where and clamp.
#pragma once

#include <optional>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Elementwise comparisons with broadcasting; the result is a bool tensor with no gradient.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, double b);
Tensor operator<=(const Tensor& a, double b);
Tensor operator>(const Tensor& a, double b);
Tensor operator>=(const Tensor& a, double b);
Tensor logical_not(const Tensor& x);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);

/// a where cond is true, else b (cond: bool; all three broadcast together).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, double b);
Tensor where(const Tensor& cond, double a, const Tensor& b);

/// x limited to [min, max] (either bound may be absent); the gradient is 1 inside the bounds,
/// including on them, and 0 outside.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);

}  // namespace athanor
