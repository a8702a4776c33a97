// src/ops/join_test.cpp: concat, stack, split and chunk: values, dtype promotion, empty pieces,
// strided inputs, views, errors and gradients.
#include <string>

#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

Tensor iota(const Shape& shape, double start = 0) {
  return arange(start, start + static_cast<double>(shape.numel()), 1, kFloat64).reshape(shape);
}

// The pieces' shapes as one readable string: "[2, 2] [1, 2]".
std::string shapes_of(const std::vector<Tensor>& ts) {
  std::string out;
  for (const Tensor& t : ts) out += (out.empty() ? "" : " ") + to_string(t.shape());
  return out;
}

TEST(Concat, AlongEachDimension) {
  const Tensor a = iota({2, 2}), b = iota({1, 2}, 10);
  EXPECT_TENSOR_EQ(concat({a, b}), Tensor::from({{0.0, 1.0}, {2.0, 3.0}, {10.0, 11.0}}));
  const Tensor c = iota({2, 3}, 20);
  EXPECT_TENSOR_EQ(concat({a, c}, 1),
                   Tensor::from({{0.0, 1.0, 20.0, 21.0, 22.0}, {2.0, 3.0, 23.0, 24.0, 25.0}}));
  EXPECT_TENSOR_EQ(concat({a, c}, -1), concat({a, c}, 1));
  EXPECT_TENSOR_EQ(concat({a}), a);
  // Three 3-D pieces along the middle dimension.
  const Tensor x = iota({2, 1, 2}), y = iota({2, 2, 2}, 10), z = iota({2, 1, 2}, 20);
  const Tensor xyz = concat({x, y, z}, 1);
  ASSERT_EQ(xyz.shape(), (Shape{2, 4, 2}));
  EXPECT_TENSOR_EQ(xyz.select(0, 1),
                   Tensor::from({{2.0, 3.0}, {14.0, 15.0}, {16.0, 17.0}, {22.0, 23.0}}));
}

TEST(Concat, EmptyPiecesStridedInputsAndPromotion) {
  const Tensor a = iota({2, 3});
  EXPECT_TENSOR_EQ(concat({zeros({0, 3}, kFloat64), a, zeros({0, 3}, kFloat64)}), a);
  EXPECT_EQ(concat({zeros({2, 0}), zeros({2, 0})}, 1).shape(), (Shape{2, 0}));
  // A transposed and an expanded input.
  EXPECT_TENSOR_EQ(concat({a.t(), Tensor::from({{7.0, 8.0}}).expand({2, 2})}),
                   Tensor::from({{0.0, 3.0}, {1.0, 4.0}, {2.0, 5.0}, {7.0, 8.0}, {7.0, 8.0}}));
  // int64 and float32 promote to float32; bool and int64 to int64.
  const Tensor mixed = concat({Tensor::from({1, 2}), Tensor::from({0.5f})});
  EXPECT_TENSOR_EQ(mixed, Tensor::from({1.0f, 2.0f, 0.5f}));
  EXPECT_TENSOR_EQ(concat({Tensor::from({true}), Tensor::from({3})}), Tensor::from({1, 3}));
  // The result owns new storage.
  const Tensor out = concat({a});
  EXPECT_NE(out.storage(), a.storage());
}

TEST(Concat, Errors) {
  EXPECT_THROW_WITH_MESSAGE(concat({}), "concat: expected at least one tensor");
  EXPECT_THROW_WITH_MESSAGE(concat({scalar_tensor(1.0), scalar_tensor(2.0)}),
                            "concat: cannot concatenate 0-dimensional tensors");
  EXPECT_THROW_WITH_MESSAGE(concat({zeros({2, 3}), zeros({2, 4})}),
                            "concat: tensor 1 has shape [2, 4], but tensor 0 has shape [2, 3]; "
                            "expected equal sizes except in dimension 0");
  EXPECT_THROW_WITH_MESSAGE(concat({zeros({2, 3}), zeros({2, 3, 1})}, 1),
                            "concat: tensor 1 has shape [2, 3, 1], but tensor 0 has shape [2, 3]");
  EXPECT_THROW_WITH_MESSAGE(concat({zeros({2, 3})}, 2),
                            "concat: dimension 2 is out of range for a tensor of 2 dimensions");
}

TEST(Stack, JoinsAlongANewDimension) {
  const Tensor a = Tensor::from({1.0, 2.0, 3.0}), b = Tensor::from({4.0, 5.0, 6.0});
  EXPECT_TENSOR_EQ(stack({a, b}), Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  EXPECT_TENSOR_EQ(stack({a, b}, 1), Tensor::from({{1.0, 4.0}, {2.0, 5.0}, {3.0, 6.0}}));
  EXPECT_TENSOR_EQ(stack({a, b}, -1), stack({a, b}, 1));
  EXPECT_TENSOR_EQ(stack({scalar_tensor(1.0, kFloat64), scalar_tensor(2.0, kFloat64)}),
                   Tensor::from({1.0, 2.0}));
  const Tensor m = iota({2, 3});
  EXPECT_EQ(stack({m, m, m}, 1).shape(), (Shape{2, 3, 3}));
  EXPECT_TENSOR_EQ(stack({m, m.t().t()}, 2).select(2, 1), m);
  EXPECT_THROW_WITH_MESSAGE(stack({}), "stack: expected at least one tensor");
  EXPECT_THROW_WITH_MESSAGE(stack({a, zeros({2})}),
                            "stack: tensor 1 has shape [2], but tensor 0 has shape [3]; expected "
                            "equal shapes");
  EXPECT_THROW_WITH_MESSAGE(stack({a, b}, 2), "stack: dimension 2 is out of range");
}

TEST(Split, BySizeLeavesAShorterLastPiece) {
  const Tensor x = iota({5, 2});
  const auto parts = split(x, 2);
  ASSERT_EQ(shapes_of(parts), "[2, 2] [2, 2] [1, 2]");
  EXPECT_TENSOR_EQ(parts[2], Tensor::from({{8.0, 9.0}}));
  EXPECT_TENSOR_EQ(concat(parts), x);
  EXPECT_EQ(parts[1].storage(), x.storage());  // views, not copies
  EXPECT_EQ(shapes_of(split(x, 7)), "[5, 2]");
  const auto cols = split(x, 1, -1);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_TENSOR_EQ(cols[1], Tensor::from({{1.0}, {3.0}, {5.0}, {7.0}, {9.0}}));
  // An empty dimension splits into one empty piece, as in PyTorch.
  EXPECT_EQ(shapes_of(split(zeros({0, 3}), 2)), "[0, 3]");
}

TEST(Split, ByExplicitSizes) {
  const Tensor x = iota({2, 6});
  const auto parts = split(x, std::vector<int64_t>{1, 0, 3, 2}, 1);
  ASSERT_EQ(shapes_of(parts), "[2, 1] [2, 0] [2, 3] [2, 2]");
  EXPECT_TENSOR_EQ(parts[2], Tensor::from({{1.0, 2.0, 3.0}, {7.0, 8.0, 9.0}}));
  EXPECT_TENSOR_EQ(concat(parts, 1), x);
  EXPECT_THROW_WITH_MESSAGE(split(x, std::vector<int64_t>{2, 2}, 1),
                            "split: sizes [2, 2] add up to 4, but dimension 1 has size 6 (shape "
                            "[2, 6])");
  EXPECT_THROW_WITH_MESSAGE(split(x, std::vector<int64_t>{7, -1}, 1),
                            "split: negative size -1 in [7, -1]");
  EXPECT_THROW_WITH_MESSAGE(split(x, 0), "split: expected a positive split_size, got 0");
}

TEST(Split, WritesThroughPiecesReachTheInput) {
  Tensor x = zeros({4}, kFloat64);
  auto parts = chunk(x, 2);
  parts[1].fill_(3.0);
  EXPECT_TENSOR_EQ(x, Tensor::from({0.0, 0.0, 3.0, 3.0}));
}

TEST(Chunk, NearlyEqualPieces) {
  // PyTorch's rule: pieces of ceil(n / chunks), so 6 / 4 gives 3 pieces of 2.
  EXPECT_EQ(shapes_of(chunk(zeros({6}), 4)), "[2] [2] [2]");
  EXPECT_EQ(shapes_of(chunk(zeros({7}), 3)), "[3] [3] [1]");
  EXPECT_EQ(shapes_of(chunk(zeros({2}), 5)), "[1] [1]");
  EXPECT_EQ(shapes_of(chunk(zeros({3, 4}), 2, 1)), "[3, 2] [3, 2]");
  EXPECT_EQ(shapes_of(chunk(zeros({0}), 3)), "[0]");
  const Tensor x = iota({6});
  EXPECT_TENSOR_EQ(chunk(x, 3)[1], Tensor::from({2.0, 3.0}));
  EXPECT_THROW_WITH_MESSAGE(chunk(x, 0), "chunk: expected a positive number of chunks, got 0");
}

TEST(Join, Gradients) {
  const Tensor a = random_normal({2, 3}, 1), b = random_normal({2, 2}, 2),
               c = random_normal({2, 1}, 3);
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return concat({in[0], in[1], in[2]}, 1);
      },
      {a, b, c});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return concat({in[0].t(), in[1] * in[1]}, 0);
      },
      {a, random_normal({4, 2}, 4)});
  // The same tensor twice: its gradient is the sum of both slices.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return concat({t, t * t}, 0);
      },
      {a});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return stack({in[0], in[1]}, 1);
      },
      {a, random_normal({2, 3}, 5)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return stack({t, t.select(0, 0).expand({2, 3})}, -1);
      },
      {a});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        auto p = split(t, 2, 1);  // [3, 2], [3, 2], [3, 1]
        return concat({p[2], p[0] * p[1].select(1, 0).unsqueeze(1)}, 1);
      },
      {random_normal({3, 5}, 6)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        auto p = split(t, std::vector<int64_t>{1, 3}, 0);
        return p[1] - sum(p[0]);
      },
      {random_normal({4, 2}, 7)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        auto p = chunk(t, 3, -1);
        return p[0] * p[2];
      },
      {random_normal({2, 6}, 8)});
  // An integer piece next to a float one: only the float input gets a gradient.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return concat({in[0], in[1].to(kFloat64)});
      },
      {random_normal({2}, 9), Tensor::from({4, 5})});
}

}  // namespace
}  // namespace athanor
