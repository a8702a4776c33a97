// src/ops/reduce_test.cpp: sum, mean, var, std, logsumexp and sum_to: values over every kind of
// dimension set, dtypes, empty and 0-d tensors, non-contiguous inputs, gradients, and the chunked
// parallel path's independence from the thread count.
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

// x[i][j][k] = 12 i + 4 j + k, shape [2, 3, 4].
Tensor iota3() { return arange(0, 24, 1, kFloat64).reshape({2, 3, 4}); }

// The tensor of shape `shape` whose element at (i, j) is f(i, j).
template <typename F>
Tensor table(int64_t rows, int64_t cols, F f) {
  std::vector<double> v;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v.push_back(f(i, j));
  return Tensor::from(v, Shape{rows, cols});
}

// Variance of `v` dividing by n - correction.
double reference_var(const std::vector<double>& v, int64_t correction) {
  const double n = static_cast<double>(v.size());
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double e : v) ss += (e - m) * (e - m);
  return ss / (n - static_cast<double>(correction));
}

TEST(Sum, AllElementsAndEachSingleDimension) {
  const Tensor x = iota3();
  EXPECT_TENSOR_EQ(sum(x), scalar_tensor(276.0, kFloat64));  // 0 + ... + 23 = 23 * 24 / 2
  // Over i: (4j + k) + (12 + 4j + k). Over j: 36i + (0 + 4 + 8) + 3k. Over k: 48i + 16j + 6.
  EXPECT_TENSOR_EQ(sum(x, {0}), table(3, 4, [](auto j, auto k) { return 12.0 + 8 * j + 2 * k; }));
  EXPECT_TENSOR_EQ(sum(x, {1}), table(2, 4, [](auto i, auto k) { return 36.0 * i + 12 + 3 * k; }));
  EXPECT_TENSOR_EQ(sum(x, {2}), table(2, 3, [](auto i, auto j) { return 48.0 * i + 16 * j + 6; }));
  EXPECT_TENSOR_EQ(sum(x, {-1}), sum(x, {2}));
  EXPECT_TENSOR_EQ(sum(x, {-3}), sum(x, {0}));
}

TEST(Sum, NonBlockDimensionSet) {
  // Over i and k: sum_{i,k} (12 i + 4 j + k) = 8 * 4j + 4 * 12 + 2 * 6 = 32 j + 60.
  const Tensor x = iota3();
  const Tensor expected = Tensor::from({60.0, 92.0, 124.0});
  EXPECT_TENSOR_EQ(sum(x, {0, 2}), expected);
  EXPECT_TENSOR_EQ(sum(x, {2, 0}), expected);
  EXPECT_TENSOR_EQ(sum(x, {-1, 0}), expected);
  EXPECT_TENSOR_EQ(sum(x, {0, 2}, /*keepdim=*/true), expected.reshape({1, 3, 1}));
  // Over i and j (a block): sum_{i,j} = 6 * k + 12 * 3 + 4 * 3 * 2 = 6k + 60.
  EXPECT_TENSOR_EQ(sum(x, {0, 1}), Tensor::from({60.0, 66.0, 72.0, 78.0}));
}

TEST(Sum, ColumnSumsOfWideRowsInEveryDtype) {
  // Sums down the rows of [7, 600]: blocks of inner columns, strips of 16 and a tail of 8.
  // x[i][j] = 1000 i + j sums to 21000 + 7 j, exact in float32.
  const Tensor x = table(7, 600, [](auto i, auto j) { return 1000.0 * i + j; });
  const Tensor expected =
      table(1, 600, [](auto, auto j) { return 21000.0 + 7 * j; }).reshape({600});
  for (DType dtype : {kFloat64, kFloat32, kInt64}) {
    EXPECT_TENSOR_EQ(sum(x.to(dtype), {0}), expected.to(dtype));
  }
  // With an outer dimension: [2, 7, 300], x[o][i][j] = 1000 i + 300 o + j.
  EXPECT_TENSOR_EQ(sum(x.reshape({7, 2, 300}).transpose(0, 1).contiguous(), {1}),
                   expected.reshape({2, 300}));
}

TEST(Sum, KeepdimKeepsSizeOneDimensions) {
  const Tensor x = iota3();
  EXPECT_EQ(sum(x, {1}, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(sum(x, {}, true).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(sum(x, {-1, -2}, true).shape(), (Shape{2, 1, 1}));
  EXPECT_TENSOR_EQ(sum(x, {1}, true).reshape({2, 4}), sum(x, {1}));
}

TEST(Sum, NonContiguousInputsMatchContiguousCopies) {
  const Tensor x = random_normal({3, 4, 5}, 7);
  const Tensor t = x.permute({2, 0, 1});  // [5, 3, 4], strided
  ASSERT_FALSE(t.is_contiguous());
  for (const std::vector<int>& dims : {std::vector<int>{0}, {1}, {2}, {0, 2}, {1, 2}, {}}) {
    EXPECT_TENSOR_NEAR(sum(t, dims), sum(t.contiguous(), dims), 1e-12);
  }
  const Tensor stepped = x.slice(2, 0, 5, 2);  // every other column
  EXPECT_TENSOR_NEAR(sum(stepped, {2}), sum(stepped.contiguous(), {2}), 1e-12);
  // An expanded column: every row repeats its value 6 times.
  const Tensor col = Tensor::from({{1.0}, {2.0}, {3.0}});
  EXPECT_TENSOR_EQ(sum(col.expand({3, 6}), {1}), Tensor::from({6.0, 12.0, 18.0}));
  EXPECT_TENSOR_EQ(sum(col.expand({3, 6}), {0}), full({6}, 6.0, kFloat64));
}

TEST(Sum, IntegerAndBoolInputsSumToInt64) {
  EXPECT_TENSOR_EQ(sum(Tensor::from({true, true, false, true})), scalar_tensor(3, kInt64));
  EXPECT_TENSOR_EQ(sum(Tensor::from({200, 100, 7}, kUInt8)), scalar_tensor(307, kInt64));
  // Beyond int32: exact in int64.
  const int64_t big = int64_t{3} << 31;
  const Tensor v = Tensor::from(std::vector<int64_t>{big, big, -1}, Shape{3});
  EXPECT_EQ(sum(v).item<int64_t>(), 2 * big - 1);
  const Tensor m = Tensor::from({{1, 2, 3}, {4, 5, 6}});
  EXPECT_TENSOR_EQ(sum(m, {0}), Tensor::from({5, 7, 9}));
  EXPECT_TENSOR_EQ(sum(m.to(kBool), {1}), Tensor::from({3, 3}));
  EXPECT_EQ(sum(Tensor::from({1.5f, 2.0f})).dtype(), kFloat32);
}

TEST(Sum, EmptyTensorsSumToZero) {
  EXPECT_TENSOR_EQ(sum(zeros({0}, kFloat64)), scalar_tensor(0.0, kFloat64));
  EXPECT_TENSOR_EQ(sum(zeros({0}, kInt64)), scalar_tensor(0, kInt64));
  EXPECT_TENSOR_EQ(sum(ones({0, 3}, kFloat64), {0}), zeros({3}, kFloat64));
  EXPECT_TENSOR_EQ(sum(ones({3, 0}, kFloat64), {1}, true), zeros({3, 1}, kFloat64));
  EXPECT_EQ(sum(ones({0, 3}), {1}).shape(), (Shape{0}));  // nothing to sum into
}

TEST(Sum, ZeroDimensionalInputStaysZeroDimensional) {
  const Tensor s = scalar_tensor(2.5, kFloat64);
  EXPECT_TENSOR_EQ(sum(s), s);
  EXPECT_TENSOR_EQ(sum(s, {0}), s);
  EXPECT_TENSOR_EQ(sum(s, {-1}, /*keepdim=*/true), s);  // was [1] before the fix
  EXPECT_TENSOR_EQ(sum(s, {}, /*keepdim=*/true), s);
  EXPECT_TENSOR_EQ(mean(s, {0}, true), s);
}

TEST(Sum, BadDimensionsAreReported) {
  const Tensor x = zeros({2, 3});
  EXPECT_THROW_WITH_MESSAGE(sum(x, {2}),
                            "sum: dimension 2 is out of range for a tensor of 2 dimensions");
  EXPECT_THROW_WITH_MESSAGE(sum(x, {1, -1}), "sum: dimension listed twice in [1, -1]");
  EXPECT_THROW_WITH_MESSAGE(mean(x, {-3}), "mean: dimension -3 is out of range");
}

TEST(Sum, Gradients) {
  const Tensor x = random_normal({2, 3, 4}, 1);
  for (const std::vector<int>& dims : {std::vector<int>{}, {1}, {-1}, {0, 2}, {0, 1, 2}}) {
    for (bool keepdim : {false, true}) {
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return sum(t, dims, keepdim) * sum(t, dims, keepdim); }, {x});
    }
  }
  expect_gradients_match_finite_differences([](const Tensor& t) { return sum(t.t(), {1}); },
                                            {random_normal({3, 2}, 2)});
  expect_gradients_match_finite_differences([](const Tensor& t) { return sum(t, {0}, true); },
                                            {scalar_tensor(1.5, kFloat64)});
}

TEST(Mean, ValuesOverDimensionSets) {
  const Tensor x = iota3();
  EXPECT_TENSOR_EQ(mean(x), scalar_tensor(11.5, kFloat64));
  EXPECT_TENSOR_EQ(mean(x, {0, 2}), Tensor::from({60.0, 92.0, 124.0}) / 8.0);
  EXPECT_TENSOR_EQ(mean(x, {-1}, true), (sum(x, {2}) / 4.0).reshape({2, 3, 1}));
  EXPECT_TRUE(std::isnan(mean(zeros({0})).item()));  // 0 / 0, as in PyTorch
  EXPECT_THROW_WITH_MESSAGE(mean(Tensor::from({1, 2})),
                            "mean: expected a floating-point tensor, got int64");
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return mean(t, {0, 2});
      },
      {random_normal({2, 3, 4}, 3)});
}

TEST(Var, MatchesTheTwoPassFormula) {
  const Tensor x = random_normal({3, 4, 5}, 4);
  const auto all = x.to_vector<double>();
  EXPECT_NEAR(var(x).item(), reference_var(all, 1), 1e-12);
  EXPECT_NEAR(var(x, {}, 0).item(), reference_var(all, 0), 1e-12);
  EXPECT_NEAR(athanor::std(x).item(), std::sqrt(reference_var(all, 1)), 1e-12);
  // Over {0, 2}: one variance per j, from the elements x[:, j, :].
  const Tensor v = var(x, {0, 2});
  const Tensor s = athanor::std(x, {2, 0}, 0, /*keepdim=*/true);
  ASSERT_EQ(v.shape(), (Shape{4}));
  ASSERT_EQ(s.shape(), (Shape{1, 4, 1}));
  for (int64_t j = 0; j < 4; ++j) {
    const auto elems = x.select(1, j).to_vector<double>();
    EXPECT_NEAR(v.select(0, j).item(), reference_var(elems, 1), 1e-12);
    EXPECT_NEAR(s.flatten().select(0, j).item(), std::sqrt(reference_var(elems, 0)), 1e-12);
  }
  // Variance along the last dimension of a transposed view.
  EXPECT_TENSOR_NEAR(var(x.transpose(0, 2), {-1}), var(x.transpose(0, 2).contiguous(), {-1}),
                     1e-12);
}

TEST(Var, DegenerateCountsAndErrors) {
  // One element with Bessel's correction: 0 / 0.
  EXPECT_TRUE(std::isnan(var(Tensor::from({3.0})).item()));
  EXPECT_TENSOR_EQ(var(Tensor::from({3.0}), {}, 0), scalar_tensor(0.0, kFloat64));
  EXPECT_THROW_WITH_MESSAGE(var(Tensor::from({1, 2})),
                            "var: expected a floating-point tensor, got int64");
}

TEST(Var, Gradients) {
  const Tensor x = random_normal({3, 4}, 5);
  expect_gradients_match_finite_differences([](const Tensor& t) { return var(t); }, {x});
  expect_gradients_match_finite_differences([](const Tensor& t) { return var(t, {1}, 0); }, {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return athanor::std(t, {0}, 1, true); }, {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return athanor::std(t, {0, 2});
      },
      {random_normal({2, 3, 2}, 6)});
}

TEST(Logsumexp, MatchesStdLogOfSumOfExp) {
  const Tensor x = random_normal({3, 4}, 8);
  const Tensor y = logsumexp(x, {1});
  ASSERT_EQ(y.shape(), (Shape{3}));
  for (int64_t i = 0; i < 3; ++i) {
    double s = 0;
    for (double e : x.select(0, i).to_vector<double>()) s += std::exp(e);
    EXPECT_NEAR(y.select(0, i).item(), std::log(s), 1e-12);
  }
  EXPECT_EQ(logsumexp(x, {-1}, true).shape(), (Shape{3, 1}));
  EXPECT_TENSOR_NEAR(logsumexp(x, {0, 1}), logsumexp(x.reshape({12}), {0}), 1e-12);
}

TEST(Logsumexp, StableForLargeAndInfiniteValues) {
  // log(e^1000 + e^1000) = 1000 + log 2; exp(1000) alone overflows.
  EXPECT_NEAR(logsumexp(Tensor::from({1000.0, 1000.0}), {0}).item(), 1000 + std::log(2.0), 1e-9);
  EXPECT_NEAR(logsumexp(Tensor::from({-1000.0, -1000.0}), {0}).item(), -1000 + std::log(2.0), 1e-9);
  const double inf = INFINITY;
  EXPECT_TENSOR_EQ(logsumexp(Tensor::from({{-inf, -inf}, {0.0, -inf}}), {1}),
                   Tensor::from({-inf, 0.0}));
  EXPECT_TENSOR_EQ(logsumexp(Tensor::from({1.0, inf}), {0}), scalar_tensor(inf, kFloat64));
}

TEST(Logsumexp, Gradients) {
  expect_gradients_match_finite_differences([](const Tensor& t) { return logsumexp(t, {1}); },
                                            {random_normal({3, 4}, 9)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return logsumexp(t, {0, 2}, true);
      },
      {random_normal({2, 3, 2}, 10)});
}

TEST(SumTo, SumsBroadcastDimensions) {
  const Tensor g = iota3();
  EXPECT_TENSOR_EQ(sum_to(g, {3, 4}), sum(g, {0}));
  EXPECT_TENSOR_EQ(sum_to(g, {2, 1, 4}), sum(g, {1}, true));
  EXPECT_TENSOR_EQ(sum_to(g, {3, 1}), sum(g, {0, 2}).reshape({3, 1}));
  EXPECT_TENSOR_EQ(sum_to(g, {}), sum(g));
  EXPECT_TENSOR_EQ(sum_to(g, {1, 1, 1}), sum(g, {}, true));
  EXPECT_TRUE(sum_to(g, g.shape()).is_same(g));
  EXPECT_THROW_WITH_MESSAGE(sum_to(g, {4, 2, 3, 4}),
                            "sum_to: cannot sum shape [2, 3, 4] to the larger shape [4, 2, 3, 4]");
  EXPECT_THROW_WITH_MESSAGE(sum_to(g, {2, 4}),
                            "sum_to: shape [2, 4] does not broadcast to [2, 3, 4]");
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return sum_to(t, {3, 1});
      },
      {random_normal({2, 3, 4}, 11)});
}

TEST(ReduceParallel, ChunkedFullReductionDoesNotDependOnThreadCount) {
  ScopedNumThreads guard;
  // 200003 elements > 2 * 32768: the chunked path, with a short last chunk.
  Generator gen(12);
  const Tensor x32 = randn({200003}, kFloat32, &gen);
  // Two equal maxima in different chunks: the first must win however chunks are scheduled.
  x32.narrow(0, 40000, 1).fill_(9.0);
  x32.narrow(0, 190000, 1).fill_(9.0);
  x32.narrow(0, 150000, 1).fill_(-9.0);
  const Tensor x64 = x32.to(kFloat64);
  std::vector<Tensor> results[2];
  for (int t = 0; t < 2; ++t) {
    set_num_threads(t + 1);
    ASSERT_EQ(get_num_threads(), t + 1);
    results[t] = {sum(x32), sum(x64),    mean(x64),   max(x32),
                  min(x32), argmax(x32), argmin(x32), max(x32, 0).indices};
  }
  for (size_t i = 0; i < results[0].size(); ++i) {
    EXPECT_TENSOR_EQ(results[1][i], results[0][i]) << "result " << i;
  }
  const auto v = x64.to_vector<double>();
  const double total = std::accumulate(v.begin(), v.end(), 0.0);
  EXPECT_NEAR(results[0][1].item(), total, 1e-9 * std::fabs(total) + 1e-9);
  EXPECT_EQ(results[0][5].item<int64_t>(), 40000);
  EXPECT_EQ(results[0][6].item<int64_t>(), 150000);
  EXPECT_EQ(results[0][7].item<int64_t>(), 40000);
  EXPECT_EQ(results[0][3].item(), 9.0);
}

TEST(ReduceParallel, ChunkedIntegerSumIsExact) {
  ScopedNumThreads guard;
  const Tensor x = arange(100000);  // 0 + ... + 99999 = 99999 * 100000 / 2
  for (int t : {1, 2}) {
    set_num_threads(t);
    EXPECT_EQ(sum(x).item<int64_t>(), int64_t{4999950000});
    EXPECT_EQ(sum(ge(x, scalar_tensor(50000, kInt64))).item<int64_t>(), 50000);
  }
}

}  // namespace
}  // namespace athanor
