// src/nn/conv_test.cpp: Conv1d/Conv2d and the pooling modules: parameter shapes and PyTorch's
// default initialization, options reaching the op, printing, errors naming the layer and shapes.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/pooling.h>
#include <athanor/ops/conv.h>
#include <athanor/ops/pool.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::nn {
namespace {

TEST(Conv2d, ParametersAndInitializationAsPyTorch) {
  manual_seed(0);
  Conv2d conv(4, 8, {3, 5}, {.groups = 2});
  EXPECT_EQ(conv.weight.shape(), Shape({8, 2, 3, 5}));
  EXPECT_EQ(conv.bias.shape(), Shape({8}));
  const double bound = 1.0 / std::sqrt(2.0 * 3 * 5);  // fan_in = in / groups * kH * kW
  EXPECT_LE(max(abs(conv.weight)).item<double>(), bound);
  EXPECT_GT(max(abs(conv.weight)).item<double>(), 0.8 * bound);
  EXPECT_LE(max(abs(conv.bias)).item<double>(), bound);
  EXPECT_FALSE(Conv2d(1, 2, 3, {.bias = false}).bias.defined());
}

TEST(Conv2d, ForwardPassesEveryOptionToTheOp) {
  Conv2d conv(2, 4, 3, {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .groups = 2});
  const Tensor x = randn(Shape{2, 2, 9, 8});
  const Tensor y = conv(x);
  EXPECT_EQ(y.shape(), Shape({2, 4, 5, 6}));
  EXPECT_TENSOR_EQ(y, conv2d(x, conv.weight, conv.bias, {2, 1}, {1, 1}, {1, 2}, 2));
  EXPECT_EQ(conv.to_string(),
            "Conv2d(2, 4, kernel_size=(3, 3), stride=(2, 1), padding=(1, 1), dilation=(1, 2), "
            "groups=2)");
}

TEST(Conv2d, GradientsOfInputWeightAndBias) {
  Conv2d conv(2, 2, 2, {.padding = 1, .dtype = kFloat64});
  testing::expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) { return conv(in[0]); },
      {testing::random_normal({1, 2, 3, 3})}, conv.parameters());
}

TEST(Conv2d, ErrorsNameTheExpectedLayout) {
  Conv2d conv(1, 4, 3);
  EXPECT_THROW_WITH_MESSAGE(conv(zeros(Shape{3, 28, 28})),
                            "conv2d: expected input of shape [N, C, H, W], got [3, 28, 28]");
  EXPECT_THROW_WITH_MESSAGE(Conv2d(3, 4, 3, {.groups = 2}),
                            "Conv2d: groups=2 must divide in_channels=3 and out_channels=4");
}

TEST(Conv1d, ShapesAndPrinting) {
  Conv1d conv(4, 6, 3, {.stride = 2, .padding = 1, .groups = 2, .bias = false});
  EXPECT_EQ(conv.weight.shape(), Shape({6, 2, 3}));
  EXPECT_EQ(conv(randn(Shape{2, 4, 10})).shape(), Shape({2, 6, 5}));
  EXPECT_EQ(conv.to_string(),
            "Conv1d(4, 6, kernel_size=(3,), stride=(2,), padding=(1,), groups=2, bias=False)");
}

TEST(Pooling, ModulesCallTheirOpsWithStrideDefaultingToTheKernel) {
  const Tensor x = randn(Shape{2, 3, 8, 7});
  EXPECT_TENSOR_EQ(MaxPool2d(2)(x), max_pool2d(x, {2, 2}, {2, 2}));
  EXPECT_TENSOR_EQ(MaxPool2d(3, {.stride = 2, .padding = 1, .ceil_mode = true})(x),
                   max_pool2d(x, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true));
  EXPECT_TENSOR_EQ(AvgPool2d(3, {.stride = 2, .padding = 1, .count_include_pad = false})(x),
                   avg_pool2d(x, {3, 3}, {2, 2}, {1, 1}, false, false));
  EXPECT_EQ(AdaptiveAvgPool2d({3, 2})(x).shape(), Shape({2, 3, 3, 2}));
  EXPECT_TENSOR_NEAR(AdaptiveAvgPool2d(1)(x), mean(x, {2, 3}, true), 1e-6);
  EXPECT_EQ(MaxPool2d(2).to_string(),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
}

}  // namespace
}  // namespace athanor::nn
