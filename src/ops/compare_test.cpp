// src/ops/compare_test.cpp: comparisons and their operators, logical_not / and / or, where (with
// broadcasting, scalar branches and gradients) and clamp (values, the gradient on and outside the
// bounds, errors), with non-contiguous operands and thread-count independence.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;
using testing::random_uniform;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor bools(std::initializer_list<bool> v) { return Tensor::from(v); }
Tensor bool_matrix(std::initializer_list<std::initializer_list<bool>> v) { return Tensor::from(v); }

TEST(Compare, AllSixAgainstAColumnAndARow) {
  // [3, 1] against [1, 3]: a grid of every pair of {1, 2, 3}.
  const Tensor col = Tensor::from({{1.0}, {2.0}, {3.0}});
  const Tensor row = Tensor::from({{1.0, 2.0, 3.0}});
  EXPECT_TENSOR_EQ(eq(col, row), bool_matrix({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
  EXPECT_TENSOR_EQ(ne(col, row), bool_matrix({{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}));
  EXPECT_TENSOR_EQ(lt(col, row), bool_matrix({{0, 1, 1}, {0, 0, 1}, {0, 0, 0}}));
  EXPECT_TENSOR_EQ(le(col, row), bool_matrix({{1, 1, 1}, {0, 1, 1}, {0, 0, 1}}));
  EXPECT_TENSOR_EQ(gt(col, row), bool_matrix({{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}));
  EXPECT_TENSOR_EQ(ge(col, row), bool_matrix({{1, 0, 0}, {1, 1, 0}, {1, 1, 1}}));
  EXPECT_TENSOR_EQ(col < row, lt(col, row));
  EXPECT_TENSOR_EQ(col <= row, le(col, row));
  EXPECT_TENSOR_EQ(col > row, gt(col, row));
  EXPECT_TENSOR_EQ(col >= row, ge(col, row));
}

TEST(Compare, DoubleOperandsMixedDtypesAndNaN) {
  const Tensor x = Tensor::from({1, 2, 3});
  EXPECT_TENSOR_EQ(x < 2.0, bools({1, 0, 0}));
  EXPECT_TENSOR_EQ(x <= 2.0, bools({1, 1, 0}));
  EXPECT_TENSOR_EQ(x > 2.0, bools({0, 0, 1}));
  EXPECT_TENSOR_EQ(x >= 2.0, bools({0, 1, 1}));
  // A fractional bound is not truncated to the int64 tensor's dtype.
  EXPECT_TENSOR_EQ(x < 2.5, bools({1, 1, 0}));
  EXPECT_TENSOR_EQ(x > 1.5, bools({0, 1, 1}));
  EXPECT_TENSOR_EQ(eq(x, Tensor::from({1.0f, 2.5f, 3.0f})), bools({1, 0, 1}));
  EXPECT_TENSOR_EQ(eq(bools({1, 0}), Tensor::from({1, 1})), bools({1, 0}));
  const Tensor n = Tensor::from({kNaN, 1.0});
  EXPECT_TENSOR_EQ(eq(n, n), bools({0, 1}));
  EXPECT_TENSOR_EQ(ne(n, n), bools({1, 0}));
  EXPECT_TENSOR_EQ(n < 2.0, bools({0, 1}));
  EXPECT_TENSOR_EQ(n >= 1.0, bools({0, 1}));
}

TEST(Compare, ResultsAreBoolWithoutGradient) {
  const Tensor x = Tensor::from({1.0, 2.0}).set_requires_grad();
  for (const Tensor& y : {eq(x, x), x < 1.5, logical_not(x), logical_and(x, x)}) {
    EXPECT_EQ(y.dtype(), kBool);
    EXPECT_FALSE(y.requires_grad());
  }
}

TEST(Compare, NonContiguousOperandsAndEmptyShapes) {
  const Tensor a = random_normal({4, 3}, 71).t();
  const Tensor b = random_normal({3, 8}, 72).slice(1, 0, 8, 2);
  const Tensor row = random_normal({4}, 73).expand({3, 4});
  EXPECT_TENSOR_EQ(lt(a, b), lt(a.contiguous(), b.contiguous()));
  EXPECT_TENSOR_EQ(ge(row, a), ge(row.contiguous(), a.contiguous()));
  EXPECT_TENSOR_EQ(logical_or(a > 0.0, b > 0.0),
                   logical_or(a.contiguous() > 0.0, b.contiguous() > 0.0));
  EXPECT_EQ(eq(zeros({0, 3}), zeros({1, 3})).shape(), (Shape{0, 3}));
  EXPECT_TENSOR_EQ(gt(scalar_tensor(2.0), scalar_tensor(1.0)), scalar_tensor(1.0, kBool));
  EXPECT_THROW_WITH_MESSAGE(
      eq(zeros({2, 3}), zeros({2})),
      "eq: shapes [2, 3] and [2] cannot be broadcast: dimension -1 is 3 and 2");
}

TEST(Logical, NotAndOrTreatNonzeroAsTrue) {
  EXPECT_TENSOR_EQ(logical_not(Tensor::from({0.0, 2.5, -1.0})), bools({1, 0, 0}));
  EXPECT_TENSOR_EQ(logical_not(bools({1, 0})), bools({0, 1}));
  EXPECT_TENSOR_EQ(logical_not(Tensor::from({0, 7})), bools({1, 0}));
  const Tensor col = bool_matrix({{0}, {1}});
  const Tensor row = Tensor::from({{0.0, 3.0}});
  EXPECT_TENSOR_EQ(logical_and(col, row), bool_matrix({{0, 0}, {0, 1}}));
  EXPECT_TENSOR_EQ(logical_or(col, row), bool_matrix({{0, 1}, {1, 1}}));
  EXPECT_TENSOR_EQ(logical_and(Tensor::from({2, 0, -1}), Tensor::from({1.5f, 1.0f, 0.0f})),
                   bools({1, 0, 0}));
  EXPECT_TENSOR_EQ(logical_not(Tensor::from({{0.0}, {1.0}}).expand({2, 2})),
                   bool_matrix({{1, 1}, {0, 0}}));
}

TEST(Where, BroadcastsTheConditionAndBothBranches) {
  // cond [3, 1], a [1, 4], b 0-d: row r of the result is a where cond[r], else b.
  const Tensor cond = bool_matrix({{1}, {0}, {1}});
  const Tensor a = Tensor::from({{1.0, 2.0, 3.0, 4.0}});
  const Tensor b = scalar_tensor(-1.0, kFloat64);
  EXPECT_TENSOR_EQ(
      where(cond, a, b),
      Tensor::from({{1.0, 2.0, 3.0, 4.0}, {-1.0, -1.0, -1.0, -1.0}, {1.0, 2.0, 3.0, 4.0}}));
  EXPECT_TENSOR_EQ(where(cond, a, -1.0), where(cond, a, b));
  EXPECT_TENSOR_EQ(
      where(cond, 5.0, a),
      Tensor::from({{5.0, 5.0, 5.0, 5.0}, {1.0, 2.0, 3.0, 4.0}, {5.0, 5.0, 5.0, 5.0}}));
  EXPECT_EQ(where(zeros({0}, kBool), zeros({0}), 1.0).shape(), (Shape{0}));
}

TEST(Where, BranchDtypesPromote) {
  const Tensor cond = bools({1, 0});
  EXPECT_TENSOR_EQ(where(cond, Tensor::from({1, 2}), 0.5), Tensor::from({1.0f, 0.5f}));
  EXPECT_TENSOR_EQ(where(cond, Tensor::from({1, 2}), 7.0), Tensor::from({1, 7}));
  EXPECT_TENSOR_EQ(where(cond, Tensor::from({1.5f, 2.0f}), Tensor::from({3.0, 4.0})),
                   Tensor::from({1.5, 4.0}));
}

TEST(Where, GradientsOfBothBranchesUnderBroadcasting) {
  const Tensor cond = bool_matrix({{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}});
  expect_gradients_match_finite_differences(
      [&cond](const std::vector<Tensor>& in) { return where(cond, in[0], in[1]); },
      {random_normal({3, 4}, 74), random_normal({3, 4}, 75)});
  // a [1, 4] and b 0-d are each summed over the positions they fill.
  expect_gradients_match_finite_differences(
      [&cond](const std::vector<Tensor>& in) { return where(cond, in[0], in[1]); },
      {random_normal({1, 4}, 76), random_normal(Shape{}, 77)});
  // A [3, 1] condition broadcast against [3, 4] branches; branches seen through views.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return where(bool_matrix({{1}, {0}, {1}}), in[0].t(), in[1].slice(1, 0, 8, 2));
      },
      {random_normal({4, 3}, 78), random_normal({3, 8}, 79)});
  expect_gradients_match_finite_differences(
      [&cond](const Tensor& t) { return where(cond, t, 2.0) * where(cond, -1.0, t); },
      {random_normal({3, 4}, 80)});
}

TEST(Where, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(where(Tensor::from({1.0f}), zeros({1}), zeros({1})),
                            "where: expected a bool condition, got float32");
  EXPECT_THROW_WITH_MESSAGE(where(bools({1, 0, 1}), zeros({2}), zeros({2})),
                            "where: shapes [3] and [2] cannot be broadcast");
}

TEST(Clamp, ValuesWithEitherOrBothBounds) {
  const Tensor x = Tensor::from({-3.0, -1.0, 0.5, 1.0, 4.0, kNaN});
  EXPECT_TENSOR_EQ(clamp(x, -1.0, 1.0), Tensor::from({-1.0, -1.0, 0.5, 1.0, 1.0, kNaN}));
  EXPECT_TENSOR_EQ(clamp(x, 0.0, std::nullopt), Tensor::from({0.0, 0.0, 0.5, 1.0, 4.0, kNaN}));
  EXPECT_TENSOR_EQ(clamp(x, std::nullopt, 0.0), Tensor::from({-3.0, -1.0, 0.0, 0.0, 0.0, kNaN}));
  EXPECT_TENSOR_EQ(clamp(x, 2.0, 2.0), Tensor::from({2.0, 2.0, 2.0, 2.0, 2.0, kNaN}));
  EXPECT_TENSOR_EQ(clamp(Tensor::from({-5, 3, 9}), 0.0, 4.0), Tensor::from({0, 3, 4}));
  EXPECT_TENSOR_EQ(clamp(Tensor::from({-5, 3, 9}), 0.5, std::nullopt),
                   Tensor::from({0.5f, 3.0f, 9.0f}));
  EXPECT_TENSOR_EQ(clamp(Tensor::from({-5.0f, 3.0f}), -1.0, 1.0), Tensor::from({-1.0f, 1.0f}));
  const Tensor base = random_normal({4, 6}, 81);
  for (const Tensor& view : {base.t(), base.slice(1, 1, 6, 2), base.select(0, 1).expand({3, 6})}) {
    EXPECT_TENSOR_EQ(clamp(view, -0.5, 0.5), clamp(view.contiguous(), -0.5, 0.5));
  }
}

TEST(Clamp, GradientIsOneOnAndInsideTheBoundsAndZeroOutside) {
  Tensor x = Tensor::from({-2.0, -1.0, 0.0, 1.0, 2.0}).set_requires_grad();
  sum(clamp(x, -1.0, 1.0) * Tensor::from({1.0, 2.0, 3.0, 4.0, 5.0})).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.0, 2.0, 3.0, 4.0, 0.0}));
  Tensor y = Tensor::from({-1.0, 0.0, 1.0}).set_requires_grad();
  sum(clamp(y, 0.0, std::nullopt) + clamp(y, std::nullopt, 0.0) + clamp(y, 1.0, 1.0)).backward();
  // min 0: [0, 1, 1]; max 0: [1, 1, 0]; min = max = 1: [0, 0, 1].
  EXPECT_TENSOR_EQ(y.grad(), Tensor::from({1.0, 2.0, 2.0}));
}

TEST(Clamp, GradientMatchesFiniteDifferencesAwayFromTheBounds) {
  // Values in [-3, 3] with bounds at -1 and 0.5: both sides of each bound, hitting a bound within
  // the step 1e-6 with probability ~0.
  const Tensor x = random_uniform({4, 5}, -3, 3, 82);
  expect_gradients_match_finite_differences([](const Tensor& t) { return clamp(t, -1.0, 0.5); },
                                            {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return clamp(t.t(), std::nullopt, 0.5); }, {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return clamp(t.slice(1, 0, 5, 2), -1.0, std::nullopt); }, {x});
}

TEST(Clamp, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(clamp(zeros({2}), std::nullopt, std::nullopt),
                            "clamp: at least one of min and max must be given");
  EXPECT_THROW_WITH_MESSAGE(clamp(zeros({2}), 2.0, 1.0),
                            "clamp: expected min <= max, got min=2 and max=1");
  EXPECT_THROW_WITH_MESSAGE(clamp(bools({1, 0}), 0.0, 1.0), "clamp: not defined for bool tensors");
}

TEST(Compare, LargeTensorsGiveTheSameResultOnOneAndTwoThreads) {
  // 100534 elements: comparisons, where over a transposed branch and a broadcast row, clamp.
  const Tensor a = random_normal({334, 301}, 83);
  const Tensor bt = random_normal({301, 334}, 84).t();
  const Tensor row = random_normal({301}, 85);
  Tensor y[2];
  for (int threads : {1, 2}) {
    ScopedNumThreads t(threads);
    const Tensor c = lt(a, bt);
    y[threads - 1] = where(c, bt, row) + clamp(a, -0.5, 0.5) + to(logical_or(c, a > row), kFloat64);
  }
  EXPECT_TENSOR_EQ(y[0], y[1]);
  const std::vector<double> va = a.to_vector<double>();
  const std::vector<double> vb = bt.contiguous().to_vector<double>();
  const std::vector<double> vr = row.to_vector<double>();
  std::vector<double> expected(va.size());
  for (size_t i = 0; i < va.size(); ++i) {
    const double r = vr[i % 301];
    const bool c = va[i] < vb[i];
    expected[i] =
        (c ? vb[i] : r) + std::fmin(std::fmax(va[i], -0.5), 0.5) + ((c || va[i] > r) ? 1 : 0);
  }
  EXPECT_TENSOR_EQ(y[1], Tensor::from(expected, {334, 301}));
}

}  // namespace
}  // namespace athanor
