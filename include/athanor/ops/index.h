// include/athanor/ops/index.h: selecting and scattering by int64 indices.
#pragma once

#include <athanor/tensor/tensor.h>

namespace athanor {

/// The entries `index` (1-D int64) of dimension `dim`: out.shape(dim) == index.numel().
Tensor index_select(const Tensor& x, int dim, const Tensor& index);
/// out[i][j] = x[i][index[i][j]] for dim 1 (and likewise for other dims); index has x's rank and
/// sizes no larger than x's outside `dim`.
Tensor gather(const Tensor& x, int dim, const Tensor& index);
/// A copy of x with src[i][j] added at x[i][index[i][j]] (dim 1; likewise for other dims);
/// colliding indices accumulate.
Tensor scatter_add(const Tensor& x, int dim, const Tensor& index, const Tensor& src);
/// Integer class ids -> int64 one-hot rows: shape [..., num_classes]. num_classes < 0 means
/// max(ids) + 1.
Tensor one_hot(const Tensor& ids, int64_t num_classes = -1);

}  // namespace athanor
