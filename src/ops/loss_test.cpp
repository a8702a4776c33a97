// src/ops/loss_test.cpp: the elementwise losses (mse, l1, smooth L1, Huber, both binary
// cross-entropies, hinge): values against PyTorch 1.13, gradient checks for every input and
// option, edge values and error messages.
//
// References: /usr/bin/python3 with torch 1.13, float64, on the tensors kX / kT below, e.g.
//   F.mse_loss(x, t, reduction='none').tolist()
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;
using testing::random_uniform;

constexpr Reduction kReductions[] = {Reduction::kNone, Reduction::kMean, Reduction::kSum};

// x = torch.tensor([[0.5, -1.2, 3.0], [2.0, 0.1, -0.4]]); t likewise. |x - t| is
// [[0.5, 0.2, 2.5], [2.5, 0.2, 1.0]]: no element at 0 or at 0.5 / 1 (the kinks).
Tensor input() { return Tensor::from({{0.5, -1.2, 3.0}, {2.0, 0.1, -0.4}}); }
Tensor target() { return Tensor::from({{1.0, -1.0, 0.5}, {-0.5, 0.3, 0.6}}); }

TEST(RegressionLoss, MatchPyTorch) {
  const Tensor x = input(), t = target();
  // F.mse_loss(x, t, reduction='none')
  EXPECT_TENSOR_NEAR(mse_loss(x, t, Reduction::kNone),
                     Tensor::from({{0.25, 0.04, 6.25}, {6.25, 0.04, 1.0}}), 1e-15);
  EXPECT_NEAR(mse_loss(x, t).item(), 2.305, 1e-15);
  EXPECT_NEAR(mse_loss(x, t, Reduction::kSum).item(), 13.83, 1e-14);
  // F.l1_loss
  EXPECT_TENSOR_NEAR(l1_loss(x, t, Reduction::kNone),
                     Tensor::from({{0.5, 0.2, 2.5}, {2.5, 0.2, 1.0}}), 1e-15);
  EXPECT_NEAR(l1_loss(x, t).item(), 1.15, 1e-15);
  EXPECT_NEAR(l1_loss(x, t, Reduction::kSum).item(), 6.9, 1e-15);
  // F.smooth_l1_loss(x, t, beta=0.5)
  EXPECT_TENSOR_NEAR(smooth_l1_loss(x, t, Reduction::kNone, 0.5),
                     Tensor::from({{0.25, 0.04, 2.25}, {2.25, 0.04, 0.75}}), 1e-15);
  EXPECT_NEAR(smooth_l1_loss(x, t, Reduction::kMean, 0.5).item(), 0.93, 1e-15);
  EXPECT_NEAR(smooth_l1_loss(x, t, Reduction::kSum, 0.5).item(), 5.58, 1e-14);
  EXPECT_NEAR(smooth_l1_loss(x, t).item(), 0.7775, 1e-15);  // beta = 1
  // F.huber_loss(x, t, delta=0.5)
  EXPECT_TENSOR_NEAR(huber_loss(x, t, Reduction::kNone, 0.5),
                     Tensor::from({{0.125, 0.02, 1.125}, {1.125, 0.02, 0.375}}), 1e-15);
  EXPECT_NEAR(huber_loss(x, t, Reduction::kMean, 0.5).item(), 0.465, 1e-15);
  EXPECT_NEAR(huber_loss(x, t, Reduction::kSum, 0.5).item(), 2.79, 1e-14);
  EXPECT_NEAR(huber_loss(x, t).item(), 0.7775, 1e-15);  // delta = 1 equals smooth L1, beta = 1
}

TEST(RegressionLoss, SmoothL1WithBetaZeroIsL1AndHuberIsDeltaTimesSmoothL1) {
  const Tensor x = random_normal({4, 5}, 11), t = random_normal({4, 5}, 12);
  EXPECT_TENSOR_EQ(smooth_l1_loss(x, t, Reduction::kNone, 0.0), l1_loss(x, t, Reduction::kNone));
  EXPECT_TENSOR_NEAR(huber_loss(x, t, Reduction::kNone, 0.7),
                     0.7 * smooth_l1_loss(x, t, Reduction::kNone, 0.7), 1e-15);
}

TEST(RegressionLoss, GradientsMatchFiniteDifferences) {
  for (Reduction r : kReductions) {
    SCOPED_TRACE(static_cast<int>(r));
    const std::vector<Tensor> args = {input(), target()};
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) { return mse_loss(a[0], a[1], r); }, args);
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) { return l1_loss(a[0], a[1], r); }, args);
    for (double beta : {0.0, 0.5, 1.5}) {
      expect_gradients_match_finite_differences(
          [r, beta](const std::vector<Tensor>& a) { return smooth_l1_loss(a[0], a[1], r, beta); },
          args);
    }
    for (double delta : {0.5, 1.5}) {
      expect_gradients_match_finite_differences(
          [r, delta](const std::vector<Tensor>& a) { return huber_loss(a[0], a[1], r, delta); },
          args);
    }
  }
}

TEST(RegressionLoss, GradientsAtTheKinksAreThoseOfPyTorch) {
  // |d| = 0: l1 gives 0 (sign(0)); at |d| = beta the quadratic side's d / beta = 1 = sign(d).
  Tensor x = Tensor::from({1.0, 2.0, -1.0}).set_requires_grad();
  const Tensor t = Tensor::from({1.0, 1.0, 0.0});
  l1_loss(x, t, Reduction::kSum).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.0, 1.0, -1.0}));
  x.set_grad(Tensor());
  smooth_l1_loss(x, t, Reduction::kSum, 1.0).backward();
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({0.0, 1.0, -1.0}));
}

TEST(RegressionLoss, Float32AndEmptyInputs) {
  const Tensor x = to(input(), kFloat32), t = to(target(), kFloat32);
  EXPECT_EQ(mse_loss(x, t).dtype(), kFloat32);
  EXPECT_NEAR(mse_loss(x, t).item(), 2.305, 1e-6);
  // A float64 target is converted to the input's dtype; so is an integer one.
  EXPECT_EQ(mse_loss(x, target()).dtype(), kFloat32);
  EXPECT_NEAR(l1_loss(Tensor::from({1.5, 2.0}), Tensor::from({1, 4})).item(), 1.25, 1e-15);
  // The mean of no elements is NaN, the sum 0 (as PyTorch).
  EXPECT_TRUE(std::isnan(mse_loss(zeros({0}), zeros({0})).item()));
  EXPECT_EQ(mse_loss(zeros({0}), zeros({0}), Reduction::kSum).item(), 0.0);
}

TEST(RegressionLoss, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(mse_loss(zeros({2, 3}), zeros({3})),
                            "mse_loss: input has shape [2, 3] but target has shape [3]; expected "
                            "equal shapes");
  EXPECT_THROW_WITH_MESSAGE(l1_loss(Tensor::from({1, 2}), Tensor::from({1, 2})),
                            "l1_loss: expected a floating-point tensor, got int64");
  EXPECT_THROW_WITH_MESSAGE(smooth_l1_loss(zeros({2}), zeros({2}), Reduction::kMean, -1.0),
                            "smooth_l1_loss: expected beta >= 0, got -1");
  EXPECT_THROW_WITH_MESSAGE(huber_loss(zeros({2}), zeros({2}), Reduction::kMean, 0.0),
                            "huber_loss: expected delta > 0, got 0");
}

// p = [[0.2, 0.9, 0.5], [0.0, 1.0, 0.7]] (including both ends), y likewise, w = [0.5, 2, 1].
Tensor probabilities() { return Tensor::from({{0.2, 0.9, 0.5}, {0.0, 1.0, 0.7}}); }
Tensor labels() { return Tensor::from({{0.0, 1.0, 0.3}, {1.0, 0.0, 1.0}}); }
Tensor class_weight() { return Tensor::from({0.5, 2.0, 1.0}); }

TEST(BinaryCrossEntropy, MatchesPyTorchWithClampedLogs) {
  const Tensor p = probabilities(), y = labels();
  BCEOptions o{.weight = class_weight(), .reduction = Reduction::kNone};
  // F.binary_cross_entropy(p, y, weight=w, reduction='none'): log 0 is clamped to -100.
  EXPECT_TENSOR_NEAR(binary_cross_entropy(p, y, o),
                     Tensor::from({{0.11157177565710485, 0.21072103131565256, 0.6931471805599453},
                                   {50.0, 200.0, 0.35667494393873245}}),
                     1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(binary_cross_entropy(p, y, o).item(), 41.895352488578574, 1e-13);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(binary_cross_entropy(p, y, o).item(), 251.37211493147143, 1e-12);
}

TEST(BinaryCrossEntropy, GradientsAtTheEndsAreFiniteAsInPyTorch) {
  Tensor p = probabilities().set_requires_grad();
  Tensor y = labels().set_requires_grad();
  binary_cross_entropy(p, y, {.reduction = Reduction::kSum}).backward();
  // p.grad from PyTorch: (p - y) / max(p (1 - p), 1e-12f).
  EXPECT_TENSOR_NEAR(p.grad(),
                     Tensor::from({{1.2499999999999998, -1.1111111111111112, 0.8},
                                   {-1000000003995.8029, 1000000003995.8029, -1.4285714285714286}}),
                     1e-3);
  // y.grad: log(1 - p) - log(p), clamped at -100 like the forward (PyTorch gives inf, -inf).
  EXPECT_TENSOR_NEAR(y.grad(),
                     Tensor::from({{1.3862943611198906, -2.1972245773362196, 0.0},
                                   {100.0, -100.0, -0.8472978603872034}}),
                     1e-15);
}

TEST(BinaryCrossEntropy, GradientsMatchFiniteDifferences) {
  const Tensor p = random_uniform({2, 3}, 0.1, 0.9, 21), y = random_uniform({2, 3}, 0, 1, 22);
  for (Reduction r : kReductions) {
    SCOPED_TRACE(static_cast<int>(r));
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) {
          return binary_cross_entropy(a[0], a[1], {.reduction = r});
        },
        {p, y});
    // An elementwise weight, broadcast along rows, gets its gradient too.
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) {
          return binary_cross_entropy(a[0], a[1], {.weight = a[2], .reduction = r});
        },
        {p, y, class_weight()});
  }
}

// Logits including 0 (sigmoid's midpoint) and +-1000 (exp(1000) overflows a naive formula).
Tensor logits() { return Tensor::from({{0.0, 2.5, -1.5}, {-1000.0, 1000.0, 30.0}}); }
Tensor pos_weight() { return Tensor::from({3.0, 0.5, 1.0}); }

TEST(BinaryCrossEntropyWithLogits, MatchesPyTorchAndIsStable) {
  const Tensor x = logits(), y = labels();
  // F.binary_cross_entropy_with_logits(x, y, reduction='none')
  EXPECT_TENSOR_NEAR(binary_cross_entropy_with_logits(x, y, {.reduction = Reduction::kNone}),
                     Tensor::from({{0.6931471805599453, 0.07888973429254957, 0.6514132779827526},
                                   {1000.0, 1000.0, 9.348077867343381e-14}}),
                     1e-15);
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, y).item(), 333.57057503213923, 1e-12);
  // ... with weight=w, pos_weight=pw
  BCEOptions o{.weight = class_weight(), .pos_weight = pos_weight(), .reduction = Reduction::kNone};
  EXPECT_TENSOR_NEAR(binary_cross_entropy_with_logits(x, y, o),
                     Tensor::from({{0.34657359027997264, 0.07888973429254957, 0.6514132779827526},
                                   {1500.0, 2000.0, 9.348077867343381e-14}}),
                     1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, y, o).item(), 583.5128127670926, 1e-12);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(binary_cross_entropy_with_logits(x, y, o).item(), 3501.0768766025553, 1e-12);
  // Equal to binary_cross_entropy of sigmoid(x) where that is accurate.
  const Tensor mid = random_normal({3, 4}, 23), t = random_uniform({3, 4}, 0, 1, 24);
  EXPECT_TENSOR_NEAR(
      binary_cross_entropy_with_logits(mid, t, {.reduction = Reduction::kNone}),
      binary_cross_entropy(1.0 / (1.0 + exp(-mid)), t, {.reduction = Reduction::kNone}), 1e-14);
}

TEST(BinaryCrossEntropyWithLogits, GradientsMatchPyTorch) {
  Tensor x = logits().set_requires_grad();
  Tensor y = labels().set_requires_grad();
  binary_cross_entropy_with_logits(x, y, {.pos_weight = pos_weight(), .reduction = Reduction::kSum})
      .backward();
  // At x = 0, y = 0, the gradient is sigmoid(0) = 0.5, not a kink's 0.
  EXPECT_TENSOR_NEAR(x.grad(),
                     Tensor::from({{0.5, -0.037929090010621724, -0.11757447619364364},
                                   {-3.0, 1.0, -9.348077867343818e-14}}),
                     1e-15);
  EXPECT_TENSOR_NEAR(
      y.grad(),
      Tensor::from({{1.3862943611198904, -2.539444867146275, 1.5}, {3000.0, -1000.0, -30.0}}),
      1e-12);
}

TEST(BinaryCrossEntropyWithLogits, GradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({2, 3}, 25) * 2.0, y = random_uniform({2, 3}, 0, 1, 26);
  for (Reduction r : kReductions) {
    SCOPED_TRACE(static_cast<int>(r));
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) {
          return binary_cross_entropy_with_logits(a[0], a[1], {.reduction = r});
        },
        {x, y});
    // weight [2, 1] and pos_weight [3], both differentiable.
    expect_gradients_match_finite_differences(
        [r](const std::vector<Tensor>& a) {
          return binary_cross_entropy_with_logits(
              a[0], a[1], {.weight = a[2], .pos_weight = a[3], .reduction = r});
        },
        {x, y, Tensor::from({{0.7}, {1.3}}), pos_weight()});
  }
}

TEST(BinaryCrossEntropy, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(
      binary_cross_entropy(Tensor::from({{0.5, 1.5}}), Tensor::from({{0.0, 1.0}})),
      "binary_cross_entropy: input 1.5 (at position [0, 1]) is not a probability; expected every "
      "element of the input in [0, 1]");
  EXPECT_THROW_WITH_MESSAGE(binary_cross_entropy(Tensor::from({0.5}), Tensor::from({1.0}),
                                                 {.pos_weight = Tensor::from({2.0})}),
                            "binary_cross_entropy: pos_weight is not supported here; use "
                            "binary_cross_entropy_with_logits");
  EXPECT_THROW_WITH_MESSAGE(
      binary_cross_entropy_with_logits(zeros({2, 3}), zeros({3})),
      "binary_cross_entropy_with_logits: input has shape [2, 3] but target has shape [3]");
  EXPECT_THROW_WITH_MESSAGE(
      binary_cross_entropy_with_logits(zeros({2, 3}), zeros({2, 3}), {.pos_weight = ones({2})}),
      "binary_cross_entropy_with_logits: pos_weight of shape [2] does not broadcast to the "
      "input's shape [2, 3]");
  EXPECT_THROW_WITH_MESSAGE(
      binary_cross_entropy(full({2}, 0.5), zeros({2}), {.weight = ones({1, 2})}),
      "binary_cross_entropy: weight of shape [1, 2] does not broadcast to the input's shape [2]");
}

TEST(HingeLoss, HandComputedValues) {
  // max(0, 1 - y s): s = [2, 0.5, -0.3, 0.2], y = [1, 1, -1, -1] -> [0, 0.5, 0.7, 1.2].
  const Tensor s = Tensor::from({2.0, 0.5, -0.3, 0.2});
  const Tensor y = Tensor::from({1, 1, -1, -1});  // integer labels are converted
  EXPECT_TENSOR_NEAR(hinge_loss(s, y, Reduction::kNone), Tensor::from({0.0, 0.5, 0.7, 1.2}), 1e-15);
  EXPECT_NEAR(hinge_loss(s, y).item(), 0.6, 1e-15);
  // margin 2: max(0, 2 - y s) = [0, 1.5, 1.7, 2.2].
  EXPECT_NEAR(hinge_loss(s, y, Reduction::kSum, 2.0).item(), 5.4, 1e-15);
  // d/ds = -y where the margin is violated, else 0.
  Tensor sg = s.clone().set_requires_grad();
  hinge_loss(sg, y, Reduction::kSum).backward();
  EXPECT_TENSOR_EQ(sg.grad(), Tensor::from({0.0, -1.0, 1.0, 1.0}));
}

TEST(HingeLoss, GradientsMatchFiniteDifferences) {
  const Tensor y = Tensor::from({{1.0, -1.0, -1.0}, {1.0, 1.0, -1.0}});
  for (Reduction r : kReductions) {
    expect_gradients_match_finite_differences(
        [r, y](const Tensor& s) { return hinge_loss(s, y, r, 1.5); }, {random_normal({2, 3}, 27)});
  }
}

TEST(HingeLoss, RejectsLabelsOtherThanPlusMinusOne) {
  EXPECT_THROW_WITH_MESSAGE(
      hinge_loss(zeros({2, 2}), Tensor::from({{1.0, -1.0}, {0.0, 1.0}})),
      "hinge_loss: target 0 (at position [1, 0]) is not a label; expected -1 or +1");
}

}  // namespace
}  // namespace athanor
