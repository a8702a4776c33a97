// src/nn/init_test.cpp: initializers: fans, gains, the spread each one promises (statistically, on
// large tensors), orthogonality, determinism, errors.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/init.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/matchers.h"

namespace athanor::nn::init {
namespace {

double max_abs(const Tensor& t) { return max(abs(t)).item<double>(); }
double stddev(const Tensor& t) { return athanor::std(t).item<double>(); }

TEST(Init, FansOfLinearAndConvolutionWeights) {
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty(Shape{10, 20})), std::make_pair(20L, 10L));
  EXPECT_EQ(calculate_fan_in_and_fan_out(empty(Shape{16, 3, 5, 5})), std::make_pair(75L, 400L));
  EXPECT_THROW_WITH_MESSAGE(calculate_fan_in_and_fan_out(empty(Shape{5})),
                            "at least 2 dimensions, got shape [5]");
}

TEST(Init, GainsAsPyTorch) {
  EXPECT_DOUBLE_EQ(calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("conv2d"), 1.0);
  EXPECT_DOUBLE_EQ(calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_DOUBLE_EQ(calculate_gain("selu"), 0.75);
  EXPECT_THROW_WITH_MESSAGE(calculate_gain("swish"), "unknown nonlinearity 'swish'");
}

TEST(Init, XavierUniformBoundAndSpread) {
  Tensor w = empty(Shape{300, 200});
  xavier_uniform_(w, 2.0);
  const double b = 2.0 * std::sqrt(6.0 / 500.0);
  EXPECT_LE(max_abs(w), b);
  EXPECT_GT(max_abs(w), 0.99 * b);
  EXPECT_NEAR(stddev(w), b / std::sqrt(3.0), 0.01 * b);
}

TEST(Init, XavierNormalSpread) {
  Tensor w = empty(Shape{300, 200}, kFloat64);
  xavier_normal_(w);
  EXPECT_NEAR(stddev(w), std::sqrt(2.0 / 500.0), 0.01 * std::sqrt(2.0 / 500.0));
  EXPECT_NEAR(mean(w).item<double>(), 0.0, 0.01 * std::sqrt(2.0 / 500.0));
}

TEST(Init, KaimingUniformAndNormalUseTheChosenFan) {
  Tensor w = empty(Shape{64, 32, 3, 3});  // fan_in 288, fan_out 576
  kaiming_uniform_(w, {.nonlinearity = "relu"});
  const double b = std::sqrt(2.0) * std::sqrt(3.0 / 288.0);
  EXPECT_LE(max_abs(w), b);
  EXPECT_GT(max_abs(w), 0.99 * b);
  kaiming_normal_(w, {.mode = FanMode::kFanOut, .nonlinearity = "relu"});
  EXPECT_NEAR(stddev(w), std::sqrt(2.0 / 576.0), 0.02 * std::sqrt(2.0 / 576.0));
}

TEST(Init, OrthogonalRowsOrColumnsAreOrthonormal) {
  for (Shape shape : {Shape{6, 10}, Shape{10, 6}, Shape{4, 2, 3}}) {
    Tensor w = empty(shape, kFloat64);
    orthogonal_(w, 1.5);
    Tensor m = w.reshape(Shape{shape[0], w.numel() / shape[0]});
    Tensor gram = m.shape(0) <= m.shape(1) ? matmul(m, m.t()) : matmul(m.t(), m);
    const int64_t k = gram.shape(0);
    EXPECT_TENSOR_NEAR(gram, eye(k, {}, kFloat64) * 2.25, 1e-12) << to_string(shape);
  }
}

TEST(Init, SameGeneratorStateSameValues) {
  Generator g1(5), g2(5);
  Tensor a = empty(Shape{7, 3}), b = empty(Shape{7, 3});
  kaiming_normal_(a, {}, &g1);
  kaiming_normal_(b, {}, &g2);
  EXPECT_TENSOR_EQ(a, b);
}

TEST(Init, ConstantsAndRejectedDtypes) {
  Tensor w = empty(Shape{2, 2});
  constant_(w, 0.25);
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(4, 0.25f));
  ones_(w);
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(4, 1.0f));
  zeros_(w);
  EXPECT_EQ(w.to_vector<float>(), std::vector<float>(4, 0.0f));
  EXPECT_THROW_WITH_MESSAGE(normal_(empty(Shape{2}, kInt64)),
                            "normal_: expected a floating-point tensor, got int64");
}

}  // namespace
}  // namespace athanor::nn::init
