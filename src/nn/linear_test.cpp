// src/nn/linear_test.cpp: Linear: values by hand, PyTorch's default initialization bounds,
// gradients by finite differences, shape errors.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/linear.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::nn {
namespace {

TEST(Linear, ComputesXWTransposePlusBias) {
  Linear lin(2, 3, true, kFloat64);
  lin.weight.copy_(Tensor::from({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}));
  lin.bias.copy_(Tensor::from({0.5, -0.5, 1.0}));
  EXPECT_TENSOR_NEAR(lin(Tensor::from({{1.0, -1.0}})), Tensor::from({{-0.5, -1.5, 0.0}}), 1e-12);
  // Leading dims are batch dims.
  EXPECT_EQ(lin(zeros(Shape{4, 5, 2}, kFloat64)).shape(), Shape({4, 5, 3}));
}

TEST(Linear, InitializesAsPyTorchWithinOneOverSqrtFanIn) {
  manual_seed(0);
  Linear lin(100, 50);
  const double bound = 1.0 / std::sqrt(100.0);
  EXPECT_LE(max(abs(lin.weight)).item<double>(), bound);
  EXPECT_GT(max(abs(lin.weight)).item<double>(), 0.95 * bound);
  EXPECT_LE(max(abs(lin.bias)).item<double>(), bound);
  // U(-b, b) has variance b^2 / 3.
  EXPECT_NEAR(var(lin.weight).item<double>(), bound * bound / 3.0, 0.05 * bound * bound);
}

TEST(Linear, SameSeedSameWeights) {
  manual_seed(7);
  Linear a(5, 4);
  manual_seed(7);
  Linear b(5, 4);
  EXPECT_TENSOR_EQ(a.weight, b.weight);
  EXPECT_TENSOR_EQ(a.bias, b.bias);
}

TEST(Linear, GradientsMatchFiniteDifferences) {
  Linear lin(3, 2, true, kFloat64);
  testing::expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) { return lin(in[0]); }, {testing::random_normal({4, 3})},
      lin.parameters());
}

TEST(Linear, NamesBothFeatureCountsOnAWrongInput) {
  Linear lin(784, 10);
  EXPECT_THROW_WITH_MESSAGE(lin(zeros(Shape{64, 783})),
                            "Linear: input has 783 features, layer expects 784 (input shape "
                            "[64, 783])");
  EXPECT_THROW_WITH_MESSAGE(Linear(0, 3), "Linear: in_features and out_features must be positive");
}

TEST(Linear, PrintsItsOptions) {
  EXPECT_EQ(Linear(3, 2, false).to_string(), "Linear(in_features=3, out_features=2, bias=False)");
}

}  // namespace
}  // namespace athanor::nn
