// src/ops/embedding_test.cpp: embedding: row lookup for indices of any shape, gradients that
// accumulate into the rows used (repeats add up, the padding row gets none), a gradient check,
// and index, padding_idx and dtype errors.
#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/embedding.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

// weight[r] = [10 r, 10 r + 1, 10 r + 2].
Tensor table() {
  return Tensor::from(
      {{0.0, 1.0, 2.0}, {10.0, 11.0, 12.0}, {20.0, 21.0, 22.0}, {30.0, 31.0, 32.0}});
}

TEST(Embedding, PicksRowsForIndicesOfAnyShape) {
  const Tensor ids = Tensor::from({{3, 0}, {1, 3}});
  const Tensor y = embedding(ids, table());
  EXPECT_EQ(y.shape(), (Shape{2, 2, 3}));
  EXPECT_TENSOR_EQ(y, Tensor::from({{{30.0, 31.0, 32.0}, {0.0, 1.0, 2.0}},
                                    {{10.0, 11.0, 12.0}, {30.0, 31.0, 32.0}}}));
  EXPECT_EQ(embedding(Tensor::from({2}), table()).shape(), (Shape{1, 3}));
  EXPECT_EQ(embedding(scalar_tensor(2, kInt64), table()).shape(), (Shape{3}));
}

TEST(Embedding, GradientAddsIntoTheRowsUsedAndSkipsThePaddingRow) {
  Tensor w = table().set_requires_grad();
  const Tensor ids = Tensor::from({{3, 0, 3}, {2, 3, 0}});
  const Tensor dy = reshape(arange(0, 18, 1, kFloat64), {2, 3, 3});
  sum(embedding(ids, w, 0) * dy).backward();
  // Row 3 is used at positions (0,0), (0,2), (1,1): dy rows 0, 2, 4 summed; row 2 at (1,0);
  // row 0 is the padding row; row 1 is unused.
  EXPECT_TENSOR_EQ(w.grad(), Tensor::from({{0.0, 0.0, 0.0},
                                           {0.0, 0.0, 0.0},
                                           {9.0, 10.0, 11.0},
                                           {0.0 + 6 + 12, 1.0 + 7 + 13, 2.0 + 8 + 14}}));
}

TEST(Embedding, NegativePaddingIdxCountsFromTheEnd) {
  Tensor w = table().set_requires_grad();
  sum(embedding(Tensor::from({3, 1}), w, -1)).backward();
  EXPECT_TENSOR_EQ(
      w.grad(), Tensor::from({{0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}}));
}

// Without padding_idx: with it, the padding row's gradient is zero by definition (PyTorch's
// semantics), not the derivative; GradientAddsIntoTheRowsUsedAndSkipsThePaddingRow covers that.
TEST(Embedding, BackwardMatchesFiniteDifferences) {
  const Tensor ids = Tensor::from({{1, 4, 1}, {0, 4, 2}});
  expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) { return embedding(ids, in[0]); },
      {random_normal({5, 3})});
}

TEST(Embedding, NamesTheBadIndexAndItsPosition) {
  EXPECT_THROW_WITH_MESSAGE(embedding(Tensor::from({{0, 1}, {4, 2}}), table()),
                            "embedding: index 4 at position [1, 0] is out of range for 4 "
                            "embeddings; expected 0 <= index < 4");
  EXPECT_THROW_WITH_MESSAGE(embedding(Tensor::from({-1}), table()),
                            "embedding: index -1 at position [0] is out of range");
  EXPECT_THROW_WITH_MESSAGE(embedding(Tensor::from({1}), table(), 4),
                            "embedding: padding_idx 4 is out of range for 4 embeddings; expected "
                            "-4 <= padding_idx < 4");
  EXPECT_THROW_WITH_MESSAGE(embedding(Tensor::from({1.0}), table()),
                            "embedding: expected int64 indices, got float64");
  EXPECT_THROW_WITH_MESSAGE(embedding(Tensor::from({1}), Tensor::from({1.0, 2.0})),
                            "embedding: expected a weight of shape [num_embeddings, "
                            "embedding_dim], got [2]");
}

}  // namespace
}  // namespace athanor
