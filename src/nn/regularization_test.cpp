// src/nn/regularization_test.cpp: l1_penalty and l2_penalty: values, gradients (by hand and by
// finite differences), the weight_decay equivalence, the empty list and errors.
#include <vector>

#include <gtest/gtest.h>

#include <athanor/nn/regularization.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::nn {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

TEST(Penalty, SumsOverEveryParameter) {
  const Tensor a = Tensor::from({{1.0, -2.0}, {0.5, 0.0}}), b = Tensor::from({-3.0});
  // |1| + |-2| + |0.5| + |0| + |-3| = 6.5; 1 + 4 + 0.25 + 0 + 9 = 14.25.
  EXPECT_EQ(l1_penalty({a, b}).item(), 6.5);
  EXPECT_EQ(l2_penalty({a, b}).item(), 14.25);
  EXPECT_EQ(l2_penalty({a, b}).shape(), Shape{});
}

TEST(Penalty, GradientsAreSignAndTwiceTheWeight) {
  Tensor a = Tensor::from({{1.0, -2.0}, {0.5, 0.0}}).set_requires_grad();
  Tensor b = Tensor::from({-3.0}).set_requires_grad();
  (l1_penalty({a, b}) + 0.5 * l2_penalty({a, b})).backward();
  // sign(w) (0 at 0) + w.
  EXPECT_TENSOR_EQ(a.grad(), Tensor::from({{2.0, -3.0}, {1.5, 0.0}}));
  EXPECT_TENSOR_EQ(b.grad(), Tensor::from({-4.0}));
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& p) { return l1_penalty(p) + l2_penalty(p); },
      {random_normal({3, 2}, 1), random_normal({4}, 2)});
}

TEST(Penalty, HalfWeightDecayTimesL2AddsWeightDecayTimesW) {
  // What torch.optim.SGD(weight_decay=wd) adds to a gradient: wd * w.
  const double wd = 0.01;
  Tensor w = random_normal({5, 3}, 3).set_requires_grad();
  const Tensor x = random_normal({5, 3}, 4);
  (sum(w * x) + (wd / 2) * l2_penalty({w})).backward();
  EXPECT_TENSOR_NEAR(w.grad(), x + wd * w.detach(), 1e-15);
}

TEST(Penalty, EmptyListGivesZeroAndBadParametersAreReported) {
  EXPECT_EQ(l1_penalty({}).item(), 0.0);
  EXPECT_EQ(l2_penalty({}).item(), 0.0);
  EXPECT_FALSE(l2_penalty({}).requires_grad());
  EXPECT_THROW_WITH_MESSAGE(l2_penalty({zeros({2}), Tensor::from({1, 2})}),
                            "l2_penalty: parameter 1 (shape [2]) is int64; expected a "
                            "floating-point tensor");
  EXPECT_THROW_WITH_MESSAGE(l1_penalty({Tensor()}), "l1_penalty: parameter 0 is undefined");
}

}  // namespace
}  // namespace athanor::nn
