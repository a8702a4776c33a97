// include/athanor/nn/embedding.h: Embedding, a lookup table of learned vectors.
#pragma once

#include <cstdint>
#include <optional>

#include <athanor/nn/module.h>

namespace athanor::nn {

/// int64 ids of any shape [*] -> their rows of `weight` [num_embeddings, embedding_dim]:
/// [*, embedding_dim]. weight starts as PyTorch's: N(0, 1), with the row padding_idx zeroed; that
/// row never receives a gradient (negative padding_idx counts from the end, as PyTorch).
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = {},
            DType dtype = kFloat32);

  Tensor forward(const Tensor& indices) override;
  std::string type_name() const override { return "Embedding"; }
  std::string extra_repr() const override;

  int64_t num_embeddings() const { return num_embeddings_; }
  int64_t embedding_dim() const { return embedding_dim_; }
  /// In [0, num_embeddings) when set.
  std::optional<int64_t> padding_idx() const { return padding_idx_; }

  Tensor weight;

 private:
  int64_t num_embeddings_;
  int64_t embedding_dim_;
  std::optional<int64_t> padding_idx_;
};

}  // namespace athanor::nn
