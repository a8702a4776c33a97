// src/ops/index.cpp: index_select, gather and scatter_add (primitives whose gradients are each
// other's scatter or gather), and one_hot.
#include <string>
#include <vector>

#include <athanor/ops/compare.h>
#include <athanor/ops/index.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

void check_index_dtype(const char* op, const Tensor& index) {
  ATHANOR_CHECK(index.dtype() == kInt64, "{}: expected an int64 index tensor, got {}", op,
                index.dtype());
}

// "3" for a 1-D index, "[0, 1]" for higher ranks: where flat element `flat` of `shape` sits.
std::string position_string(const Shape& shape, int64_t flat) {
  if (shape.rank() <= 1) return fmt::format("{}", flat);
  std::vector<int64_t> at(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    at[static_cast<size_t>(d)] = flat % shape[d];
    flat /= shape[d];
  }
  return fmt::format("[{}]", fmt::join(at, ", "));
}

// Every index within [0, size), or an error naming the first offender.
void check_index_range(const char* op, const Tensor& index, int64_t size, int dim) {
  const auto values = index.to_vector<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) {
    ATHANOR_CHECK(values[i] >= 0 && values[i] < size,
                  "{}: index {} (at position {}) is out of range for dimension {} of size {}; "
                  "expected 0 <= index < {}",
                  op, values[i], position_string(index.shape(), static_cast<int64_t>(i)), dim, size,
                  size);
  }
}

// gather/scatter_add shapes: index has x's rank, and no larger sizes than `x` outside dim.
void check_gather_shapes(const char* op, const Tensor& x, const Tensor& index, int d) {
  ATHANOR_CHECK(index.dim() == x.dim(),
                "{}: index has shape {} but the tensor has shape {}; expected the same number of "
                "dimensions",
                op, index.shape(), x.shape());
  for (int k = 0; k < x.dim(); ++k) {
    ATHANOR_CHECK(k == d || index.shape()[k] <= x.shape()[k],
                  "{}: index has shape {}, larger than the tensor's {} in dimension {}", op,
                  index.shape(), x.shape(), k);
  }
}

}  // namespace

Tensor index_select(const Tensor& x, int dim, const Tensor& index) {
  check_index_dtype("index_select", index);
  ATHANOR_CHECK(index.dim() <= 1, "index_select: expected a 1-D index, got shape {}",
                index.shape());
  // Detached: x1 only supplies the data and shapes, so no graph is recorded for it.
  const Tensor x1 = x.dim() == 0 ? reshape(x.detach(), Shape{1}) : x.detach();
  const int d = normalize_dim(dim, x1.dim(), "index_select");
  const Tensor idx = contiguous(reshape(index, Shape{-1}));
  check_index_range("index_select", idx, x1.shape()[d], d);
  Shape shape = x1.shape();
  shape[d] = idx.numel();
  const Tensor src = contiguous(x1);
  Tensor out = empty(shape, x.dtype(), x.device());
  kernels_for(x, "index_select")
      .index_select(kernel_view(src), d, kernel_view(idx), kernel_view(out));
  // The gradient adds each selected row back where it came from (repeats accumulate).
  return with_backward("index_select", out, {x},
                       [d, idx, x_shape = x1.shape(), in_shape = x.shape()](const Tensor& dy) {
                         Tensor dx = zeros(x_shape, dy.dtype(), dy.device());
                         const Tensor g = contiguous(dy);
                         kernels_for(dx, "index_select")
                             .index_add(kernel_view(dx), d, kernel_view(idx), kernel_view(g));
                         return Grads{reshape(dx, in_shape)};
                       });
}

Tensor gather(const Tensor& x, int dim, const Tensor& index) {
  check_index_dtype("gather", index);
  const int d = normalize_dim(dim, x.dim(), "gather");
  check_gather_shapes("gather", x, index, d);
  check_index_range("gather", index, x.shape()[d], d);
  Tensor out = empty(index.shape(), x.dtype(), x.device());
  kernels_for(x, "gather").gather(kernel_view(x), d, kernel_view(index), kernel_view(out));
  return with_backward("gather", out, {x}, [d, index, x_shape = x.shape()](const Tensor& dy) {
    return Grads{scatter_add(zeros(x_shape, dy.dtype(), dy.device()), d, index, dy)};
  });
}

Tensor scatter_add(const Tensor& x, int dim, const Tensor& index, const Tensor& src) {
  check_index_dtype("scatter_add", index);
  const int d = normalize_dim(dim, x.dim(), "scatter_add");
  check_gather_shapes("scatter_add", x, index, d);
  ATHANOR_CHECK(src.dim() == index.dim(),
                "scatter_add: src has shape {} and index {}; expected the same number of "
                "dimensions",
                src.shape(), index.shape());
  for (int k = 0; k < src.dim(); ++k) {
    ATHANOR_CHECK(index.shape()[k] <= src.shape()[k],
                  "scatter_add: index has shape {}, larger than src's {} in dimension {}",
                  index.shape(), src.shape(), k);
  }
  check_index_range("scatter_add", index, x.shape()[d], d);
  ATHANOR_CHECK(x.dtype() == src.dtype(), "scatter_add: x is {} but src is {}", x.dtype(),
                src.dtype());
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  out.copy_(x);
  kernels_for(x, "scatter_add")
      .scatter_add(kernel_view(out), d, kernel_view(index), kernel_view(src));
  // d out / d x = identity; d out / d src = gather of dy at the same positions.
  return with_backward("scatter_add", out, {x, src},
                       [d, index, src_shape = src.shape()](const Tensor& dy) {
                         Tensor ds = zeros(src_shape, dy.dtype(), dy.device());
                         Tensor picked = gather(dy, d, index);
                         Shape s = index.shape();
                         ds.as_strided(s, ds.strides(), 0).copy_(picked);
                         return Grads{dy, ds};
                       });
}

Tensor one_hot(const Tensor& ids, int64_t num_classes) {
  ATHANOR_CHECK(ids.dtype() == kInt64, "one_hot: expected int64 class ids, got {}", ids.dtype());
  const auto values = ids.to_vector<int64_t>();
  int64_t hi = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    ATHANOR_CHECK(values[i] >= 0, "one_hot: class id {} (at position {}) is negative", values[i],
                  i);
    hi = std::max(hi, values[i]);
  }
  if (num_classes < 0) num_classes = hi + 1;
  ATHANOR_CHECK(hi < num_classes, "one_hot: class id {} is out of range for {} classes", hi,
                num_classes);
  return to(eq(unsqueeze(ids, -1), arange(num_classes)), kInt64);
}

}  // namespace athanor
