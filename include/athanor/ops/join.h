// include/athanor/ops/join.h: joining tensors and splitting them.
#pragma once

#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Joins tensors of equal shape except along `dim`.
Tensor concat(const std::vector<Tensor>& tensors, int dim = 0);
/// Joins tensors of equal shape along a new dimension `dim`.
Tensor stack(const std::vector<Tensor>& tensors, int dim = 0);
/// Views of consecutive pieces of `split_size` along `dim` (the last may be shorter).
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int dim = 0);
/// Views of pieces with the given sizes along `dim` (they must add up to x.shape(dim)).
std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int dim = 0);
/// `chunks` views of (nearly) equal size along `dim`.
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int dim = 0);

}  // namespace athanor
