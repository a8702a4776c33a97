// src/ops/dropout_test.cpp: dropout's mask (reproducible per seed, dropping a fraction near p),
// its scaling, eval and p = 0 / 1 cases, the gradient (mask * scale) and error messages.
#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/dropout.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

TEST(Dropout, SameSeedGivesTheSameMask) {
  const Tensor x = random_normal({50, 40}, 81);
  Generator a(7), b(7), c(8);
  const Tensor ya = dropout(x, 0.3, true, &a);
  EXPECT_TENSOR_EQ(ya, dropout(x, 0.3, true, &b));
  EXPECT_FALSE(testing::tensors_equal(ya, dropout(x, 0.3, true, &c)));
  // The generator advances: a second draw is a new mask.
  EXPECT_FALSE(testing::tensors_equal(ya, dropout(x, 0.3, true, &a)));
  // The default generator, reseeded, repeats itself too.
  manual_seed(5);
  const Tensor first = dropout(x, 0.3);
  manual_seed(5);
  EXPECT_TENSOR_EQ(first, dropout(x, 0.3));
}

TEST(Dropout, DropsAFractionNearPAndScalesTheRest) {
  for (double p : {0.1, 0.5, 0.8}) {
    SCOPED_TRACE(p);
    Generator gen(9);
    const Tensor x = ones({1000, 1000});
    const Tensor y = dropout(x, p, true, &gen);
    // 1e6 Bernoulli draws: the fraction's standard deviation is at most 5e-4.
    const double dropped = sum(eq(y, zeros({1}))).item() / 1e6;
    EXPECT_NEAR(dropped, p, 3e-3);
    // Every kept value is exactly 1 / (1 - p) in float32, as PyTorch's noise / (1 - p).
    const float scale = 1.0f / static_cast<float>(1.0 - p);
    EXPECT_EQ(sum(logical_or(eq(y, zeros({1})), eq(y, full({1}, scale)))).item(), 1e6);
  }
}

TEST(Dropout, KeptValuesAreTheInputTimesTheScale) {
  Generator gen(10);
  const Tensor x = random_normal({20, 30}, 82);
  const Tensor y = dropout(x, 0.25, true, &gen);
  const Tensor kept = ne(y, zeros({1}, kFloat64));
  EXPECT_TENSOR_NEAR(where(kept, x / 0.75, 0.0), y, 1e-15);
  EXPECT_EQ(y.dtype(), kFloat64);
}

TEST(Dropout, GradientIsTheMaskTimesTheScale) {
  Generator gen(11);
  Tensor x = ones({30, 30}, kFloat64).set_requires_grad();
  const Tensor y = dropout(x, 0.4, true, &gen);
  const Tensor g = random_normal({30, 30}, 83);
  y.backward(g);
  // With x = 1, y is the scaled mask itself.
  EXPECT_TENSOR_EQ(x.grad(), g * y.detach());
}

TEST(Dropout, GradientMatchesFiniteDifferences) {
  // A fresh generator per call, so every evaluation draws the same mask.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        Generator gen(12);
        return dropout(t, 0.3, true, &gen);
      },
      {random_normal({4, 5}, 84)});
}

TEST(Dropout, EvalAndZeroProbabilityAreIdentity) {
  Tensor x = random_normal({3, 4}, 85).set_requires_grad();
  Generator gen(13);
  const GeneratorState before = gen.state();
  EXPECT_TRUE(dropout(x, 0.5, false, &gen).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, true, &gen).is_same(x));
  EXPECT_TRUE(dropout(zeros({0, 3}), 0.5, true, &gen).shape() == (Shape{0, 3}));
  EXPECT_EQ(gen.state().offset, before.offset);  // nothing drawn
}

TEST(Dropout, ProbabilityOneGivesZerosAndZeroGradient) {
  Tensor x = random_normal({3, 4}, 86).set_requires_grad();
  const Tensor y = dropout(x, 1.0);
  EXPECT_TENSOR_EQ(y.detach(), zeros({3, 4}, kFloat64));
  sum(y).backward();
  EXPECT_TENSOR_EQ(x.grad(), zeros({3, 4}, kFloat64));
}

TEST(Dropout, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(dropout(zeros({2}), 1.5),
                            "dropout: expected a probability p in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(dropout(zeros({2}), -0.1),
                            "dropout: expected a probability p in [0, 1], got -0.1");
  EXPECT_THROW_WITH_MESSAGE(dropout(Tensor::from({1, 2}), 0.5),
                            "dropout: expected a floating-point tensor, got int64");
}

}  // namespace
}  // namespace athanor
