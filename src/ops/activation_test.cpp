// src/ops/activation_test.cpp: relu, leaky_relu, elu, gelu (exact and tanh), sigmoid, tanh and
// softplus: values against closed forms, gradient checks, gradients at the kinks and thresholds,
// extreme inputs, non-contiguous inputs and error messages.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/activation.h>
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

struct ActivationCase {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*reference)(double);
};

void PrintTo(const ActivationCase& c, std::ostream* os) { *os << c.name; }

Tensor apply_reference(const ActivationCase& c, const Tensor& x) {
  std::vector<double> v = x.to_vector<double>();
  for (double& e : v) e = c.reference(e);
  return Tensor::from(v, x.shape(), x.dtype());
}

double gelu_tanh_reference(double v) {
  const double k = std::sqrt(2 / M_PI);
  return 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)));
}

// Non-default parameters where an op has them, so that they are seen to be used. softplus with
// beta 2 and threshold 3 puts the inputs in [-3, 3] on both sides of the threshold (x > 1.5).
const ActivationCase kCases[] = {
    {"relu", [](const Tensor& x) { return relu(x); }, [](double v) { return v > 0 ? v : 0; }},
    {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); },
     [](double v) { return v > 0 ? v : 0.2 * v; }},
    {"elu", [](const Tensor& x) { return elu(x, 1.5); },
     [](double v) { return v > 0 ? v : 1.5 * std::expm1(v); }},
    {"gelu", [](const Tensor& x) { return gelu(x); },
     [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }},
    {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }, &gelu_tanh_reference},
    {"sigmoid", [](const Tensor& x) { return sigmoid(x); },
     [](double v) { return 1 / (1 + std::exp(-v)); }},
    {"tanh", [](const Tensor& x) { return tanh(x); }, [](double v) { return std::tanh(v); }},
    {"softplus", [](const Tensor& x) { return softplus(x, 2.0, 3.0); },
     [](double v) { return 2 * v > 3 ? v : std::log1p(std::exp(2 * v)) / 2; }},
};

class Activations : public ::testing::TestWithParam<ActivationCase> {};

INSTANTIATE_TEST_SUITE_P(All, Activations, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_P(Activations, Float64MatchesTheClosedForm) {
  const ActivationCase& c = GetParam();
  const Tensor x = random_uniform({5, 6}, -3, 3, 21);
  EXPECT_TENSOR_NEAR(c.op(x), apply_reference(c, x), 1e-12);
}

TEST_P(Activations, Float32MatchesTheClosedForm) {
  const ActivationCase& c = GetParam();
  const Tensor x = to(random_uniform({5, 6}, -3, 3, 22), kFloat32);
  const Tensor y = c.op(x);
  EXPECT_EQ(y.dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(y, apply_reference(c, x), 2e-6);
}

TEST_P(Activations, GradientMatchesFiniteDifferences) {
  // Uniform in [-3, 3]: the kinks at 0 (and softplus's threshold at 1.5) are hit with probability
  // ~0 at the step 1e-6.
  const ActivationCase& c = GetParam();
  expect_gradients_match_finite_differences(c.op, {random_uniform({4, 5}, -3, 3, 23)});
}

TEST_P(Activations, GradientThroughNonContiguousViews) {
  const ActivationCase& c = GetParam();
  const Tensor x = random_uniform({3, 4}, -3, 3, 24);
  expect_gradients_match_finite_differences([&c](const Tensor& t) { return c.op(t.t()); }, {x});
  expect_gradients_match_finite_differences(
      [&c](const Tensor& t) { return c.op(t.slice(1, 1, 4, 2)); }, {x});
  expect_gradients_match_finite_differences(
      [&c](const Tensor& t) {
        return c.op(t.select(0, 1).expand({2, 4}));
      },
      {x});
}

TEST_P(Activations, NonContiguousInputsGiveTheContiguousResult) {
  const ActivationCase& c = GetParam();
  const Tensor base = random_uniform({4, 6}, -3, 3, 25);
  for (const Tensor& view :
       {base.t(), base.slice(1, 0, 6, 2), base.select(0, 2).unsqueeze(0).expand({3, 6})}) {
    ASSERT_FALSE(view.is_contiguous());
    EXPECT_TENSOR_EQ(c.op(view), c.op(view.contiguous()));
  }
}

TEST_P(Activations, ScalarAndEmptyInputs) {
  const ActivationCase& c = GetParam();
  const Tensor y = c.op(scalar_tensor(-0.7, kFloat64));
  EXPECT_EQ(y.shape(), Shape{});
  EXPECT_NEAR(y.item(), c.reference(-0.7), 1e-15);
  EXPECT_EQ(c.op(zeros({2, 0}, kFloat64)).shape(), (Shape{2, 0}));
}

TEST_P(Activations, IntegerInputIsRefused) {
  const ActivationCase& c = GetParam();
  const std::string op = std::string(c.name) == "gelu_tanh" ? "gelu" : c.name;
  EXPECT_THROW_WITH_MESSAGE(c.op(Tensor::from({1, 2})),
                            op + ": expected a floating-point tensor, got int64");
}

TEST(Activations, TanhOfInt64NamesTheOpAndBothDtypes) {
  // The example message of STYLE.md section 4.
  EXPECT_THROW_WITH_MESSAGE(tanh(Tensor::from({1, 2, 3})),
                            "tanh: expected a floating-point tensor, got int64");
}

TEST(Activations, KnownValues) {
  // Phi(1) = 0.8413447460685429, so gelu(1) = Phi(1) and gelu(-1) = -(1 - Phi(1)).
  EXPECT_TENSOR_NEAR(gelu(Tensor::from({1.0, -1.0, 0.0})),
                     Tensor::from({0.8413447460685429, -0.15865525393145707, 0.0}), 1e-15);
  EXPECT_TENSOR_NEAR(gelu(Tensor::from({1.0, -1.0}), "tanh"),
                     Tensor::from({0.8411919906082768, -0.15880800939172324}), 1e-15);
  EXPECT_TENSOR_NEAR(sigmoid(Tensor::from({0.0, std::log(3.0)})), Tensor::from({0.5, 0.75}), 1e-15);
  EXPECT_TENSOR_NEAR(softplus(Tensor::from({0.0})), Tensor::from({std::log(2.0)}), 1e-15);
  EXPECT_TENSOR_EQ(relu(Tensor::from({-1.0, 0.0, 2.5})), Tensor::from({0.0, 0.0, 2.5}));
  EXPECT_TENSOR_EQ(leaky_relu(Tensor::from({-2.0, 3.0})), Tensor::from({-0.02, 3.0}));
  EXPECT_TENSOR_NEAR(elu(Tensor::from({-1.0, 2.0})), Tensor::from({std::exp(-1.0) - 1, 2.0}),
                     1e-15);
}

TEST(Activations, ReluGradientIsZeroAtZeroAndNaNPassesThrough) {
  Tensor x = Tensor::from({-1.0, 0.0, 2.0}).set_requires_grad();
  sum(relu(x)).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.0, 0.0, 1.0}));
  EXPECT_TENSOR_EQ(relu(Tensor::from({kNaN, -kNaN})), Tensor::from({kNaN, kNaN}));
  EXPECT_TENSOR_EQ(relu(Tensor::from({kNaN}).expand({3})), Tensor::from({kNaN, kNaN, kNaN}));
}

TEST(Activations, EluGradientAtZeroIsAlpha) {
  // Left of 0 the slope is alpha exp(x) -> alpha, as PyTorch's elu_backward gives at x = 0.
  Tensor x = Tensor::from({0.0, -1.0}).set_requires_grad();
  sum(elu(x, 1.5)).backward();
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({1.5, 1.5 * std::exp(-1.0)}), 1e-15);
}

TEST(Activations, LeakyReluGradientAtZeroIsTheSlope) {
  Tensor x = Tensor::from({0.0, 1.0}).set_requires_grad();
  sum(leaky_relu(x, 0.3)).backward();
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({0.3, 1.0}), 1e-15);
}

TEST(Activations, ExtremeInputsGiveFiniteValuesAndGradients) {
  // float32 exp overflows beyond 88.7; the results must still be the limits, with no NaN.
  Tensor x = Tensor::from({-1000.0f, 1000.0f}).set_requires_grad();
  const Tensor y = sigmoid(x) + tanh(x) + elu(x) + softplus(x) + gelu(x) + gelu(x, "tanh");
  // sigmoid + tanh + elu + softplus + gelu + gelu_tanh: at -1000: 0 - 1 - 1 + 0 - 0 - 0; at 1000:
  // 1 + 1 + 1000 + 1000 + 1000 + 1000.
  EXPECT_TENSOR_NEAR(y, Tensor::from({-2.0f, 4002.0f}), 1e-3);
  sum(y).backward();
  // Derivatives at -1000 all vanish; at 1000: 0 + 0 + 1 + 1 + 1 + 1.
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({0.0f, 4.0f}), 1e-6);
}

TEST(Activations, SoftplusIsLinearAboveTheThresholdWithAContinuousGradient) {
  // beta = 2, threshold = 4: linear where 2x > 4. At x = 2 exactly (2x == threshold) the log1p
  // branch applies, with gradient sigmoid(4) (not halved).
  Tensor x = Tensor::from({2.0, 2.5, 1.0}).set_requires_grad();
  const Tensor y = softplus(x, 2.0, 4.0);
  EXPECT_TENSOR_NEAR(
      y, Tensor::from({std::log1p(std::exp(4.0)) / 2, 2.5, std::log1p(std::exp(2.0)) / 2}), 1e-15);
  sum(y).backward();
  const auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({sig(4.0), 1.0, sig(2.0)}), 1e-15);
}

TEST(Activations, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(gelu(Tensor::from({1.0}), "erf"),
                            "gelu: approximate must be \"none\" or \"tanh\", got \"erf\"");
  EXPECT_THROW_WITH_MESSAGE(softplus(Tensor::from({1.0}), -1.0),
                            "softplus: expected beta > 0, got -1");
}

TEST(Activations, LargeTensorsGiveTheSameResultOnOneAndTwoThreads) {
  // 100003 elements, above the 32768 at which loops split; the backward kernels too.
  Tensor x = random_uniform({100003}, -3, 3, 26).set_requires_grad();
  Tensor y[2], dx[2];
  for (int threads : {1, 2}) {
    ScopedNumThreads t(threads);
    x.set_grad(Tensor());
    y[threads - 1] = relu(x) + sigmoid(x) * tanh(x);
    sum(y[threads - 1]).backward();
    dx[threads - 1] = x.grad();
  }
  EXPECT_TENSOR_EQ(y[0], y[1]);
  EXPECT_TENSOR_EQ(dx[0], dx[1]);
  std::vector<double> expected = x.to_vector<double>();
  for (double& v : expected) v = (v > 0 ? v : 0) + std::tanh(v) / (1 + std::exp(-v));
  EXPECT_TENSOR_NEAR(y[1], Tensor::from(expected, {100003}), 1e-12);
}

}  // namespace
}  // namespace athanor
