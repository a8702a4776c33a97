// src/ops/reduce.cpp: sum, max and min over dimensions (primitives), and the reductions composed
// from them: mean, var, std, logsumexp, amax, amin, argmax, argmin, sum_to.
//
// The kernel reduces a contiguous block of dimensions of a contiguous tensor; any other set of
// dimensions is first permuted to the end (one copy).
#include <algorithm>
#include <cmath>

#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/index.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {

using backend::ReduceOp;

namespace {

// Sorted, unique, non-negative dims; all of them when `dims` is empty.
std::vector<int> normalize_dims(const std::vector<int>& dims, int rank, const char* op) {
  std::vector<int> out;
  if (dims.empty()) {
    for (int d = 0; d < rank; ++d) out.push_back(d);
    return out;
  }
  for (int d : dims) out.push_back(normalize_dim(d, rank, op));
  std::sort(out.begin(), out.end());
  ATHANOR_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(),
                "{}: dimension listed twice in [{}]", op, fmt::join(dims, ", "));
  return out;
}

Shape keepdim_shape(const Shape& shape, const std::vector<int>& dims) {
  Shape s = shape;
  for (int d : dims) s[d] = 1;
  return s;
}

Shape reduced_shape(const Shape& shape, const std::vector<int>& dims) {
  Shape s;
  for (int d = 0; d < shape.rank(); ++d) {
    if (!std::binary_search(dims.begin(), dims.end(), d)) s.push_back(shape[d]);
  }
  return s;
}

// The kernel call, outside autograd: x reduced over sorted `dims` (x has rank >= 1), result in
// keepdim layout. `indices` (if given) receives int64 positions; only for a single dim.
Tensor reduce_raw(const char* op, ReduceOp kind, const Tensor& x, const std::vector<int>& dims,
                  Tensor* indices) {
  const bool block = dims.back() - dims.front() + 1 == static_cast<int>(dims.size());
  Tensor src = x.detach();
  int begin = dims.front(), end = dims.back() + 1;
  if (!block) {
    std::vector<int> perm;
    for (int d = 0; d < x.dim(); ++d)
      if (!std::binary_search(dims.begin(), dims.end(), d)) perm.push_back(d);
    begin = static_cast<int>(perm.size());
    perm.insert(perm.end(), dims.begin(), dims.end());
    src = permute(src, perm);
    end = x.dim();
  }
  src = contiguous(src);
  const Shape out_shape = keepdim_shape(x.shape(), dims);
  Tensor out = empty(out_shape, x.dtype(), x.device());
  backend::View iv;
  if (indices) {
    *indices = empty(out_shape, kInt64, x.device());
    iv = kernel_view(*indices);
  }
  // A sum over no elements is 0; a maximum or minimum over none is undefined. (An empty tensor
  // reduced over non-empty dimensions just gives an empty result.)
  for (int d : dims) {
    ATHANOR_CHECK(kind == ReduceOp::kSum || x.shape()[d] > 0,
                  "{}: dimension {} of shape {} is empty, and the {} of no elements is undefined",
                  op, d, x.shape(), kind == ReduceOp::kMax ? "maximum" : "minimum");
  }
  kernels_for(x, op).reduce(kind, kernel_view(src), begin, end, kernel_view(out),
                            indices ? &iv : nullptr);
  return out;
}

// x as rank >= 1 (a 0-d tensor becomes [1]).
Tensor at_least_1d(const Tensor& x) { return x.dim() == 0 ? reshape(x, Shape{1}) : x; }

// Shared by amax and amin: the gradient is split evenly among the tied extremes.
Tensor extreme_over(const char* op, ReduceOp kind, const Tensor& x0, const std::vector<int>& dims0,
                    bool keepdim) {
  const Tensor x = at_least_1d(x0.detach());
  const auto dims = normalize_dims(dims0, x.dim(), op);
  const Tensor kept = reduce_raw(op, kind, x, dims, nullptr);
  Tensor y = keepdim ? kept : reshape(kept.detach(), reduced_shape(x.shape(), dims));
  if (x0.dim() == 0) y = reshape(y.detach(), Shape{});
  return with_backward(op, y, {x0}, [x0, kept, dims](const Tensor& dy) {
    const Tensor at = to(eq(at_least_1d(x0), kept), dy.dtype());
    const Tensor share = at / sum(at, dims, /*keepdim=*/true);
    const Tensor g = reshape(dy, kept.shape()) * share;
    return Grads{reshape(g, x0.shape())};
  });
}

ValuesIndices extreme_along(const char* op, ReduceOp kind, const Tensor& x0, int dim,
                            bool keepdim) {
  const Tensor x = at_least_1d(x0.detach());
  const int d = normalize_dim(dim, x.dim(), op);
  Tensor indices;
  const Tensor kept = reduce_raw(op, kind, x, {d}, &indices);
  Tensor values = keepdim ? kept : reshape(kept.detach(), reduced_shape(x.shape(), {d}));
  if (!keepdim) indices = reshape(indices, reduced_shape(x.shape(), {d}));
  if (x0.dim() == 0)
    values = reshape(values.detach(), Shape{}), indices = reshape(indices, Shape{});
  Tensor kept_indices = reshape(indices, kept.shape());
  values = with_backward(op, values, {x0}, [x0, d, kept_indices](const Tensor& dy) {
    const Tensor dx = scatter_add(zeros(at_least_1d(x0).shape(), dy.dtype(), dy.device()), d,
                                  kept_indices, reshape(dy, kept_indices.shape()));
    return Grads{reshape(dx, x0.shape())};
  });
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x0, const std::vector<int>& dims0, bool keepdim) {
  Tensor x = at_least_1d(x0.detach());
  if (!x.is_floating_point() && x.dtype() != kInt64) x = to(x, kInt64);
  const auto dims = normalize_dims(dims0, x.dim(), "sum");
  Tensor y = reduce_raw("sum", ReduceOp::kSum, x, dims, nullptr);
  // A 0-d input gives a 0-d sum, keepdim or not (as in PyTorch).
  if (x0.dim() == 0) {
    y = reshape(y, Shape{});
  } else if (!keepdim) {
    y = reshape(y, reduced_shape(x.shape(), dims));
  }
  // d sum = dy broadcast back over the reduced dims.
  return with_backward("sum", y, {x0},
                       [in_shape = x0.shape(), x_shape = x.shape(),
                        kept = keepdim_shape(x.shape(), dims)](const Tensor& dy) {
                         return Grads{reshape(expand(reshape(dy, kept), x_shape), in_shape)};
                       });
}

Tensor mean(const Tensor& x, const std::vector<int>& dims0, bool keepdim) {
  ops::check_floating("mean", x);
  const auto dims = normalize_dims(dims0, std::max(x.dim(), 1), "mean");
  int64_t n = 1;
  for (int d : dims) n *= x.dim() == 0 ? 1 : x.shape()[d];
  return sum(x, dims0, keepdim) / static_cast<double>(n);
}

Tensor var(const Tensor& x, const std::vector<int>& dims0, int64_t correction, bool keepdim) {
  ops::check_floating("var", x);
  const auto dims = normalize_dims(dims0, std::max(x.dim(), 1), "var");
  int64_t n = 1;
  for (int d : dims) n *= x.dim() == 0 ? 1 : x.shape()[d];
  const Tensor centered = x - mean(x, dims0, /*keepdim=*/true);
  const double denom = static_cast<double>(std::max<int64_t>(n - correction, 0));
  return sum(centered * centered, dims0, keepdim) / denom;
}

Tensor std(const Tensor& x, const std::vector<int>& dims, int64_t correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

Tensor logsumexp(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  ops::check_floating("logsumexp", x);
  // m + log(sum(exp(x - m))) with m the (constant) maximum; an all -inf row keeps m = 0.
  Tensor m = amax(x.detach(), dims, /*keepdim=*/true);
  m = where(eq(abs(m), scalar_like(m, INFINITY)), 0.0, m);
  Tensor s = log(sum(exp(x - m), dims, /*keepdim=*/true)) + m;
  if (keepdim || x.dim() == 0) return s;
  return reshape(s, reduced_shape(x.shape(), normalize_dims(dims, x.dim(), "logsumexp")));
}

Tensor amax(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  return extreme_over("amax", ReduceOp::kMax, x, dims, keepdim);
}
Tensor amin(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  return extreme_over("amin", ReduceOp::kMin, x, dims, keepdim);
}
Tensor max(const Tensor& x) { return extreme_over("max", ReduceOp::kMax, x, {}, false); }
Tensor min(const Tensor& x) { return extreme_over("min", ReduceOp::kMin, x, {}, false); }

ValuesIndices max(const Tensor& x, int dim, bool keepdim) {
  return extreme_along("max", ReduceOp::kMax, x, dim, keepdim);
}
ValuesIndices min(const Tensor& x, int dim, bool keepdim) {
  return extreme_along("min", ReduceOp::kMin, x, dim, keepdim);
}

Tensor argmax(const Tensor& x) {
  return extreme_along("argmax", ReduceOp::kMax, reshape(x.detach(), Shape{-1}), 0, false).indices;
}
Tensor argmax(const Tensor& x, int dim, bool keepdim) {
  return extreme_along("argmax", ReduceOp::kMax, x.detach(), dim, keepdim).indices;
}
Tensor argmin(const Tensor& x) {
  return extreme_along("argmin", ReduceOp::kMin, reshape(x.detach(), Shape{-1}), 0, false).indices;
}
Tensor argmin(const Tensor& x, int dim, bool keepdim) {
  return extreme_along("argmin", ReduceOp::kMin, x.detach(), dim, keepdim).indices;
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  const int lead = g.dim() - shape.rank();
  ATHANOR_CHECK(lead >= 0, "sum_to: cannot sum shape {} to the larger shape {}", g.shape(), shape);
  std::vector<int> dims;
  for (int d = 0; d < g.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
      continue;
    }
    const int64_t want = shape[d - lead];
    ATHANOR_CHECK(want == g.shape()[d] || want == 1, "sum_to: shape {} does not broadcast to {}",
                  shape, g.shape());
    if (want == 1 && g.shape()[d] != 1) dims.push_back(d);
  }
  if (dims.empty()) return reshape(g, shape);
  return reshape(sum(g, dims, /*keepdim=*/true), shape);
}

}  // namespace athanor
