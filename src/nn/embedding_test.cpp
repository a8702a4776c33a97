// src/nn/embedding_test.cpp: Embedding: PyTorch's initialization (N(0, 1), padding row zeroed),
// lookups, the padding row kept out of training, printing, state-dict name, and errors.
#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/embedding.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/matchers.h"

namespace athanor::nn {
namespace {

TEST(EmbeddingModule, StartsStandardNormalWithThePaddingRowZeroed) {
  manual_seed(5);
  const Embedding emb(2000, 16, 7);
  EXPECT_EQ(emb.weight.shape(), (Shape{2000, 16}));
  EXPECT_TENSOR_EQ(emb.weight.select(0, 7), zeros({16}));
  EXPECT_NEAR(mean(emb.weight).item(), 0.0, 0.02);
  EXPECT_NEAR(mean(emb.weight * emb.weight).item(), 1.0, 0.03);
  EXPECT_EQ(emb.state_dict().keys(), (std::vector<std::string>{"weight"}));
}

TEST(EmbeddingModule, LooksUpRowsAndNeverTrainsThePaddingRow) {
  Embedding emb(5, 2, -1);  // the last row pads
  EXPECT_EQ(emb.padding_idx(), 4);
  emb.weight.set_data(reshape(arange(0, 10, 1, kFloat32), {5, 2}));
  const Tensor ids = Tensor::from({{4, 1}, {1, 0}});
  const Tensor y = emb(ids);
  EXPECT_TENSOR_EQ(y, Tensor::from({{{8.0f, 9.0f}, {2.0f, 3.0f}}, {{2.0f, 3.0f}, {0.0f, 1.0f}}}));
  sum(y).backward();
  EXPECT_TENSOR_EQ(
      emb.weight.grad(),
      Tensor::from({{1.0f, 1.0f}, {2.0f, 2.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}, {0.0f, 0.0f}}));
}

TEST(EmbeddingModule, PrintsLikePyTorch) {
  EXPECT_EQ(Embedding(10, 3, 2).to_string(), "Embedding(10, 3, padding_idx=2)");
  EXPECT_EQ(Embedding(10, 3, -1).to_string(), "Embedding(10, 3, padding_idx=9)");
  EXPECT_EQ(Embedding(10, 3).to_string(), "Embedding(10, 3)");
}

TEST(EmbeddingModule, NamesWhatIsWrong) {
  Embedding emb(4, 2);
  EXPECT_THROW_WITH_MESSAGE(emb(Tensor::from({1.0f, 2.0f})),
                            "Embedding: expected int64 indices, got float32 (input shape [2])");
  EXPECT_THROW_WITH_MESSAGE(emb(Tensor::from({{0, 4}})),
                            "embedding: index 4 at position [0, 1] is out of range for 4 "
                            "embeddings; expected 0 <= index < 4");
  EXPECT_THROW_WITH_MESSAGE(Embedding(4, 2, 4),
                            "Embedding: padding_idx 4 is out of range for 4 embeddings; expected "
                            "-4 <= padding_idx < 4");
  EXPECT_THROW_WITH_MESSAGE(Embedding(0, 2),
                            "Embedding: num_embeddings and embedding_dim must be "
                            "positive, got 0 and 2");
}

}  // namespace
}  // namespace athanor::nn
