// src/autograd/engine_test.cpp: backward(): accumulation, explicit gradients, freed graphs,
// detach, no-grad mode, views, memory release and error messages.
#include <limits>

#include <gtest/gtest.h>

#include <athanor/autograd/anomaly_mode.h>
#include <athanor/autograd/node.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/expect_error.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

Tensor leaf(std::initializer_list<double> values) {
  return Tensor::from(values).set_requires_grad();
}

TEST(Backward, AnomalyModeNamesTheOpWhoseBackwardMadeANonFiniteGradient) {
  // sqrt's gradient 1 / (2 sqrt(x)) is inf at 0; the product before it and the sum after are fine.
  auto run = [] {
    Tensor x = Tensor::from({4.0, 0.0, 1.0});
    x.set_requires_grad();
    sum(sqrt(x * 2.0)).backward();
    return x.grad();
  };
  EXPECT_EQ(run().to_vector<double>()[1],
            std::numeric_limits<double>::infinity());  // off: no check
  {
    DetectAnomalyGuard anomaly;
    EXPECT_TRUE(is_anomaly_enabled());
    EXPECT_THROW_WITH_MESSAGE(run(),
                              "backward (anomaly detection): the backward of 'sqrt' produced inf "
                              "in the gradient of its input 0 (shape [3], element 1)");
  }
  EXPECT_FALSE(is_anomaly_enabled());
}

TEST(Backward, ChainRuleOfASquare) {
  Tensor x = leaf({1.0, -2.0, 3.0});
  sum(x * x).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({2.0, -4.0, 6.0}));  // d/dx sum x^2 = 2x
}

TEST(Backward, SumsGradientsOfATensorUsedTwice) {
  Tensor x = leaf({1.0, 2.0});
  sum(x * x + x).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({3.0, 5.0}));  // 2x + 1
}

TEST(Backward, AccumulatesAcrossCalls) {
  Tensor x = leaf({1.0, 2.0});
  sum(3.0 * x).backward();
  sum(3.0 * x).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({6.0, 6.0}));
}

TEST(Backward, LeavesGetTheirOwnGradientBuffers) {
  // add's backward hands the same dy to both inputs; the leaves must not share it.
  Tensor a = leaf({1.0, 2.0});
  Tensor b = leaf({3.0, 4.0});
  sum(a + b).backward();
  a.grad().fill_(5.0);
  EXPECT_TENSOR_EQ(b.grad(), Tensor::from({1.0, 1.0}));
}

TEST(Backward, ExplicitGradientForNonScalar) {
  Tensor x = leaf({1.0, 2.0, 3.0});
  Tensor y = x * x;
  y.backward(Tensor::from({1.0, 0.0, 2.0}));
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({2.0, 0.0, 12.0}));
}

TEST(Backward, NonScalarWithoutGradientIsAnError) {
  Tensor x = leaf({1.0, 2.0});
  EXPECT_THROW_WITH_MESSAGE(
      (x * 2.0).backward(),
      "backward: a gradient must be given for a tensor of shape [2] (2 elements)");
}

TEST(Backward, GradientOfTheWrongShapeIsAnError) {
  Tensor x = leaf({1.0, 2.0});
  EXPECT_THROW_WITH_MESSAGE((x * 2.0).backward(Tensor::from({1.0, 2.0, 3.0})),
                            "backward: the gradient has shape [3], but the tensor has shape [2]");
}

TEST(Backward, TensorWithoutGradIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(sum(Tensor::from({1.0})).backward(),
                            "backward: the tensor does not require grad and has no grad_fn");
}

TEST(Backward, SecondBackwardThroughFreedGraphIsAnError) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = sum(exp(x));
  y.backward();
  EXPECT_THROW_WITH_MESSAGE(y.backward(), "a second time, but its saved values were freed");
}

TEST(Backward, RetainGraphAllowsASecondBackward) {
  Tensor x = leaf({0.0, 1.0});
  Tensor y = sum(exp(x));
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  EXPECT_TENSOR_NEAR(x.grad(), Tensor::from({2.0, 2.0 * std::exp(1.0)}), 1e-12);
}

TEST(Backward, BackwardOnALeafAccumulatesDirectly) {
  Tensor x = leaf({1.0, 2.0});
  x.backward(Tensor::from({0.5, 0.25}));
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.5, 0.25}));
}

TEST(Backward, FlowsThroughViews) {
  Tensor x = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}).set_requires_grad();
  Tensor w = Tensor::from({1.0, 10.0});
  // y = sum over columns of x^T * w: d/dx[i][j] = w[i].
  sum(transpose(x, 0, 1) * w).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({{1.0, 1.0, 1.0}, {10.0, 10.0, 10.0}}));
  Tensor z = Tensor::from({1.0, 2.0, 3.0, 4.0}).set_requires_grad();
  sum(reshape(z, {2, 2}).slice(1, 1, 2) * 3.0).backward();
  EXPECT_TENSOR_EQ(z.grad(), Tensor::from({0.0, 3.0, 0.0, 3.0}));
}

TEST(Backward, GradientsConvertToTheInputDtype) {
  Tensor a = Tensor::from({1.0f, 2.0f}).set_requires_grad();
  Tensor b = Tensor::from({3.0, 4.0});
  sum(a * b).backward();  // computed in float64
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_TENSOR_EQ(a.grad(), Tensor::from({3.0f, 4.0f}));
}

TEST(Backward, HandlesDeepGraphs) {
  Tensor x = leaf({1.0});
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = y * 1.0;
  sum(y).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({1.0}));
  // Dropping y destroys the 20000-node chain without recursing through it.
  std::weak_ptr<Node> node = y.grad_fn();
  y = Tensor();
  EXPECT_TRUE(node.expired());
}

TEST(Detach, CutsTheGraph) {
  Tensor x = leaf({2.0});
  Tensor y = x * x.detach();  // d/dx = x.detach() only
  EXPECT_FALSE(x.detach().requires_grad());
  y.backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({2.0}));
}

TEST(NoGrad, RecordsNothingAndRestores) {
  Tensor x = leaf({1.0});
  {
    NoGradGuard outer;
    { NoGradGuard inner; }
    EXPECT_FALSE(is_grad_enabled());
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Graph, IsReleasedWhenTheOutputIsDropped) {
  Tensor x = leaf({1.0, 2.0});
  Tensor y = exp(x);
  std::weak_ptr<Node> node = y.grad_fn();
  ASSERT_FALSE(node.expired());
  EXPECT_STREQ(node.lock()->name(), "exp");
  y = Tensor();
  EXPECT_TRUE(node.expired());
}

TEST(Graph, BackwardFreesSavedTensors) {
  Tensor x = leaf({1.0, 2.0});
  Tensor e = exp(x);
  std::weak_ptr<Storage> saved = e.storage();  // exp's node saves its output
  Tensor s = sum(e);
  e = Tensor();
  EXPECT_FALSE(saved.expired());
  s.backward();
  EXPECT_TRUE(saved.expired());  // the graph let go of it
}

TEST(RequiresGrad, LeafAndNonLeaf) {
  Tensor x = leaf({1.0});
  Tensor y = x * 2.0;
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_STREQ(y.grad_fn()->name(), "mul");
  EXPECT_THROW_WITH_MESSAGE(y.set_requires_grad(false),
                            "set_requires_grad: this tensor was produced by 'mul'");
  EXPECT_THROW_WITH_MESSAGE(
      Tensor::from({1, 2}).set_requires_grad(),
      "set_requires_grad: only floating-point tensors can require gradients, got int64");
}

TEST(RequiresGrad, IntegerResultsCarryNoGradient) {
  Tensor x = leaf({1.5, 2.5});
  EXPECT_FALSE(x.to(kInt64).requires_grad());
  EXPECT_FALSE((x > 2.0).requires_grad());
}

}  // namespace
}  // namespace athanor
