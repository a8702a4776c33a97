// src/ops/reduce_extreme_test.cpp: max, min, amax, amin, argmax, argmin: values, indices, ties,
// NaN, empty inputs, non-contiguous inputs and gradients.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

// Rows: [3, 7, 1, 7], [-2, -5, 0, -5], [4, 4, 4, 4].
Tensor sample() {
  return Tensor::from({{3.0, 7.0, 1.0, 7.0}, {-2.0, -5.0, 0.0, -5.0}, {4.0, 4.0, 4.0, 4.0}});
}

Tensor ints(std::initializer_list<int64_t> v) {
  return Tensor::from(std::vector<int64_t>(v), {static_cast<int64_t>(v.size())});
}

TEST(Max, FullReductionGivesAZeroDimensionalValue) {
  const Tensor x = sample();
  EXPECT_TENSOR_EQ(max(x), scalar_tensor(7.0, kFloat64));
  EXPECT_TENSOR_EQ(min(x), scalar_tensor(-5.0, kFloat64));
  EXPECT_TENSOR_EQ(max(Tensor::from({{2, -9}, {5, 1}})), scalar_tensor(5, kInt64));
  EXPECT_TENSOR_EQ(min(scalar_tensor(1.5, kFloat64)), scalar_tensor(1.5, kFloat64));
  EXPECT_TENSOR_EQ(max(Tensor::from({false, true})), scalar_tensor(1, kBool));
}

TEST(Max, AlongADimensionGivesValuesAndFirstIndices) {
  const Tensor x = sample();
  auto [v1, i1] = max(x, 1);
  EXPECT_TENSOR_EQ(v1, Tensor::from({7.0, 0.0, 4.0}));
  EXPECT_TENSOR_EQ(i1, ints({1, 2, 0}));  // ties: the first position
  auto [v0, i0] = min(x, 0, /*keepdim=*/true);
  EXPECT_TENSOR_EQ(v0, Tensor::from({{-2.0, -5.0, 0.0, -5.0}}));
  EXPECT_TENSOR_EQ(i0, Tensor::from({{1, 1, 1, 1}}));
  auto [vn, in] = min(x, -1);
  EXPECT_TENSOR_EQ(vn, Tensor::from({1.0, -5.0, 4.0}));
  EXPECT_TENSOR_EQ(in, ints({2, 1, 0}));
  // The middle dimension of a 3-D tensor: x3[i][j][k] = 12 i + 4 j + k peaks at j = 2.
  const Tensor x3 = arange(0, 24, 1, kFloat64).reshape({2, 3, 4});
  auto [v3, i3] = max(x3, 1);
  EXPECT_TENSOR_EQ(v3, x3.select(1, 2));
  EXPECT_TENSOR_EQ(i3, full({2, 4}, 2, kInt64));
  // A 0-d input reduces along dimension 0 as if it had one element.
  auto [vs, is] = max(scalar_tensor(3.0, kFloat64), 0);
  EXPECT_TENSOR_EQ(vs, scalar_tensor(3.0, kFloat64));
  EXPECT_TENSOR_EQ(is, scalar_tensor(0, kInt64));
}

TEST(Max, NanWins) {
  const double nan = NAN;
  const Tensor x = Tensor::from({{1.0, nan, 5.0}, {2.0, 3.0, nan}});
  EXPECT_TRUE(std::isnan(max(x).item()));
  EXPECT_TRUE(std::isnan(min(x).item()));
  EXPECT_TENSOR_EQ(argmax(x, 1), ints({1, 2}));
  EXPECT_TENSOR_EQ(argmin(x, 1), ints({1, 2}));
  EXPECT_TENSOR_EQ(argmax(x), scalar_tensor(1, kInt64));
}

TEST(Max, NonContiguousInputsMatchContiguousCopies) {
  const Tensor x = random_normal({4, 5, 6}, 21);
  const Tensor t = x.permute({2, 0, 1});
  for (int d = 0; d < 3; ++d) {
    auto [v, i] = max(t, d);
    auto [vc, ic] = max(t.contiguous(), d);
    EXPECT_TENSOR_EQ(v, vc);
    EXPECT_TENSOR_EQ(i, ic);
    EXPECT_TENSOR_EQ(argmin(t, d), argmin(t.contiguous(), d));
  }
  EXPECT_TENSOR_EQ(amax(t, {0, 2}), amax(t.contiguous(), {0, 2}));
  EXPECT_TENSOR_EQ(argmax(t), argmax(t.contiguous()));
  const Tensor col = Tensor::from({{1.0}, {5.0}, {3.0}}).expand({3, 4});
  EXPECT_TENSOR_EQ(max(col, 0).indices, full({4}, 1, kInt64));
}

TEST(Amax, ReducesDimensionSets) {
  const Tensor x3 = arange(0, 24, 1, kFloat64).reshape({2, 3, 4});
  // Over i and k the largest is 12 * 1 + 4 j + 3; the smallest 4 j.
  EXPECT_TENSOR_EQ(amax(x3, {0, 2}), Tensor::from({15.0, 19.0, 23.0}));
  EXPECT_TENSOR_EQ(amin(x3, {2, 0}, /*keepdim=*/true),
                   Tensor::from({0.0, 4.0, 8.0}).reshape({1, 3, 1}));
  EXPECT_TENSOR_EQ(amax(x3, {-1}), x3.select(2, 3));
  EXPECT_TENSOR_EQ(amax(x3, {}), scalar_tensor(23.0, kFloat64));
  EXPECT_TENSOR_EQ(amin(Tensor::from({{4, 2}, {7, 9}}), {0}), Tensor::from({4, 2}));
  EXPECT_THROW_WITH_MESSAGE(amax(x3, {0, 0}), "amax: dimension listed twice in [0, 0]");
}

TEST(Argmax, FullAndAlongADimension) {
  const Tensor x = sample();
  EXPECT_TENSOR_EQ(argmax(x), scalar_tensor(1, kInt64));  // row-major: first 7 at (0, 1)
  EXPECT_TENSOR_EQ(argmin(x), scalar_tensor(5, kInt64));  // first -5 at (1, 1)
  EXPECT_TENSOR_EQ(argmax(x, 0), ints({2, 0, 2, 0}));
  EXPECT_TENSOR_EQ(argmin(x, 1, /*keepdim=*/true), Tensor::from({{2}, {1}, {0}}));
  EXPECT_TENSOR_EQ(argmax(scalar_tensor(4.0)), scalar_tensor(0, kInt64));
  // argmax takes no gradient, even of a tensor that requires one.
  EXPECT_FALSE(argmax(random_normal({3}).set_requires_grad()).requires_grad());
}

TEST(Max, EmptyReductionsThrowButEmptyResultsAreFine) {
  EXPECT_THROW_WITH_MESSAGE(max(zeros({0})),
                            "max: dimension 0 of shape [0] is empty, and the maximum of no "
                            "elements is undefined");
  EXPECT_THROW_WITH_MESSAGE(min(zeros({2, 0})), "min: dimension 1 of shape [2, 0] is empty");
  EXPECT_THROW_WITH_MESSAGE(max(zeros({3, 0}), 1), "max: dimension 1 of shape [3, 0] is empty");
  EXPECT_THROW_WITH_MESSAGE(amax(zeros({0, 3}), {0}), "amax: dimension 0 of shape [0, 3]");
  EXPECT_THROW_WITH_MESSAGE(argmax(zeros({0})), "argmax: dimension 0 of shape [0] is empty");
  EXPECT_THROW_WITH_MESSAGE(argmin(zeros({2, 0}), -1), "argmin: dimension 1 of shape [2, 0]");
  // Reducing a non-empty dimension of an empty tensor gives an empty result (as in PyTorch).
  auto [v, i] = max(zeros({0, 3}), 1);
  EXPECT_EQ(v.shape(), (Shape{0}));
  EXPECT_EQ(i.shape(), (Shape{0}));
  EXPECT_EQ(amin(zeros({0, 3, 2}), {1, 2}, true).shape(), (Shape{0, 1, 1}));
}

TEST(Max, GradientOfAFullReductionIsSplitAmongTies) {
  Tensor x = Tensor::from({1.0, 3.0, 3.0, 2.0, 3.0}).set_requires_grad();
  max(x).backward();
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({0.0, 1.0, 1.0, 0.0, 1.0}) / 3.0, 1e-15);
  Tensor y = Tensor::from({-1.0, -1.0, 0.0}).set_requires_grad();
  min(y).backward();
  EXPECT_TENSOR_EQ(y.grad(), Tensor::from({0.5, 0.5, 0.0}));
}

TEST(Amax, GradientIsSplitAmongTiesPerReducedSlice) {
  Tensor x = sample().set_requires_grad();
  // Row 0 has two 7s, row 2 four 4s; dy = [1, 10, 100].
  amax(x, {1}).backward(Tensor::from({1.0, 10.0, 100.0}));
  EXPECT_TENSOR_EQ(
      x.grad(),
      Tensor::from({{0.0, 0.5, 0.0, 0.5}, {0.0, 0.0, 10.0, 0.0}, {25.0, 25.0, 25.0, 25.0}}));
  Tensor z = sample().set_requires_grad();
  amin(z, {0, 1}, true).backward(full({1, 1}, 6.0, kFloat64));
  EXPECT_TENSOR_EQ(
      z.grad(), Tensor::from({{0.0, 0.0, 0.0, 0.0}, {0.0, 3.0, 0.0, 3.0}, {0.0, 0.0, 0.0, 0.0}}));
}

TEST(Max, GradientAlongADimensionGoesToTheIndex) {
  Tensor x = sample().set_requires_grad();
  max(x, 1).values.backward(Tensor::from({1.0, 2.0, 3.0}));
  EXPECT_TENSOR_EQ(
      x.grad(), Tensor::from({{0.0, 1.0, 0.0, 0.0}, {0.0, 0.0, 2.0, 0.0}, {3.0, 0.0, 0.0, 0.0}}));
}

TEST(Max, Gradients) {
  const Tensor x = random_normal({3, 4, 2}, 22);  // distinct values: no ties
  expect_gradients_match_finite_differences([](const Tensor& t) { return max(t); }, {x});
  expect_gradients_match_finite_differences([](const Tensor& t) { return min(t); }, {x});
  for (int d : {0, 1, -1}) {
    for (bool keepdim : {false, true}) {
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return max(t, d, keepdim).values; }, {x});
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return min(t, d, keepdim).values; }, {x});
    }
  }
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return max(t.transpose(0, 1), 0).values; }, {x});
  expect_gradients_match_finite_differences([](const Tensor& t) { return max(t, 0).values; },
                                            {scalar_tensor(2.0, kFloat64)});
}

TEST(Amax, Gradients) {
  const Tensor x = random_normal({3, 4, 2}, 23);
  for (const std::vector<int>& dims : {std::vector<int>{1}, {0, 2}, {-1, 0}, {}}) {
    expect_gradients_match_finite_differences([&](const Tensor& t) { return amax(t, dims); }, {x});
    expect_gradients_match_finite_differences([&](const Tensor& t) { return amin(t, dims, true); },
                                              {x});
  }
  expect_gradients_match_finite_differences([](const Tensor& t) { return amax(t, {0}); },
                                            {scalar_tensor(2.0, kFloat64)});
}

}  // namespace
}  // namespace athanor
