// include/athanor/ops/shape.h: views and copies as free functions (the Tensor members call these).
#pragma once

#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// A view when the layout allows, else a copy. One dimension may be -1 (inferred).
Tensor reshape(const Tensor& x, const Shape& shape);
/// Always a view; throws when the strides cannot express `shape`.
Tensor view(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int start_dim = 0, int end_dim = -1);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int dim);
Tensor unsqueeze(const Tensor& x, int dim);
Tensor transpose(const Tensor& x, int dim0, int dim1);
Tensor permute(const Tensor& x, const std::vector<int>& dims);
Tensor narrow(const Tensor& x, int dim, int64_t start, int64_t length);
Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end, int64_t step = 1);
Tensor select(const Tensor& x, int dim, int64_t index);
/// Size-1 dimensions (and missing leading ones) repeated to `shape` without copying; -1 keeps a
/// size.
Tensor expand(const Tensor& x, const Shape& shape);
/// x itself when contiguous, else a contiguous copy.
Tensor contiguous(const Tensor& x);
/// A contiguous copy that owns its storage.
Tensor clone(const Tensor& x);
/// A copy converted to `dtype` (x itself when it already has it).
Tensor to(const Tensor& x, DType dtype);

}  // namespace athanor
