// src/ops/unary_test.cpp: the unary functions: values against <cmath> in float64 and float32,
// gradient checks, non-contiguous inputs, dtype rules, special values and thread-count
// independence.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_uniform;

constexpr double kInf = std::numeric_limits<double>::infinity();

// One unary op, its <cmath> reference and a domain away from singularities.
struct UnaryCase {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*reference)(double);
  double lo, hi;
  bool floating_only;  // false: also defined on int64
};

void PrintTo(const UnaryCase& c, std::ostream* os) { *os << c.name; }

// reference applied to every element of x, in x's dtype.
Tensor apply_reference(const UnaryCase& c, const Tensor& x) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = c.reference(e);
  return Tensor::from(v, x.shape(), x.dtype());
}

const UnaryCase kCases[] = {
    {"neg", &neg, [](double v) { return -v; }, -3, 3, false},
    {"exp", &exp, [](double v) { return std::exp(v); }, -3, 3, true},
    {"log", &log, [](double v) { return std::log(v); }, 0.1, 5, true},
    {"log1p", &log1p, [](double v) { return std::log1p(v); }, -0.9, 5, true},
    {"expm1", &expm1, [](double v) { return std::expm1(v); }, -3, 3, true},
    {"sqrt", &sqrt, [](double v) { return std::sqrt(v); }, 0.1, 5, true},
    {"rsqrt", &rsqrt, [](double v) { return 1 / std::sqrt(v); }, 0.1, 5, true},
    {"abs", &abs, [](double v) { return std::fabs(v); }, -3, 3, false},
    {"sign", &sign, [](double v) { return v > 0   ? 1.0
                                          : v < 0 ? -1.0
                                                  : 0.0; }, -3, 3, false},
    {"sin", &sin, [](double v) { return std::sin(v); }, -4, 4, true},
    {"cos", &cos, [](double v) { return std::cos(v); }, -4, 4, true},
    {"erf", &erf, [](double v) { return std::erf(v); }, -2.5, 2.5, true},
    {"square", &square, [](double v) { return v * v; }, -3, 3, false},
    {"reciprocal", &reciprocal, [](double v) { return 1 / v; }, 0.2, 5, true},
};

class UnaryOps : public ::testing::TestWithParam<UnaryCase> {};

INSTANTIATE_TEST_SUITE_P(All, UnaryOps, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_P(UnaryOps, Float64MatchesCmath) {
  const UnaryCase& c = GetParam();
  const Tensor x = random_uniform({4, 5}, c.lo, c.hi, 11);
  const Tensor y = c.op(x);
  EXPECT_EQ(y.dtype(), kFloat64);
  EXPECT_TENSOR_NEAR(y, apply_reference(c, x), 1e-12);
}

TEST_P(UnaryOps, Float32MatchesCmathToFloatPrecision) {
  const UnaryCase& c = GetParam();
  const Tensor x = to(random_uniform({4, 5}, c.lo, c.hi, 12), kFloat32);
  const Tensor y = c.op(x);
  EXPECT_EQ(y.dtype(), kFloat32);
  // The largest value is exp(3) ~ 20, whose float32 spacing is 2e-6.
  EXPECT_TENSOR_NEAR(y, apply_reference(c, x), 1e-5);
}

TEST_P(UnaryOps, GradientMatchesFiniteDifferences) {
  const UnaryCase& c = GetParam();
  expect_gradients_match_finite_differences(c.op, {random_uniform({3, 4}, c.lo, c.hi, 13)});
}

TEST_P(UnaryOps, GradientThroughTransposedAndSlicedViews) {
  const UnaryCase& c = GetParam();
  const Tensor x = random_uniform({3, 4}, c.lo, c.hi, 14);
  expect_gradients_match_finite_differences([&c](const Tensor& t) { return c.op(t.t()); }, {x});
  expect_gradients_match_finite_differences(
      [&c](const Tensor& t) { return c.op(t.slice(1, 0, 4, 2)); }, {x});
}

TEST_P(UnaryOps, NonContiguousInputsGiveTheContiguousResult) {
  const UnaryCase& c = GetParam();
  const Tensor base = random_uniform({4, 6}, c.lo, c.hi, 15);
  const Tensor row = random_uniform({1, 6}, c.lo, c.hi, 16);
  for (const Tensor& view : {base.t(), base.slice(1, 0, 6, 2), base.slice(0, 1, 4, 2).t(),
                             row.expand({5, 6}), base.select(1, 3)}) {
    ASSERT_FALSE(view.is_contiguous());
    EXPECT_TENSOR_EQ(c.op(view), c.op(view.contiguous()));
    EXPECT_TENSOR_NEAR(c.op(view), apply_reference(c, view), 1e-12);
  }
}

TEST_P(UnaryOps, ScalarAndEmptyTensorsKeepTheirShape) {
  const UnaryCase& c = GetParam();
  const double v = (c.lo + c.hi) / 2 + 0.25;
  const Tensor y = c.op(scalar_tensor(v, kFloat64));
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_DOUBLE_EQ(y.item(), c.reference(v));
  EXPECT_EQ(c.op(zeros({0, 3}, kFloat64)).shape(), (Shape{0, 3}));
}

TEST_P(UnaryOps, IntegerInputFollowsTheDtypeRule) {
  const UnaryCase& c = GetParam();
  const Tensor x = Tensor::from({-2, 0, 3});
  if (c.floating_only) {
    EXPECT_THROW_WITH_MESSAGE(
        c.op(x), std::string(c.name) + ": expected a floating-point tensor, got int64");
  } else {
    const Tensor y = c.op(x);
    EXPECT_EQ(y.dtype(), kInt64);
    EXPECT_TENSOR_EQ(y, to(apply_reference(c, to(x, kFloat64)), kInt64));
  }
}

TEST(UnaryOps, BoolInputIsRefusedWithAHint) {
  const Tensor mask = Tensor::from({true, false});
  EXPECT_THROW_WITH_MESSAGE(neg(mask),
                            "neg: negation is not defined for bool tensors; use logical_not");
  EXPECT_THROW_WITH_MESSAGE(abs(mask), "abs: not defined for bool tensors");
  EXPECT_THROW_WITH_MESSAGE(square(mask), "square: not defined for bool tensors");
  EXPECT_THROW_WITH_MESSAGE(exp(mask), "exp: expected a floating-point tensor, got bool");
}

TEST(UnaryOps, SpecialValuesFollowIeee) {
  const Tensor y = Tensor::from({0.0, -1.0, -kInf, kInf});
  EXPECT_TENSOR_EQ(log(y), Tensor::from({-kInf, std::nan(""), std::nan(""), kInf}));
  EXPECT_TENSOR_EQ(exp(y), Tensor::from({1.0, std::exp(-1.0), 0.0, kInf}));
  EXPECT_TENSOR_EQ(sqrt(y), Tensor::from({0.0, std::nan(""), std::nan(""), kInf}));
  EXPECT_TENSOR_EQ(rsqrt(Tensor::from({0.0, 4.0})), Tensor::from({kInf, 0.5}));
  EXPECT_TENSOR_EQ(reciprocal(Tensor::from({0.0, -4.0})), Tensor::from({kInf, -0.25}));
  EXPECT_TENSOR_EQ(exp(Tensor::from({1000.0f})),
                   Tensor::from({std::numeric_limits<float>::infinity()}));
  EXPECT_TENSOR_EQ(sign(Tensor::from({-0.5, 0.0, 2.0})), Tensor::from({-1.0, 0.0, 1.0}));
}

TEST(UnaryOps, Log1pAndExpm1AreAccurateNearZero) {
  // log1p(x) = x - x^2/2 + ..., expm1(x) = x + x^2/2 + ...: at x = 1e-10 the second terms are
  // 5e-21, far below what log(1 + x) or exp(x) - 1 resolve (1 + 1e-10 rounds at 1e-16).
  EXPECT_NEAR(log1p(Tensor::from({1e-10})).item(), 1e-10 - 5e-21, 1e-26);
  EXPECT_NEAR(expm1(Tensor::from({1e-10})).item(), 1e-10 + 5e-21, 1e-26);
  EXPECT_NEAR(log1p(Tensor::from({1e-7f})).item(), 1e-7, 1e-13);
}

TEST(UnaryOps, KinkGradients) {
  // abs takes gradient 0 at 0 (and sign(x) elsewhere); sign has gradient 0 everywhere.
  Tensor x = Tensor::from({-2.0, 0.0, 3.0}).set_requires_grad();
  sum(abs(x)).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({-1.0, 0.0, 1.0}));
  Tensor z = Tensor::from({-2.0, 0.0, 3.0}).set_requires_grad();
  sum(sign(z) * 5.0).backward();
  EXPECT_TENSOR_EQ(z.grad(), Tensor::from({0.0, 0.0, 0.0}));
}

TEST(UnaryOps, Float32GradientKeepsFloat32) {
  Tensor x = Tensor::from({0.5f, 2.0f}).set_requires_grad();
  sum(sqrt(x)).backward();
  // d sqrt(x) = 1 / (2 sqrt(x)): 1/sqrt(2) and 1/(2 sqrt(2)).
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({0.70710678f, 0.35355339f}), 1e-7);
}

TEST(UnaryOps, LargeTensorsGiveTheSameResultOnOneAndTwoThreads) {
  // 100002 elements: above the 32768 elements at which loops split, and not a multiple of 2 x
  // any run, so chunks start inside runs.
  const Tensor x = random_uniform({334, 301}, -3, 3, 17);
  const UnaryCase& sin_case =
      *std::find_if(std::begin(kCases), std::end(kCases),
                    [](const UnaryCase& c) { return c.name == std::string("sin"); });
  for (const Tensor& in :
       {x, x.t(), x.slice(1, 1, 301, 2), x.select(1, 0).unsqueeze(1).expand({334, 301})}) {
    Tensor one, two;
    {
      ScopedNumThreads t(1);
      one = sin(in);
    }
    {
      ScopedNumThreads t(2);
      two = sin(in);
    }
    EXPECT_TENSOR_EQ(one, two);
    EXPECT_TENSOR_EQ(two, apply_reference(sin_case, in));
  }
}

}  // namespace
}  // namespace athanor
