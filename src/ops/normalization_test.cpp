// src/ops/normalization_test.cpp: batch_norm (training and eval, 2-D and 4-D, running-statistics
// updates) and layer_norm: values and gradients against PyTorch 1.13, gradient checks for x,
// weight and bias, edge cases, errors and thread-count independence.
//
// References: /usr/bin/python3 with torch 1.13, float64, e.g.
//   F.batch_norm(x2, rm, rv, w, b, training=True, momentum=0.2, eps=1e-3).tolist()
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/normalization.h>
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

Tensor x2() {
  return Tensor::from({{1.0, -2.0, 0.5}, {3.0, 0.0, -1.5}, {-0.5, 4.0, 2.5}, {2.0, 1.0, 0.0}});
}
// x4 = (torch.arange(24.).reshape(2, 3, 2, 2) * 0.7).cos() * 3
Tensor x4() { return reshape(cos(arange(0, 24, 1, kFloat64) * 0.7), {2, 3, 2, 2}) * 3.0; }
Tensor weight() { return Tensor::from({1.5, -0.5, 2.0}); }
Tensor bias() { return Tensor::from({0.1, 0.2, -0.3}); }
Tensor running_mean() { return Tensor::from({0.5, -0.5, 1.0}); }
Tensor running_var() { return Tensor::from({2.0, 0.5, 1.5}); }

TEST(BatchNorm, Training2dMatchesPyTorchAndUpdatesRunningStats) {
  Tensor rm = running_mean(), rv = running_var();
  const Tensor y = batch_norm(x2(), rm, rv, weight(), bias(), true, 0.2, 1e-3);
  EXPECT_TENSOR_NEAR(y,
                     Tensor::from({{-0.3349013755507697, 0.8350175645138659, -0.12530185781227376},
                                   {1.9845726273866686, 0.3731866085037816, -2.9204721328158936},
                                   {-2.0745068777538487, -0.550475303516387, 2.6698684171913456},
                                   {0.8248356259179495, 0.14227113049873946, -0.8240944265631787}}),
                     1e-15);
  // running = 0.8 running + 0.2 batch, with the unbiased (n - 1) batch variance.
  EXPECT_TENSOR_NEAR(rm, Tensor::from({0.675, -0.25, 0.875}), 1e-15);
  EXPECT_TENSOR_NEAR(rv, Tensor::from({2.0458333333333334, 1.65, 1.7458333333333336}), 1e-15);
  EXPECT_FALSE(rm.requires_grad());
}

TEST(BatchNorm, Training4dMatchesPyTorch) {
  Tensor rm = running_mean(), rv = running_var();
  const Tensor y = batch_norm(x4(), rm, rv, weight(), bias(), true);
  EXPECT_TENSOR_NEAR(
      y,
      Tensor::from(
          std::vector<double>{2.6462797440559402,  2.1390028816645006,   0.8557525292924985,
                              -0.5999386209996469, 0.8965505780124122,   0.8925775221962401,
                              0.585108279044756,   0.1187504379515527,   1.6907921089968307,
                              2.3071327549644307,  1.6312620009377705,   -0.018947576692561034,
                              -0.6310937466543164, -1.5552991519699355,  -1.517990075786235,
                              -0.536713559602806,  0.10738562003941333,  -0.29439911367207594,
                              -0.4414263758484591, -0.26454694772383924, -0.06466389808503765,
                              -1.9066602907649108, -3.059055371699954,   -2.9798597276565677},
          {2, 3, 2, 2}),
      1e-14);
  EXPECT_TENSOR_NEAR(
      rm, Tensor::from({0.39588711634636237, -0.42941882106424184, 0.9153287904724965}), 1e-15);
  EXPECT_TENSOR_NEAR(rv, Tensor::from({2.297330040064533, 0.9915284467692558, 1.8948568564267045}),
                     1e-15);
}

TEST(BatchNorm, EvalUsesRunningStatsAndLeavesThemAlone) {
  Tensor rm = running_mean(), rv = running_var();
  EXPECT_TENSOR_NEAR(batch_norm(x2(), rm, rv, weight(), bias(), false, 0.1, 1e-3),
                     Tensor::from({{0.6301975530661768, 1.2596010999512808, -1.116224551407956},
                                   {2.750987765330884, -0.1532003666504269, -4.381122757039781},
                                   {-0.9603951061323536, -2.9788032998538423, 2.1486736542238685},
                                   {1.6905926591985303, -0.8596010999512808, -1.9324491028159123}}),
                     1e-15);
  // 4-D without weight and bias: (x - rm) / sqrt(rv + eps).
  const Tensor y = batch_norm(x4(), rm, rv, Tensor(), Tensor(), false);
  EXPECT_TENSOR_NEAR(y.select(0, 1).select(0, 2),
                     Tensor::from({{-0.48155856227840005, -2.1234989844688728},
                                   {-3.150734473767441, -3.0801401285597074}}),
                     1e-15);
  EXPECT_TENSOR_NEAR(y.select(0, 0).select(0, 1),
                     Tensor::from({{-3.290371154100046, -3.265909803103589},
                                   {-1.3728799980026893, 1.4983967644570613}}),
                     1e-14);
  EXPECT_TENSOR_EQ(rm, running_mean());
  EXPECT_TENSOR_EQ(rv, running_var());
}

TEST(BatchNorm, TrainingGradientsMatchPyTorch) {
  Tensor x = x4().set_requires_grad(), w = weight().set_requires_grad();
  Tensor b = bias().set_requires_grad();
  // F.batch_norm(x, None, None, w, b, training=True).backward(torch.arange(24.)...sin())
  batch_norm(x, Tensor(), Tensor(), w, b, true)
      .backward(reshape(sin(arange(0, 24, 1, kFloat64)), {2, 3, 2, 2}));
  EXPECT_TENSOR_NEAR(
      x.grad(),
      Tensor::from(
          std::vector<double>{-0.3054581123514854,  0.29928744624914777,   0.34724526881222073,
                              -0.20604211597973554, 0.04722889321684776,   0.09385556704197548,
                              -0.04675119213069091, -0.2383690239300052,   0.65628691764769,
                              0.07682450297246264,  -0.7433531630412743,   -1.0251990486321516,
                              -0.693362904896909,   -0.005996448525135018, 0.40420731325220544,
                              0.16011955343969078,  -0.02075890071998879,  0.154161422035963,
                              0.11323040816393642,  -0.10259717367803782,  0.7307671828872961,
                              0.8124826763047909,   0.13285951972118717,   -0.6406685878600007},
          {2, 3, 2, 2}),
      1e-14);
  EXPECT_TENSOR_NEAR(w.grad(),
                     Tensor::from({-0.010577827688355128, 0.8764192519583983, 1.4375790207738244}),
                     1e-14);
  EXPECT_TENSOR_NEAR(
      b.grad(), Tensor::from({3.416377734371639, -3.1885665151045495, 0.7519945902231743}), 1e-14);
}

TEST(BatchNorm, GradientsMatchFiniteDifferences) {
  const Tensor w = random_uniform({3}, 0.5, 1.5, 61), b = random_normal({3}, 62);
  for (const Shape& shape : {Shape{5, 3}, Shape{2, 3, 2, 3}, Shape{2, 3, 4}}) {
    for (bool training : {true, false}) {
      SCOPED_TRACE(fmt::format("shape {} training {}", shape, training));
      const Tensor x = random_normal(shape, 63);
      // Fresh running stats per call: training mode updates them.
      expect_gradients_match_finite_differences(
          [training](const std::vector<Tensor>& a) {
            return batch_norm(a[0], Tensor::from({0.1, -0.2, 0.3}), Tensor::from({0.5, 1.5, 2.0}),
                              a[1], a[2], training, 0.1, 1e-3);
          },
          {x, w, b});
      // Without weight and bias.
      expect_gradients_match_finite_differences(
          [training](const Tensor& t) {
            return batch_norm(t, Tensor::from({0.1, -0.2, 0.3}), Tensor::from({0.5, 1.5, 2.0}),
                              Tensor(), Tensor(), training);
          },
          {x});
    }
  }
}

TEST(BatchNorm, GradientOfWeightAloneAndOfANonContiguousInput) {
  // Only the weight needs a gradient: x's is skipped, the weight's is unchanged.
  const Tensor x = random_normal({4, 3}, 64);
  Tensor w1 = weight().set_requires_grad(), w2 = weight().set_requires_grad();
  const Tensor g = random_normal({4, 3}, 65);
  batch_norm(x, Tensor(), Tensor(), w1, Tensor(), true).backward(g);
  Tensor xg = x.clone().set_requires_grad();
  batch_norm(xg, Tensor(), Tensor(), w2, Tensor(), true).backward(g);
  EXPECT_TENSOR_NEAR(w1.grad(), w2.grad(), 0.0);
  EXPECT_FALSE(x.grad().defined());
  // A transposed (non-contiguous) input.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& a) {
        return batch_norm(a[0].transpose(0, 1), Tensor(), Tensor(), a[1], Tensor(), true);
      },
      {random_normal({3, 4}, 66), weight()});
}

TEST(BatchNorm, Float32RunningStatsWithFloat64InputAndEmptyBatch) {
  // Running statistics keep their own dtype.
  Tensor rm = zeros({3}), rv = ones({3});
  batch_norm(x2(), rm, rv, Tensor(), Tensor(), true);
  EXPECT_EQ(rm.dtype(), kFloat32);
  EXPECT_NEAR(rm.to_vector<double>()[0], 0.1 * 1.375, 1e-7);
  // An empty batch gives an empty result and leaves the running statistics alone (as PyTorch).
  Tensor rm2 = running_mean();
  EXPECT_EQ(
      batch_norm(zeros({0, 3}, kFloat64), rm2, running_var(), Tensor(), Tensor(), true).shape(),
      (Shape{0, 3}));
  EXPECT_TENSOR_EQ(rm2, running_mean());
}

TEST(BatchNorm, LargeInputGivesTheSameBitsOnOneAndTwoThreads) {
  Tensor x = to(random_normal({8, 16, 24, 24}, 67), kFloat32).set_requires_grad();  // 73728
  Tensor w = ones({16}).set_requires_grad();
  const Tensor g = to(random_normal({8, 16, 24, 24}, 68), kFloat32);
  Tensor y[2], dx[2], dw[2], rm[2];
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    x.set_grad(Tensor());
    w.set_grad(Tensor());
    rm[threads - 1] = zeros({16});
    y[threads - 1] = batch_norm(x, rm[threads - 1], ones({16}), w, Tensor(), true);
    y[threads - 1].backward(g);
    dx[threads - 1] = x.grad();
    dw[threads - 1] = w.grad();
  }
  EXPECT_TENSOR_EQ(y[0], y[1]);
  EXPECT_TENSOR_EQ(dx[0], dx[1]);
  EXPECT_TENSOR_EQ(dw[0], dw[1]);
  EXPECT_TENSOR_EQ(rm[0], rm[1]);
  // Normalized: per-channel mean ~0 and variance ~1.
  EXPECT_TENSOR_NEAR(mean(y[0], {0, 2, 3}), zeros({16}), 1e-6);
  EXPECT_TENSOR_NEAR(var(y[0], {0, 2, 3}, 0), ones({16}), 1e-4);
}

TEST(BatchNorm, BadArgumentsAreReported) {
  const Tensor x = zeros({2, 3, 5});
  EXPECT_THROW_WITH_MESSAGE(batch_norm(zeros({5}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                            "batch_norm: expected an input of shape [N, C] or [N, C, *], got [5]");
  EXPECT_THROW_WITH_MESSAGE(batch_norm(x, Tensor(), Tensor(), ones({4}), Tensor(), true),
                            "batch_norm: weight has shape [4] but the input has 3 channels (shape "
                            "[2, 3, 5]); expected [3]");
  EXPECT_THROW_WITH_MESSAGE(batch_norm(x, Tensor(), Tensor(), Tensor(), ones({3}, kFloat64), true),
                            "batch_norm: bias is float64 but the input is float32; expected the "
                            "same dtype");
  EXPECT_THROW_WITH_MESSAGE(batch_norm(x, zeros({3}), Tensor(), Tensor(), Tensor(), true),
                            "batch_norm: running_mean is given but running_var is absent; "
                            "expected both or neither");
  EXPECT_THROW_WITH_MESSAGE(batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false),
                            "batch_norm: eval mode (training = false) normalizes with running_mean "
                            "and running_var, but they are absent");
  EXPECT_THROW_WITH_MESSAGE(
      batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
      "batch_norm: expected more than 1 value per channel when training, got input shape [1, 3]");
  EXPECT_THROW_WITH_MESSAGE(
      batch_norm(Tensor::from({{1, 2}}), Tensor(), Tensor(), Tensor(), Tensor(), true),
      "batch_norm: expected a floating-point tensor, got int64");
}

Tensor x3() {
  return Tensor::from({{{1.0, -2.0, 0.5}, {3.0, 0.0, -1.5}}, {{-0.5, 4.0, 2.5}, {2.0, 1.0, 0.0}}});
}

TEST(LayerNorm, MatchesPyTorch) {
  // F.layer_norm(x, [3], w, b)
  EXPECT_TENSOR_NEAR(
      layer_norm(x3(), {3}, weight(), bias()),
      Tensor::from({{{1.4334974620633754, 0.8984986706046252, 0.7159980663340002},
                     {2.104456450836013, 0.33363043005573423, -2.438086880891747}},
                    {{-1.9044564508360127, -0.33452172022293675, 0.23452172022293677},
                     {1.9371035288625853, 0.2, -2.7494713718167803}}}),
      1e-15);
  // F.layer_norm(x, [2, 3], lw, None, eps=1e-2), and its gradients for
  // backward(torch.arange(12.).reshape(2, 2, 3).sin()).
  const Tensor lw = Tensor::from({{1.0, 2.0, 0.5}, {-1.0, 0.3, 1.2}});
  Tensor x = x3().set_requires_grad(), w = lw.clone().set_requires_grad();
  const Tensor y = layer_norm(x, {2, 3}, w, Tensor(), 1e-2);
  EXPECT_TENSOR_NEAR(
      y,
      Tensor::from({{{0.5041511292483709, -2.6215858720915284, 0.10083022584967419},
                     {-1.714113839444461, -0.030249067754902246, -1.2099627101960901}},
                    {{-1.3065106689280264, 3.266276672320066, 0.32662766723200654},
                     {-0.32662766723200654, -0.09798830016960199, -1.1758596020352237}}}),
      1e-15);
  y.backward(reshape(sin(arange(0, 12, 1, kFloat64)), {2, 2, 3}));
  EXPECT_TENSOR_NEAR(
      x.grad(),
      Tensor::from({{{-0.0027556054166044536, 0.8007243597744973, 0.23652029796107316},
                     {0.05498178630151247, -0.21166720787530735, -0.877803630745171}},
                    {{0.40310386865281855, 0.1865995659497281, 0.07052266419966852},
                     {-0.38213726997793757, 0.05988680289090009, -0.3379756317151777}}}),
      1e-15);
  EXPECT_TENSOR_NEAR(w.grad(),
                     Tensor::from({{0.3650593294607364, -0.030044222062620956, 0.8296728821254089},
                                   {0.37650505829563535, 0.254000912900255, 1.9467589171317186}}),
                     1e-15);
}

TEST(LayerNorm, GradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({2, 3, 4}, 71);
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& a) { return layer_norm(a[0], {4}, a[1], a[2]); },
      {x, random_normal({4}, 72), random_normal({4}, 73)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& a) {
        return layer_norm(a[0], {3, 4}, a[1], a[2], 1e-3);
      },
      {x, random_normal({3, 4}, 74), random_normal({3, 4}, 75)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return layer_norm(t, {2, 3, 4});
      },
      {x});
  // Bias only, and a non-contiguous input.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& a) {
        return layer_norm(a[0].transpose(0, 2), {2}, Tensor(), a[1]);
      },
      {x, random_normal({2}, 76)});
}

TEST(LayerNorm, ThreadCountIndependenceAndFloat32) {
  const Tensor x = to(random_normal({64, 300}, 77), kFloat32);
  Tensor y[2];
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    y[threads - 1] = layer_norm(x, {300});
  }
  EXPECT_TENSOR_EQ(y[0], y[1]);
  EXPECT_EQ(y[0].dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(y[0], to(layer_norm(to(x, kFloat64), {300}), kFloat32), 1e-5);
}

TEST(LayerNorm, BadArgumentsAreReported) {
  EXPECT_THROW_WITH_MESSAGE(layer_norm(zeros({2, 3, 5}), {3}),
                            "layer_norm: normalized_shape [3] does not match the trailing "
                            "dimensions of the input shape [2, 3, 5]; expected a non-empty suffix "
                            "of it");
  EXPECT_THROW_WITH_MESSAGE(layer_norm(zeros({2, 3}), Shape{}),
                            "layer_norm: normalized_shape [] does not match");
  EXPECT_THROW_WITH_MESSAGE(layer_norm(zeros({2, 3}), {3}, ones({1, 3})),
                            "layer_norm: weight has shape [1, 3]; expected normalized_shape [3]");
  EXPECT_THROW_WITH_MESSAGE(layer_norm(zeros({2, 3}), {3}, Tensor(), ones({3}, kFloat64)),
                            "layer_norm: bias is float64 but the input is float32; expected the "
                            "same dtype");
}

}  // namespace
}  // namespace athanor
