// src/ops/embedding.cpp: embedding, a row lookup whose gradient scatter-adds into the rows used.
#include <vector>

#include <athanor/autograd/node.h>
#include <athanor/ops/embedding.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<int64_t> padding_idx) {
  ATHANOR_CHECK(indices.dtype() == kInt64, "embedding: expected int64 indices, got {}",
                indices.dtype());
  ATHANOR_CHECK(weight.dim() == 2,
                "embedding: expected a weight of shape [num_embeddings, embedding_dim], got {}",
                weight.shape());
  ops::check_floating("embedding", weight);
  const int64_t rows = weight.shape(0), dim = weight.shape(1);
  if (padding_idx) {
    ATHANOR_CHECK(*padding_idx >= -rows && *padding_idx < rows,
                  "embedding: padding_idx {} is out of range for {} embeddings; expected "
                  "-{} <= padding_idx < {}",
                  *padding_idx, rows, rows, rows);
    if (*padding_idx < 0) *padding_idx += rows;
  }
  const Tensor idx = contiguous(reshape(indices.detach(), Shape{-1}));
  const auto values = idx.to_vector<int64_t>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] >= 0 && values[i] < rows) continue;
    // Name the position in the caller's shape: [1, 2] rather than the flat 5.
    std::vector<int64_t> pos(static_cast<size_t>(indices.dim()));
    int64_t rem = static_cast<int64_t>(i);
    for (int d = indices.dim() - 1; d >= 0; --d) {
      pos[static_cast<size_t>(d)] = rem % indices.shape(d);
      rem /= indices.shape(d);
    }
    ATHANOR_CHECK(false,
                  "embedding: index {} at position [{}] is out of range for {} embeddings; "
                  "expected 0 <= index < {}",
                  values[i], fmt::join(pos, ", "), rows, rows);
  }
  const Tensor w = contiguous(weight.detach());
  Tensor out = empty(Shape{idx.numel(), dim}, weight.dtype(), weight.device());
  kernels_for(weight, "embedding")
      .index_select(kernel_view(w), 0, kernel_view(idx), kernel_view(out));
  Shape out_shape = indices.shape();
  out_shape.push_back(dim);
  out = reshape(out, out_shape);
  // dweight[idx[k]] += dy[k] for every looked-up position k, serially in k (a fixed order, so
  // repeated ids sum the same way for any thread count); the padding row is then cleared.
  return with_backward("embedding", out, {weight},
                       [idx, rows, dim, padding_idx, n = idx.numel()](const Tensor& dy) {
                         Tensor dw = zeros(Shape{rows, dim}, dy.dtype(), dy.device());
                         const Tensor g = contiguous(reshape(dy, Shape{n, dim}));
                         kernels_for(dw, "embedding")
                             .index_add(kernel_view(dw), 0, kernel_view(idx), kernel_view(g));
                         if (padding_idx) dw.select(0, *padding_idx).zero_();
                         return Grads{dw};
                       });
}

}  // namespace athanor
