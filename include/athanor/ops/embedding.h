// include/athanor/ops/embedding.h: looking up rows of an embedding table by integer ids.
#pragma once

#include <cstdint>
#include <optional>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// The rows of `weight` [num_embeddings, D] picked by int64 `indices` of any shape:
/// [*indices.shape, D]. Every index must lie in [0, num_embeddings). The gradient adds each row of
/// dy into the row it came from (repeats accumulate, in index order; no one-hot is formed); the
/// row `padding_idx` (negative counts from the end) gets none, as PyTorch's F.embedding.
Tensor embedding(const Tensor& indices, const Tensor& weight,
                 std::optional<int64_t> padding_idx = {});

}  // namespace athanor
