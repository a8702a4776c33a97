// src/ops/binary_dtype_test.cpp: dtype promotion of the arithmetic ops, scalar_like, the
// operators with tensors and doubles, bool arithmetic errors, and the special cases of pow
// (0^0, base 0, scalar base or exponent) and of maximum / minimum (ties, NaN).
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_uniform;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(BinaryDtypes, MixedOperandsComputeInTheLaterDtype) {
  const Tensor i = Tensor::from({1, -2, 3});           // int64
  const Tensor f = Tensor::from({0.5f, 0.25f, 2.0f});  // float32
  const Tensor d = Tensor::from({0.5, 0.25, 2.0});     // float64
  const Tensor u = Tensor::from({uint8_t{1}, uint8_t{2}, uint8_t{250}});
  const Tensor m = Tensor::from({true, false, true});
  EXPECT_TENSOR_EQ(i + f, Tensor::from({1.5f, -1.75f, 5.0f}));
  EXPECT_TENSOR_EQ(f * i, Tensor::from({0.5f, -0.5f, 6.0f}));
  EXPECT_TENSOR_EQ(f - d, Tensor::from({0.0, 0.0, 0.0}));
  EXPECT_TENSOR_EQ(u + i, Tensor::from({2, 0, 253}));
  EXPECT_TENSOR_EQ(m * i, Tensor::from({1, 0, 3}));
  EXPECT_TENSOR_EQ(maximum(u, m), Tensor::from({uint8_t{1}, uint8_t{2}, uint8_t{250}}));
  EXPECT_TENSOR_EQ(minimum(i, d), Tensor::from({0.5, -2.0, 2.0}));
  // uint8 arithmetic wraps around as in PyTorch: 250 + 250 = 500 - 256.
  EXPECT_TENSOR_EQ(u + u, Tensor::from({uint8_t{2}, uint8_t{4}, uint8_t{244}}));
}

TEST(BinaryDtypes, DivAndPowOfIntegersGiveFloat32) {
  const Tensor a = Tensor::from({7, -7, 2});
  const Tensor b = Tensor::from({2, 2, 3});
  EXPECT_TENSOR_EQ(div(a, b), Tensor::from({3.5f, -3.5f, 2.0f / 3.0f}));
  EXPECT_TENSOR_EQ(a / 4.0, Tensor::from({1.75f, -1.75f, 0.5f}));
  EXPECT_TENSOR_EQ(1.0 / b, Tensor::from({0.5f, 0.5f, 1.0f / 3.0f}));
  EXPECT_TENSOR_EQ(pow(a, b), Tensor::from({49.0f, 49.0f, 8.0f}));
  EXPECT_TENSOR_EQ(div(Tensor::from({true}), Tensor::from({2})), Tensor::from({0.5f}));
}

TEST(BinaryDtypes, ScalarsTakeTheTensorsDtypeUnlessTheyHaveAFraction) {
  EXPECT_TENSOR_EQ(Tensor::from({1, 2}) + 3.0, Tensor::from({4, 5}));
  EXPECT_TENSOR_EQ(Tensor::from({1, 2}) * 1.5, Tensor::from({1.5f, 3.0f}));
  EXPECT_TENSOR_EQ(Tensor::from({1.0f, 2.0f}) * 0.1, Tensor::from({0.1f, 0.2f}));
  EXPECT_TENSOR_EQ(Tensor::from({true, false}) + 1.0, Tensor::from({2, 1}));
  EXPECT_TENSOR_EQ(5.0 - Tensor::from({uint8_t{2}}), Tensor::from({uint8_t{3}}));

  EXPECT_EQ(scalar_like(zeros({2}, kFloat64), 0.5).dtype(), kFloat64);
  EXPECT_EQ(scalar_like(zeros({2}, kFloat32), 3.0).dtype(), kFloat32);
  EXPECT_EQ(scalar_like(zeros({2}, kInt64), 3.0).dtype(), kInt64);
  EXPECT_EQ(scalar_like(zeros({2}, kInt64), 0.5).dtype(), kFloat32);
  EXPECT_EQ(scalar_like(zeros({2}, kUInt8), 7.0).dtype(), kUInt8);
  EXPECT_EQ(scalar_like(zeros({2}, kBool), 1.0).dtype(), kInt64);
  EXPECT_EQ(scalar_like(zeros({2}, kBool), -0.5).dtype(), kFloat32);
  const Tensor s = scalar_like(zeros({2, 3}, kFloat64), -2.25);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.item(), -2.25);
}

TEST(BinaryDtypes, BoolArithmeticIsRefusedWithAHint) {
  const Tensor m = Tensor::from({true, false});
  const std::string hint =
      ": arithmetic on bool tensors is not supported; convert with to(kInt64) or use "
      "logical_and / logical_or";
  EXPECT_THROW_WITH_MESSAGE(add(m, m), "add" + hint);
  EXPECT_THROW_WITH_MESSAGE(m - m, "sub" + hint);
  EXPECT_THROW_WITH_MESSAGE(m * m, "mul" + hint);
  EXPECT_THROW_WITH_MESSAGE(maximum(m, m), "maximum" + hint);
}

TEST(BinaryDtypes, MixedFloatGradientsComeBackInEachInputsDtype) {
  Tensor a = Tensor::from({1.5f, -2.0f}).set_requires_grad();
  Tensor b = Tensor::from({4.0, 0.5}).set_requires_grad();
  const Tensor y = a * b;
  EXPECT_EQ(y.dtype(), kFloat64);
  sum(y).backward();
  EXPECT_TENSOR_EQ(a.grad(), Tensor::from({4.0f, 0.5f}));
  EXPECT_TENSOR_EQ(b.grad(), Tensor::from({1.5, -2.0}));
}

TEST(BinaryOperators, TensorAndDoubleOperandsOnEitherSide) {
  const Tensor x = Tensor::from({2.0, -4.0});
  const Tensor y = Tensor::from({0.5, 8.0});
  EXPECT_TENSOR_EQ(x + y, Tensor::from({2.5, 4.0}));
  EXPECT_TENSOR_EQ(x - y, Tensor::from({1.5, -12.0}));
  EXPECT_TENSOR_EQ(x * y, Tensor::from({1.0, -32.0}));
  EXPECT_TENSOR_EQ(x / y, Tensor::from({4.0, -0.5}));
  EXPECT_TENSOR_EQ(-x, Tensor::from({-2.0, 4.0}));
  EXPECT_TENSOR_EQ(x + 1.0, Tensor::from({3.0, -3.0}));
  EXPECT_TENSOR_EQ(x - 1.0, Tensor::from({1.0, -5.0}));
  EXPECT_TENSOR_EQ(x * 3.0, Tensor::from({6.0, -12.0}));
  EXPECT_TENSOR_EQ(x / 8.0, Tensor::from({0.25, -0.5}));
  EXPECT_TENSOR_EQ(1.0 + x, Tensor::from({3.0, -3.0}));
  EXPECT_TENSOR_EQ(1.0 - x, Tensor::from({-1.0, 5.0}));
  EXPECT_TENSOR_EQ(3.0 * x, Tensor::from({6.0, -12.0}));
  EXPECT_TENSOR_EQ(8.0 / x, Tensor::from({4.0, -2.0}));
}

TEST(BinaryOperators, ScalarOperandGradients) {
  // Each double becomes a constant: only x gets a gradient.
  expect_gradients_match_finite_differences(
      [](const Tensor& x) { return (2.0 - x) * 3.0 + 1.0 / x - x / 4.0 + (x + 0.5) * (x - 1.5); },
      {random_uniform({2, 3}, 0.5, 2, 61)});
}

TEST(BinaryOperators, SameTensorOnBothSides) {
  // x * x: 2x; x / x: 0; x - x: 0; pow(x, x): x^x (log x + 1).
  Tensor x = Tensor::from({0.5, 2.0}).set_requires_grad();
  sum(x * x + x / x + (x - x) + pow(x, x)).backward();
  const auto expected = [](double v) { return 2 * v + std::pow(v, v) * (std::log(v) + 1); };
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({expected(0.5), expected(2.0)}), 1e-15);
}

TEST(Pow, ScalarExponentAndScalarBase) {
  const Tensor x = Tensor::from({0.5, 2.0, 3.0});
  EXPECT_TENSOR_EQ(pow(x, 2.0), Tensor::from({0.25, 4.0, 9.0}));
  EXPECT_TENSOR_NEAR(pow(x, -0.5),
                     Tensor::from({std::sqrt(2.0), std::sqrt(0.5), 1 / std::sqrt(3.0)}), 1e-15);
  EXPECT_TENSOR_EQ(pow(2.0, x), Tensor::from({std::sqrt(2.0), 4.0, 8.0}));
  expect_gradients_match_finite_differences([](const Tensor& t) { return pow(t, 3.0); },
                                            {random_uniform({4}, -2, 2, 62)});
  expect_gradients_match_finite_differences([](const Tensor& t) { return pow(t, -1.5); },
                                            {random_uniform({4}, 0.5, 2, 63)});
  expect_gradients_match_finite_differences([](const Tensor& t) { return pow(2.5, t); },
                                            {random_uniform({4}, -2, 2, 64)});
}

TEST(Pow, NegativeBaseWithIntegralExponent) {
  // (-2)^3 = -8, d/dx x^3 = 3x^2 = 12; a fractional power of a negative base is NaN.
  Tensor x = Tensor::from({-2.0}).set_requires_grad();
  const Tensor y = pow(x, 3.0);
  EXPECT_EQ(y.item(), -8.0);
  y.backward();
  EXPECT_EQ(x.grad().item(), 12.0);
  EXPECT_TRUE(std::isnan(pow(Tensor::from({-2.0}), 0.5).item()));
}

TEST(Pow, ZeroBaseGradients) {
  // 0^0 = 1 with base gradient 0 (not 0 * 0^-1 = NaN); 0^2 = 0 with base gradient 2 * 0 = 0.
  // The exponent's gradient x^y log(x) is 0 at x = 0 for y >= 0 (its limit), not 0 * -inf.
  Tensor base = Tensor::from({0.0, 0.0, 2.0}).set_requires_grad();
  Tensor exponent = Tensor::from({0.0, 2.0, 3.0}).set_requires_grad();
  const Tensor y = pow(base, exponent);
  EXPECT_TENSOR_EQ(y, Tensor::from({1.0, 0.0, 8.0}));
  sum(y).backward();
  EXPECT_TENSOR_EQ(base.grad(), Tensor::from({0.0, 0.0, 12.0}));
  EXPECT_TENSOR_NEAR(exponent.grad(), Tensor::from({0.0, 0.0, 8 * std::log(2.0)}), 1e-15);
}

TEST(Extremum, TiesSplitTheGradientEvenly) {
  Tensor a = Tensor::from({1.0, 2.0, 3.0}).set_requires_grad();
  Tensor b = Tensor::from({1.0, 5.0, -3.0}).set_requires_grad();
  sum(maximum(a, b) + 2.0 * minimum(a, b)).backward();
  // maximum gives a: [1/2, 0, 1], b: [1/2, 1, 0]; minimum (x2) gives a: [1, 2, 0], b: [1, 0, 2].
  EXPECT_TENSOR_EQ(a.grad(), Tensor::from({1.5, 2.0, 1.0}));
  EXPECT_TENSOR_EQ(b.grad(), Tensor::from({1.5, 1.0, 2.0}));
}

TEST(Extremum, TiedBroadcastScalarCollectsItsShares) {
  // maximum(x, 0) with x = [0, 1, -1]: the 0-d operand gets 1/2 + 0 + 1 = 3/2.
  Tensor x = Tensor::from({0.0, 1.0, -1.0}).set_requires_grad();
  Tensor zero = scalar_tensor(0.0, kFloat64).set_requires_grad();
  sum(maximum(x, zero)).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.5, 1.0, 0.0}));
  EXPECT_EQ(zero.grad().shape(), Shape{});
  EXPECT_EQ(zero.grad().item(), 1.5);
}

TEST(Extremum, NaNPropagates) {
  const Tensor a = Tensor::from({kNaN, 1.0, kNaN});
  const Tensor b = Tensor::from({1.0, kNaN, kNaN});
  EXPECT_TENSOR_EQ(maximum(a, b), Tensor::from({kNaN, kNaN, kNaN}));
  EXPECT_TENSOR_EQ(minimum(a, b), Tensor::from({kNaN, kNaN, kNaN}));
  EXPECT_TENSOR_EQ(maximum(to(a, kFloat32), to(b, kFloat32)),
                   to(Tensor::from({kNaN, kNaN, kNaN}), kFloat32));
  EXPECT_TENSOR_EQ(maximum(Tensor::from({3, -4}), Tensor::from({-3, 4})), Tensor::from({3, 4}));
}

}  // namespace
}  // namespace athanor
