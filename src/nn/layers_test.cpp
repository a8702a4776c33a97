// src/nn/layers_test.cpp: the parameter-free layers as modules (activations, Flatten, Identity),
// Dropout's train/eval behaviour and seeding, and the containers' forward.
#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/dropout.h>
#include <athanor/nn/flatten.h>
#include <athanor/nn/linear.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>

#include "testing/matchers.h"

namespace athanor::nn {
namespace {

TEST(ActivationModules, CallTheirOps) {
  const Tensor x = Tensor::from({{-2.0, -0.5, 0.5, 3.0}});
  EXPECT_TENSOR_EQ(ReLU()(x), relu(x));
  EXPECT_TENSOR_EQ(LeakyReLU(0.2)(x), leaky_relu(x, 0.2));
  EXPECT_TENSOR_EQ(ELU(0.5)(x), elu(x, 0.5));
  EXPECT_TENSOR_EQ(GELU("tanh")(x), gelu(x, "tanh"));
  EXPECT_TENSOR_EQ(Sigmoid()(x), sigmoid(x));
  EXPECT_TENSOR_EQ(Tanh()(x), tanh(x));
  EXPECT_TENSOR_EQ(Softplus(2.0)(x), softplus(x, 2.0));
  EXPECT_TENSOR_EQ(Softmax(1)(x), softmax(x, 1));
  EXPECT_TENSOR_EQ(LogSoftmax(-1)(x), log_softmax(x, -1));
  EXPECT_EQ(LeakyReLU(0.2).to_string(), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(Softmax(1).to_string(), "Softmax(dim=1)");
  EXPECT_THROW_WITH_MESSAGE(GELU("fast"), "GELU: approximate must be \"none\" or \"tanh\"");
}

TEST(Flatten, MergesTheGivenDims) {
  EXPECT_EQ(Flatten()(zeros(Shape{2, 3, 4, 5})).shape(), Shape({2, 60}));
  EXPECT_EQ(Flatten(0, 1)(zeros(Shape{2, 3, 4})).shape(), Shape({6, 4}));
  Tensor x = randn(Shape{2, 3});
  EXPECT_TRUE(Identity()(x).is_same(x));
}

TEST(Reshape, ReshapesEachExampleAndKeepsTheBatch) {
  Tensor x = arange(24, kFloat64).reshape({2, 1, 3, 4});
  Tensor y = Reshape({3, -1})(x);
  EXPECT_EQ(y.shape(), Shape({2, 3, 4}));
  EXPECT_TENSOR_EQ(y, x.reshape({2, 3, 4}));
  EXPECT_EQ(Reshape({3, 4}).to_string(), "Reshape(shape=[3, 4])");
  EXPECT_THROW_WITH_MESSAGE(
      Reshape({5})(x),
      "Reshape: cannot give examples of shape [1, 3, 4] (12 elements) the shape [5]");
  EXPECT_THROW_WITH_MESSAGE(Reshape({5, -1})(x), "the shape [5, -1]");
}

TEST(Dropout, ScalesKeptValuesInTrainingAndIsIdentityInEval) {
  Dropout drop(0.25, /*seed=*/3);
  const Tensor x = ones(Shape{1000, 100});
  const std::vector<float> y = drop(x).to_vector<float>();
  int64_t zeros_seen = 0;
  for (float v : y) {
    if (v == 0.0f) {
      ++zeros_seen;
    } else {
      EXPECT_FLOAT_EQ(v, 1.0f / 0.75f);
    }
  }
  // 100000 Bernoulli(0.25) draws: standard deviation ~137.
  EXPECT_NEAR(static_cast<double>(zeros_seen), 25000.0, 700.0);
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x) || testing::tensors_equal(drop(x), x));
}

TEST(Dropout, SameSeedSameMask) {
  Dropout a(0.5, 11), b(0.5, 11);
  const Tensor x = ones(Shape{64});
  EXPECT_TENSOR_EQ(a(x), b(x));
  // The layer's generator advances: the next mask differs.
  EXPECT_FALSE(testing::tensors_equal(a(x), b(zeros(Shape{64}))));
  EXPECT_THROW_WITH_MESSAGE(Dropout(1.5), "Dropout: p must be in [0, 1], got 1.5");
}

TEST(Containers, ResidualAddsTheShortcut) {
  auto lin = std::make_shared<Linear>(3, 3, true, kFloat64);
  lin->weight.copy_(eye(3, {}, kFloat64) * 2.0);
  lin->bias.zero_();
  Residual block(lin);
  const Tensor x = Tensor::from({{1.0, 2.0, 3.0}});
  EXPECT_TENSOR_NEAR(block(x), x * 3.0, 1e-12);
  EXPECT_THAT(block.state_dict().keys(), ::testing::ElementsAre("body.weight", "body.bias"));
  Residual bad(Linear(3, 2));
  EXPECT_THROW_WITH_MESSAGE(bad(x), "Residual: the body's output [1, 2] and the shortcut's [1, 3]");
}

}  // namespace
}  // namespace athanor::nn
