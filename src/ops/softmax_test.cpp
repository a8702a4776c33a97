// src/ops/softmax_test.cpp: softmax and log_softmax over every dim: values against a direct
// computation, stability with large and infinite inputs, gradient checks, non-contiguous and
// degenerate inputs, error messages and thread-count independence.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// exp(x_i) / sum_j exp(x_j) (or its log) along `dim`, straight from the definition in long
// double, for inputs small enough not to overflow.
Tensor reference(const Tensor& x, int dim, bool log) {
  const Shape shape = x.shape();
  const std::vector<double> v = x.to_vector<double>();
  int64_t outer = 1, n = shape[dim], inner = 1;
  for (int d = 0; d < dim; ++d) outer *= shape[d];
  for (int d = dim + 1; d < shape.rank(); ++d) inner *= shape[d];
  std::vector<double> out(v.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      long double total = 0;
      for (int64_t k = 0; k < n; ++k)
        total +=
            std::exp(static_cast<long double>(v[static_cast<size_t>((o * n + k) * inner + i)]));
      for (int64_t k = 0; k < n; ++k) {
        const size_t at = static_cast<size_t>((o * n + k) * inner + i);
        const long double e = std::exp(static_cast<long double>(v[at]));
        out[at] = static_cast<double>(log ? std::log(e / total) : e / total);
      }
    }
  }
  return Tensor::from(out, shape, x.dtype());
}

TEST(Softmax, EveryDimMatchesTheDefinition) {
  const Tensor x = random_normal({2, 3, 4}, 31);
  for (int dim = 0; dim < 3; ++dim) {
    SCOPED_TRACE(dim);
    EXPECT_TENSOR_NEAR(softmax(x, dim), reference(x, dim, false), 1e-15);
    EXPECT_TENSOR_NEAR(log_softmax(x, dim), reference(x, dim, true), 1e-14);
    // Negative dims count from the end.
    EXPECT_TENSOR_EQ(softmax(x, dim - 3), softmax(x, dim));
    EXPECT_TENSOR_EQ(log_softmax(x, dim - 3), log_softmax(x, dim));
  }
  EXPECT_TENSOR_EQ(softmax(x), softmax(x, 2));
}

TEST(Softmax, HandComputedRow) {
  // softmax([0, log 2, log 5]) = [1, 2, 5] / 8.
  const Tensor x = Tensor::from({0.0, std::log(2.0), std::log(5.0)});
  EXPECT_TENSOR_NEAR(softmax(x), Tensor::from({0.125, 0.25, 0.625}), 1e-16);
  EXPECT_TENSOR_NEAR(log_softmax(x),
                     Tensor::from({std::log(0.125), std::log(0.25), std::log(0.625)}), 1e-15);
}

TEST(Softmax, Float32RowsSumToOne) {
  const Tensor x = to(random_normal({7, 50}, 32) * 3.0, kFloat32);
  const Tensor y = softmax(x, 1);
  EXPECT_EQ(y.dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(sum(y, {1}), ones({7}, kFloat32), 1e-6);
  EXPECT_TENSOR_NEAR(y, reference(x, 1, false), 1e-7);
  EXPECT_TENSOR_NEAR(log_softmax(x, 1), reference(x, 1, true), 1e-5);
}

TEST(Softmax, LargeInputsAreStable) {
  // Shifting a row changes nothing; exp(1000) would overflow a naive float64 implementation and
  // exp(100) a float32 one.
  const Tensor row = Tensor::from({0.0, 1.0, 2.0});
  for (double shift : {1000.0, -1000.0, 1e6}) {
    EXPECT_TENSOR_NEAR(softmax(row + shift), softmax(row), 1e-15);
    EXPECT_TENSOR_NEAR(log_softmax(row + shift), log_softmax(row), 1e-9);
    EXPECT_TENSOR_NEAR(softmax(to(row, kFloat32) + shift), to(softmax(row), kFloat32), 1e-6);
  }
  // log_softmax([1000, 0]) = [-log(1 + e^-1000), -1000 - log(1 + e^-1000)] = [0, -1000], finite
  // even though softmax([1000, 0])[1] underflows to 0.
  EXPECT_TENSOR_EQ(log_softmax(Tensor::from({1000.0, 0.0})), Tensor::from({0.0, -1000.0}));
  EXPECT_TENSOR_EQ(softmax(Tensor::from({1000.0, 0.0})), Tensor::from({1.0, 0.0}));
}

TEST(Softmax, InfiniteEntries) {
  // -inf entries get probability 0 (log-probability -inf); a row of only -inf is 0 / 0 = NaN, as
  // in PyTorch, and leaves the other rows alone.
  const Tensor x = Tensor::from({{-kInf, 0.0, 0.0}, {-kInf, -kInf, -kInf}, {1.0, 1.0, 1.0}});
  EXPECT_TENSOR_EQ(
      softmax(x, 1),
      Tensor::from({{0.0, 0.5, 0.5}, {kNaN, kNaN, kNaN}, {1 / 3.0, 1 / 3.0, 1 / 3.0}}));
  EXPECT_TENSOR_NEAR(log_softmax(x, 1),
                     Tensor::from({{-kInf, -std::log(2.0), -std::log(2.0)},
                                   {kNaN, kNaN, kNaN},
                                   {-std::log(3.0), -std::log(3.0), -std::log(3.0)}}),
                     1e-15);
  // The same along dim 0, for the strided path of the kernel.
  EXPECT_TENSOR_EQ(softmax(x.t(), 0), softmax(x, 1).t());
}

TEST(Softmax, GradientMatchesFiniteDifferencesOnEveryDim) {
  const Tensor x = random_normal({2, 3, 4}, 33);
  for (int dim : {0, 1, 2, -1}) {
    SCOPED_TRACE(dim);
    expect_gradients_match_finite_differences([dim](const Tensor& t) { return softmax(t, dim); },
                                              {x});
    expect_gradients_match_finite_differences(
        [dim](const Tensor& t) { return log_softmax(t, dim); }, {x});
  }
}

TEST(Softmax, GradientThroughNonContiguousViews) {
  const Tensor x = random_normal({3, 4}, 34);
  expect_gradients_match_finite_differences([](const Tensor& t) { return softmax(t.t(), 1); }, {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return log_softmax(t.slice(1, 0, 4, 2), 0); }, {x});
  // An expanded input: each of its copies shares the gradient.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return softmax(t.select(0, 0).expand({2, 4}), 1) * t.select(0, 1);
      },
      {x});
}

TEST(Softmax, ChainedGradientsWithUpstreamWeights) {
  // sum(w * log_softmax(x)) has gradient w - softmax(x) sum(w) (the cross-entropy gradient).
  Tensor x = Tensor::from({1.0, 2.0, 3.0}).set_requires_grad();
  const Tensor w = Tensor::from({0.0, 1.0, 0.0});
  sum(w * log_softmax(x)).backward();
  EXPECT_TENSOR_NEAR(x.grad(), w - softmax(x.detach()), 1e-15);
  // The outputs of softmax sum to 1 whatever x is, so the gradient of the sum is 0.
  Tensor z = random_normal({4}, 35).set_requires_grad();
  sum(softmax(z)).backward();
  EXPECT_TENSOR_NEAR(z.grad(), zeros({4}, kFloat64), 1e-16);
}

TEST(Softmax, NonContiguousInputsGiveTheContiguousResult) {
  const Tensor x = random_normal({5, 6}, 36);
  for (const Tensor& view :
       {x.t(), x.slice(1, 1, 6, 2), x.select(0, 2).unsqueeze(0).expand({3, 6})}) {
    ASSERT_FALSE(view.is_contiguous());
    for (int dim : {0, 1}) {
      EXPECT_TENSOR_EQ(softmax(view, dim), softmax(view.contiguous(), dim));
      EXPECT_TENSOR_EQ(log_softmax(view, dim), log_softmax(view.contiguous(), dim));
    }
  }
}

TEST(Softmax, ScalarSizeOneAndEmptyInputs) {
  // A 0-d tensor is one row of one entry: softmax 1, log_softmax 0, gradient 0.
  const Tensor s = scalar_tensor(3.5, kFloat64);
  EXPECT_EQ(softmax(s).shape(), Shape{});
  EXPECT_EQ(softmax(s).item(), 1.0);
  EXPECT_EQ(log_softmax(s, 0).item(), 0.0);
  expect_gradients_match_finite_differences([](const Tensor& t) { return softmax(t) * t; }, {s});
  expect_gradients_match_finite_differences([](const Tensor& t) { return log_softmax(t) + t; },
                                            {s});
  EXPECT_TENSOR_EQ(softmax(Tensor::from({{2.0}, {-7.0}}), 1), Tensor::from({{1.0}, {1.0}}));
  EXPECT_EQ(softmax(zeros({0, 3}, kFloat64), 1).shape(), (Shape{0, 3}));
  EXPECT_EQ(log_softmax(zeros({3, 0}, kFloat64), 1).shape(), (Shape{3, 0}));
}

TEST(Softmax, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(softmax(Tensor::from({1, 2})),
                            "softmax: expected a floating-point tensor, got int64");
  EXPECT_THROW_WITH_MESSAGE(log_softmax(zeros({2, 3}), 2),
                            "log_softmax: dimension 2 is out of range for a tensor of 2 dimensions "
                            "(valid: -2 to 1)");
  EXPECT_THROW_WITH_MESSAGE(softmax(zeros({2, 3}), -3), "softmax: dimension -3 is out of range");
  EXPECT_THROW_WITH_MESSAGE(softmax(scalar_tensor(1.0), 1),
                            "softmax: dimension 1 is out of range for a tensor of 0 dimensions "
                            "(valid: -1 to 0)");
}

TEST(Softmax, LargeTensorsGiveTheSameResultOnOneAndTwoThreads) {
  Tensor x = random_normal({401, 257}, 37).set_requires_grad();  // 103057 elements
  const Tensor w = random_normal({401, 257}, 38);
  for (int dim : {0, 1}) {
    Tensor y[2], dx[2];
    for (int threads : {1, 2}) {
      ScopedNumThreads t(threads);
      x.set_grad(Tensor());
      y[threads - 1] = softmax(x, dim) + log_softmax(x, dim);
      sum(y[threads - 1] * w).backward();
      dx[threads - 1] = x.grad();
    }
    EXPECT_TENSOR_EQ(y[0], y[1]);
    EXPECT_TENSOR_EQ(dx[0], dx[1]);
    EXPECT_TENSOR_NEAR(y[1], reference(x, dim, false) + reference(x, dim, true), 1e-13);
  }
}

}  // namespace
}  // namespace athanor
