// src/ops/loss_classification_test.cpp: cross_entropy (class indices and probabilities), nll_loss
// and multi_margin_loss: values against PyTorch 1.13 for every option (weights, ignore_index,
// label smoothing, reductions, 1-D and 4-D inputs), gradient checks, edge cases, errors and
// thread-count independence.
//
// References: /usr/bin/python3 with torch 1.13, float64, on kX, kY, kW below, e.g.
//   F.cross_entropy(x, y, weight=w, reduction='none', label_smoothing=0.2).tolist()
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/activation.h>
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

// x: 3 samples, 4 classes; y: classes; y_ignored: the second sample ignored (-100).
Tensor logits() {
  return Tensor::from({{1.0, -0.5, 2.0, 0.3}, {0.2, 0.1, -1.0, 1.5}, {-2.0, 0.7, 0.0, 0.4}});
}
Tensor classes() { return Tensor::from({2, 0, 3}); }
Tensor classes_ignored() { return Tensor::from({2, -100, 3}); }
Tensor class_weight() { return Tensor::from({0.5, 2.0, 1.0, 3.0}); }

TEST(CrossEntropy, ClassIndicesMatchPyTorch) {
  const Tensor x = logits(), y = classes();
  // F.cross_entropy(x, y, reduction='none')
  EXPECT_TENSOR_NEAR(cross_entropy(x, y, {.reduction = Reduction::kNone}),
                     Tensor::from({0.4902032144153275, 1.7707619389059746, 1.1349110469703179}),
                     1e-15);
  EXPECT_NEAR(cross_entropy(x, y).item(), 1.13195873343054, 1e-15);
  EXPECT_NEAR(cross_entropy(x, y, {.reduction = Reduction::kSum}).item(), 3.39587620029162, 1e-14);
  // ignore_index=3: a valid class ignored; the mean divides by the 2 others.
  EXPECT_TENSOR_NEAR(cross_entropy(x, y, {.ignore_index = 3, .reduction = Reduction::kNone}),
                     Tensor::from({0.4902032144153275, 1.7707619389059746, 0.0}), 1e-15);
  EXPECT_NEAR(cross_entropy(x, y, {.ignore_index = 3}).item(), 1.130482576660651, 1e-15);
}

TEST(CrossEntropy, WeightsAndIgnoreIndexMatchPyTorch) {
  const Tensor x = logits(), y = classes_ignored();
  CrossEntropyOptions o{.weight = class_weight(), .reduction = Reduction::kNone};
  // F.cross_entropy(x, y, weight=w, reduction=...): the mean is sum(w_y loss) / sum(w_y).
  EXPECT_TENSOR_NEAR(cross_entropy(x, y, o),
                     Tensor::from({0.4902032144153275, 0.0, 3.4047331409109534}), 1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), 0.9737340888315702, 1e-15);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), 3.894936355326281, 1e-14);
}

TEST(CrossEntropy, LabelSmoothingMatchesPyTorch) {
  const Tensor x = logits(), y = classes_ignored();
  // F.cross_entropy(x, y, reduction=..., label_smoothing=0.2)
  const Tensor none_unweighted = Tensor::from({0.7502032144153276, 0.0, 1.259911046970318});
  const Tensor none_weighted = Tensor::from({1.0814786162172434, 0.0, 3.1426326029941163});
  const double mean_unweighted = 1.0050571306928227, mean_weighted = 1.05602780480284;
  const double sum_unweighted = 2.0101142613856453, sum_weighted = 4.22411121921136;
  CrossEntropyOptions o{.reduction = Reduction::kNone, .label_smoothing = 0.2};
  EXPECT_TENSOR_NEAR(cross_entropy(x, y, o), none_unweighted, 1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), mean_unweighted, 1e-15);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), sum_unweighted, 1e-14);
  // ... weight=w: the uniform term is weighted per class, the mean still divides by sum(w_y).
  o.weight = class_weight();
  o.reduction = Reduction::kNone;
  EXPECT_TENSOR_NEAR(cross_entropy(x, y, o), none_weighted, 1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), mean_weighted, 1e-15);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(cross_entropy(x, y, o).item(), sum_weighted, 1e-14);
  // The gradient of the weighted, smoothed mean, from xg.grad after backward().
  Tensor xg = x.clone().set_requires_grad();
  o.reduction = Reduction::kMean;
  cross_entropy(xg, y, o).backward();
  EXPECT_TENSOR_NEAR(xg.grad(),
                     Tensor::from({{0.057123179718182086, -0.010859532260366806,
                                    -0.040233837160396344, -0.006029810297418968},
                                   {0.0, 0.0, 0.0, 0.0},
                                   {0.013616170276466498, 0.27060328411446427, 0.13429224664371958,
                                    -0.4185117010346503}}),
                     1e-15);
}

TEST(CrossEntropy, SpatialAndSingleSampleInputsMatchPyTorch) {
  // x4 = torch.arange(24.).reshape(2, 3, 2, 2).sin() * 2, one target ignored, w = [1, 0.5, 2].
  const Tensor x4 = reshape(sin(arange(0, 24, 1, kFloat64)), {2, 3, 2, 2}) * 2.0;
  const Tensor y4 = Tensor::from({{{0, 2}, {1, -100}}, {{2, 2}, {0, 1}}});
  CrossEntropyOptions o{.weight = Tensor::from({1.0, 0.5, 2.0}),
                        .reduction = Reduction::kNone,
                        .label_smoothing = 0.3};
  EXPECT_TENSOR_NEAR(
      cross_entropy(x4, y4, o),
      Tensor::from(
          {{{1.921254965813113, 2.205425381366649}, {1.6285762166305722, 0.0}},
           {{0.6479250977685334, 0.9279818471465227}, {0.7353731350250081, 1.2432635134414243}}}),
      1e-14);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(cross_entropy(x4, y4, o).item(), 1.0344222396879803, 1e-14);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(cross_entropy(x4, y4, o).item(), 9.309800157191823, 1e-14);
  // One sample: input [C], target [] (F.cross_entropy(x[0], torch.tensor(1))).
  const Tensor one = cross_entropy(logits().select(0, 0), scalar_tensor(1, kInt64),
                                   {.reduction = Reduction::kNone});
  EXPECT_EQ(one.shape(), Shape{});
  EXPECT_NEAR(one.item(), 2.9902032144153274, 1e-15);
  EXPECT_NEAR(cross_entropy(logits().select(0, 0), scalar_tensor(1, kInt64)).item(),
              2.9902032144153274, 1e-15);
}

TEST(CrossEntropy, ProbabilityTargetsMatchPyTorch) {
  const Tensor x = logits();
  const Tensor q =
      Tensor::from({{0.1, 0.2, 0.3, 0.4}, {1.0, 0.0, 0.0, 0.0}, {0.25, 0.25, 0.25, 0.25}});
  // F.cross_entropy(x, q, reduction=...)
  EXPECT_TENSOR_NEAR(cross_entropy(x, q, {.reduction = Reduction::kNone}),
                     Tensor::from({1.7702032144153277, 1.7707619389059746, 1.759911046970318}),
                     1e-15);
  EXPECT_NEAR(cross_entropy(x, q).item(), 1.76695873343054, 1e-15);
  EXPECT_NEAR(cross_entropy(x, q, {.reduction = Reduction::kSum}).item(), 5.30087620029162, 1e-14);
  // ... weight=w, label_smoothing=0.1: the mean divides by N, not by weights.
  CrossEntropyOptions o{
      .weight = class_weight(), .reduction = Reduction::kNone, .label_smoothing = 0.1};
  EXPECT_TENSOR_NEAR(cross_entropy(x, q, o),
                     Tensor::from({3.985964663641391, 1.0220916875799093, 2.0942304513267667}),
                     1e-14);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(cross_entropy(x, q, o).item(), 2.367428934182689, 1e-14);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(cross_entropy(x, q, o).item(), 7.1022868025480665, 1e-14);
  // One-hot probabilities give the class-index loss.
  const Tensor one_hot_q =
      Tensor::from({{0.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 1.0}});
  EXPECT_NEAR(cross_entropy(x, one_hot_q).item(), cross_entropy(x, classes()).item(), 1e-15);
}

TEST(CrossEntropy, ClassIndexGradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({3, 4}, 41);
  const Tensor x4 = random_normal({2, 3, 2, 2}, 42);
  const Tensor y4 = Tensor::from({{{0, 2}, {1, -100}}, {{2, 2}, {0, 1}}});
  for (Reduction r : kReductions) {
    for (double eps : {0.0, 0.25}) {
      SCOPED_TRACE(fmt::format("reduction {} label_smoothing {}", static_cast<int>(r), eps));
      const CrossEntropyOptions plain{.reduction = r, .label_smoothing = eps};
      const CrossEntropyOptions weighted{
          .weight = class_weight(), .reduction = r, .label_smoothing = eps};
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return cross_entropy(t, classes(), plain); }, {x});
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return cross_entropy(t, classes_ignored(), weighted); }, {x});
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) {
            return cross_entropy(
                t, y4,
                {.weight = Tensor::from({1.0, 0.5, 2.0}), .reduction = r, .label_smoothing = eps});
          },
          {x4});
      expect_gradients_match_finite_differences(
          [&](const Tensor& t) { return cross_entropy(t, scalar_tensor(3, kInt64), plain); },
          {random_normal({4}, 43)});
    }
  }
}

TEST(CrossEntropy, ProbabilityTargetGradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({3, 4}, 44);
  const Tensor q = softmax(random_normal({3, 4}, 45), 1);
  for (Reduction r : kReductions) {
    for (double eps : {0.0, 0.25}) {
      SCOPED_TRACE(fmt::format("reduction {} label_smoothing {}", static_cast<int>(r), eps));
      expect_gradients_match_finite_differences(
          [&](const std::vector<Tensor>& a) {
            return cross_entropy(
                a[0], a[1], {.weight = class_weight(), .reduction = r, .label_smoothing = eps});
          },
          {x, q});
      expect_gradients_match_finite_differences(
          [&](const std::vector<Tensor>& a) {
            return cross_entropy(a[0], a[1], {.reduction = r, .label_smoothing = eps});
          },
          {random_normal({2, 3, 2}, 46), softmax(random_normal({2, 3, 2}, 47), 1)});
    }
  }
}

TEST(CrossEntropy, GradientIsSoftmaxMinusOneHotOverN) {
  Tensor x = logits().set_requires_grad();
  cross_entropy(x, classes()).backward();
  const Tensor expected =
      (softmax(logits(), 1) -
       Tensor::from({{0.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 1.0}})) /
      3.0;
  EXPECT_TENSOR_NEAR(x.grad(), expected, 1e-16);
}

TEST(CrossEntropy, AllIgnoredMeanIsNaNWithZeroGradient) {
  // As PyTorch: 0 / 0 for the loss; the gradient of the ignored samples stays 0.
  Tensor x = logits().set_requires_grad();
  const Tensor y = Tensor::from({-100, -100, -100});
  const Tensor loss = cross_entropy(x, y, {.label_smoothing = 0.1});
  EXPECT_TRUE(std::isnan(loss.item()));
  loss.backward();
  EXPECT_TENSOR_EQ(x.grad(), zeros({3, 4}, kFloat64));
  EXPECT_TRUE(std::isnan(nll_loss(logits(), y).item()));
  EXPECT_EQ(cross_entropy(logits(), y, {.reduction = Reduction::kSum}).item(), 0.0);
}

TEST(CrossEntropy, IgnoredSamplesMayHoldAnyLogits) {
  // An ignored sample's -inf log-probability must not leak in as 0 * inf = NaN.
  const Tensor lp = Tensor::from({{-std::numeric_limits<double>::infinity(), 0.0}, {-0.5, -1.0}});
  EXPECT_NEAR(nll_loss(lp, Tensor::from({-100, 1}), {.ignore_index = -100}).item(), 1.0, 1e-15);
}

TEST(CrossEntropy, Float32AndThreadCountIndependence) {
  Tensor x = to(random_normal({300, 257}, 48), kFloat32).set_requires_grad();
  const Tensor y = randint(0, 257, {300});
  Tensor loss[2], grad[2];
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    x.set_grad(Tensor());
    loss[threads - 1] = cross_entropy(x, y, {.label_smoothing = 0.1});
    loss[threads - 1].backward();
    grad[threads - 1] = x.grad();
  }
  EXPECT_EQ(loss[0].dtype(), kFloat32);
  EXPECT_TENSOR_EQ(loss[0], loss[1]);
  EXPECT_TENSOR_EQ(grad[0], grad[1]);
  // float32 agrees with float64 to float32 precision.
  EXPECT_NEAR(loss[0].item(),
              cross_entropy(to(x.detach(), kFloat64), y, {.label_smoothing = 0.1}).item(), 1e-5);
}

TEST(CrossEntropy, FusedCaseAgreesWithTheGeneralComposition) {
  // Logits [N, C] against classes with no weight, smoothing or ignored sample take one fused
  // kernel each way; a weight of ones takes the general composition (log_softmax, gather, ...).
  const Tensor x0 = to(random_normal({67, 10}, 49), kFloat32);
  const Tensor y = randint(0, 10, {67});
  Tensor grads[2];
  for (Reduction r : kReductions) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(fmt::format("reduction {} threads {}", static_cast<int>(r), threads));
      ScopedNumThreads scoped(threads);
      Tensor fused_x = x0.clone().set_requires_grad(), general_x = x0.clone().set_requires_grad();
      const Tensor fused = cross_entropy(fused_x, y, {.reduction = r});
      const Tensor general =
          cross_entropy(general_x, y, {.weight = ones({10}, kFloat32), .reduction = r});
      EXPECT_TENSOR_NEAR(fused, general, 1e-5);
      sum(fused).backward();
      sum(general).backward();
      EXPECT_TENSOR_NEAR(fused_x.grad(), general_x.grad(), 1e-6);
      if (r == Reduction::kNone) grads[threads - 1] = fused_x.grad();
    }
  }
  EXPECT_TENSOR_EQ(grads[0], grads[1]);
  // No rows: a mean of 0 / 0 = NaN, and an empty gradient.
  Tensor empty_x = zeros({0, 10}, kFloat32).set_requires_grad();
  const Tensor loss = cross_entropy(empty_x, zeros({0}, kInt64));
  EXPECT_TRUE(std::isnan(loss.item()));
  loss.backward();
  EXPECT_EQ(empty_x.grad().shape(), Shape({0, 10}));
}

TEST(CrossEntropy, FusedReductionsAreTheBitsOfTheirOps) {
  // The fused case reduces and scales without ops; its mean and sum are the bits of sum(per) / N
  // and sum(per) (N = 67: 1 / N is inexact), in float32 and float64, and the mean's gradient is
  // that of the per-sample losses scaled by the float 1 / N.
  const Tensor y = randint(0, 10, {67});
  for (DType dtype : {kFloat32, kFloat64}) {
    SCOPED_TRACE(fmt::format("{}", dtype));
    const Tensor x0 = to(random_normal({67, 10}, 50), dtype);
    const Tensor per = cross_entropy(x0, y, {.reduction = Reduction::kNone});
    EXPECT_TENSOR_EQ(cross_entropy(x0, y, {.reduction = Reduction::kSum}), sum(per));
    EXPECT_TENSOR_EQ(cross_entropy(x0, y), sum(per) / 67.0);
    Tensor mean_x = x0.clone().set_requires_grad(), per_x = x0.clone().set_requires_grad();
    cross_entropy(mean_x, y).backward();
    cross_entropy(per_x, y, {.reduction = Reduction::kNone})
        .backward(full({67}, 1.0 / 67.0, dtype));
    EXPECT_TENSOR_EQ(mean_x.grad(), per_x.grad());
  }
}

TEST(CrossEntropy, TargetsOutsideTheFusedCaseTakeTheGeneralPath) {
  // A target equal to ignore_index and a non-contiguous target are read by the general path (an
  // out-of-range one too: BadArgumentsAreReported).
  const Tensor x = to(random_normal({4, 3}, 51), kFloat32);
  const Tensor y = Tensor::from(std::vector<int64_t>{0, 2, 1, 2}, Shape{4});
  const Tensor per = cross_entropy(x, y, {.reduction = Reduction::kNone});
  // Samples 1 and 3 ignored: the mean over the other two.
  const Tensor ignored = cross_entropy(x, y, {.ignore_index = 2});
  EXPECT_NEAR(ignored.item(), (per.select(0, 0).item() + per.select(0, 2).item()) / 2.0, 1e-6);
  // Every other target of [8]: the same as the contiguous [4].
  const Tensor spread = Tensor::from(std::vector<int64_t>{0, 9, 2, 9, 1, 9, 2, 9}, Shape{8});
  const Tensor strided = reshape(spread, {4, 2}).select(1, 0);
  ASSERT_FALSE(strided.is_contiguous());
  EXPECT_NEAR(cross_entropy(x, strided).item(), cross_entropy(x, y).item(), 1e-6);
}

TEST(NllLoss, MatchesPyTorchAndLogSoftmaxComposition) {
  const Tensor x = logits(), y = classes_ignored();
  NLLOptions o{.weight = class_weight(), .reduction = Reduction::kNone};
  // F.nll_loss(x, y, weight=w, reduction=...) on raw x: -w_y x[i, y_i].
  EXPECT_TENSOR_NEAR(nll_loss(x, y, o), Tensor::from({-2.0, 0.0, -1.2}), 1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(nll_loss(x, y, o).item(), -0.8, 1e-15);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(nll_loss(x, y, o).item(), -3.2, 1e-15);
  // nll_loss(log_softmax(x)) == cross_entropy(x).
  EXPECT_NEAR(nll_loss(log_softmax(x, 1), classes()).item(), cross_entropy(x, classes()).item(),
              1e-15);
}

TEST(NllLoss, GradientsMatchFiniteDifferences) {
  for (Reduction r : kReductions) {
    SCOPED_TRACE(static_cast<int>(r));
    expect_gradients_match_finite_differences(
        [r](const Tensor& t) {
          return nll_loss(t, classes_ignored(), {.weight = class_weight(), .reduction = r});
        },
        {random_normal({3, 4}, 49)});
    expect_gradients_match_finite_differences(
        [r](const Tensor& t) {
          return nll_loss(log_softmax(t, 1), Tensor::from({{1, 0}, {2, 2}}), {.reduction = r});
        },
        {random_normal({2, 3, 2}, 50)});
  }
}

TEST(MultiMarginLoss, MatchesPyTorch) {
  const Tensor x = logits(), y = classes();
  // F.multi_margin_loss(x, y, reduction=...)
  EXPECT_TENSOR_NEAR(multi_margin_loss(x, y, {.reduction = Reduction::kNone}),
                     Tensor::from({0.0, 0.8, 0.475}), 1e-15);
  EXPECT_NEAR(multi_margin_loss(x, y).item(), 0.425, 1e-15);
  EXPECT_NEAR(multi_margin_loss(x, y, {.reduction = Reduction::kSum}).item(), 1.275, 1e-15);
  // ... p=2, margin=0.5, weight=w
  MultiMarginOptions o{
      .p = 2, .margin = 0.5, .weight = class_weight(), .reduction = Reduction::kNone};
  EXPECT_TENSOR_NEAR(multi_margin_loss(x, y, o), Tensor::from({0.0, 0.425, 0.4875}), 1e-15);
  o.reduction = Reduction::kMean;
  EXPECT_NEAR(multi_margin_loss(x, y, o).item(), 0.30416666666666664, 1e-15);
  o.reduction = Reduction::kSum;
  EXPECT_NEAR(multi_margin_loss(x, y, o).item(), 0.9125, 1e-15);
  // One sample (F.multi_margin_loss(x[0], torch.tensor(1))).
  EXPECT_NEAR(multi_margin_loss(x.select(0, 0), scalar_tensor(1, kInt64)).item(), 1.95, 1e-15);
  // The gradient of the p = 2 weighted mean, from xg.grad.
  Tensor xg = x.clone().set_requires_grad();
  o.reduction = Reduction::kMean;
  multi_margin_loss(xg, y, o).backward();
  EXPECT_TENSOR_NEAR(xg.grad(),
                     Tensor::from({{0.0, 0.0, 0.0, 0.0},
                                   {-0.18333333333333332, 0.03333333333333333, 0.0, 0.15},
                                   {0.0, 0.4, 0.05, -0.45}}),
                     1e-15);
}

TEST(MultiMarginLoss, GradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({4, 5}, 51);
  const Tensor y = Tensor::from({0, 4, 2, 2});
  for (Reduction r : kReductions) {
    for (int p : {1, 2}) {
      SCOPED_TRACE(fmt::format("reduction {} p {}", static_cast<int>(r), p));
      expect_gradients_match_finite_differences(
          [&](const std::vector<Tensor>& a) {
            return multi_margin_loss(a[0], y,
                                     {.p = p, .margin = 0.8, .weight = a[1], .reduction = r});
          },
          {x, Tensor::from({0.5, 2.0, 1.0, 3.0, 1.5})});
    }
  }
}

TEST(ClassificationLoss, BadTargetsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(zeros({3, 5}), Tensor::from({0, 7, 1})),
                            "cross_entropy: target 7 (at position 1) is out of range for 5 "
                            "classes; expected 0 <= target < 5 or ignore_index (-100)");
  EXPECT_THROW_WITH_MESSAGE(nll_loss(zeros({1, 3, 2}), Tensor::from({{0, -1}})),
                            "nll_loss: target -1 (at position [0, 1]) is out of range for 3 "
                            "classes; expected 0 <= target < 3 or ignore_index (-100)");
  EXPECT_THROW_WITH_MESSAGE(multi_margin_loss(zeros({2, 3}), Tensor::from({3, 0})),
                            "multi_margin_loss: target 3 (at position 0) is out of range for 3 "
                            "classes; expected 0 <= target < 3");
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(zeros({2, 5}), Tensor::from({0, 1, 2})),
                            "cross_entropy: target has shape [3] but input has shape [2, 5]; "
                            "expected target shape [2] (the input's shape without the class "
                            "dimension)");
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(zeros({2, 5}), zeros({2, 4})),
                            "cross_entropy: probability target has shape [2, 4] but input has "
                            "shape [2, 5]; expected equal shapes (or int64 class indices of shape "
                            "[2])");
  EXPECT_THROW_WITH_MESSAGE(nll_loss(zeros({2, 5}), zeros({2})),
                            "nll_loss: expected int64 class indices as target, got float32");
}

TEST(ClassificationLoss, BadOptionsAreReported) {
  const Tensor x = zeros({2, 3}), y = Tensor::from({0, 1});
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(x, y, {.weight = ones({4})}),
                            "cross_entropy: weight has shape [4] but the input has 3 classes "
                            "(shape [2, 3]); expected [3]");
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(x, y, {.label_smoothing = 1.5}),
                            "cross_entropy: expected label_smoothing in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(x, zeros({2, 3}), {.ignore_index = 1}),
                            "cross_entropy: ignore_index (1) is not supported for probability "
                            "targets");
  EXPECT_THROW_WITH_MESSAGE(multi_margin_loss(x, y, {.p = 3}),
                            "multi_margin_loss: expected p = 1 or 2, got 3");
  EXPECT_THROW_WITH_MESSAGE(multi_margin_loss(zeros({2, 3, 4}), y),
                            "multi_margin_loss: expected an input of shape [N, C] or [C], got "
                            "[2, 3, 4]");
  EXPECT_THROW_WITH_MESSAGE(cross_entropy(scalar_tensor(1.0), scalar_tensor(0, kInt64)),
                            "cross_entropy: expected an input of shape [N, C], [N, C, d1, ...] or "
                            "[C], got a 0-d tensor");
}

}  // namespace
}  // namespace athanor
