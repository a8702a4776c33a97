// src/nn/embedding.cpp: Embedding.
#include <fmt/format.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/nn/embedding.h>
#include <athanor/nn/init.h>
#include <athanor/ops/embedding.h>

namespace athanor::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim,
                     std::optional<int64_t> padding_idx, DType dtype)
    : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {
  ATHANOR_CHECK(num_embeddings > 0 && embedding_dim > 0,
                "Embedding: num_embeddings and embedding_dim must be positive, got {} and {}",
                num_embeddings, embedding_dim);
  if (padding_idx) {
    ATHANOR_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings,
                  "Embedding: padding_idx {} is out of range for {} embeddings; expected -{} <= "
                  "padding_idx < {}",
                  *padding_idx, num_embeddings, num_embeddings, num_embeddings);
    padding_idx_ = *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
  }
  weight = register_parameter("weight", empty(Shape{num_embeddings, embedding_dim}, dtype));
  init::normal_(weight);
  if (padding_idx_) {
    NoGradGuard no_grad;
    weight.select(0, *padding_idx_).zero_();
  }
}

Tensor Embedding::forward(const Tensor& indices) {
  ATHANOR_CHECK(indices.dtype() == kInt64,
                "Embedding: expected int64 indices, got {} (input shape {})", indices.dtype(),
                indices.shape());
  return embedding(indices, weight, padding_idx_);
}

std::string Embedding::extra_repr() const {
  std::string s = fmt::format("{}, {}", num_embeddings_, embedding_dim_);
  if (padding_idx_) s += fmt::format(", padding_idx={}", *padding_idx_);
  return s;
}

}  // namespace athanor::nn
