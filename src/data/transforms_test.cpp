// src/data/transforms_test.cpp: Standardize and MinMax (hand-derived values, per-channel fits,
// state round trips), scale_to_unit, one_hot_targets, the augmentations (identities at zero
// strength, shifted/mirrored/zeroed pixels, per-image draws, reproducibility) and their errors.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/data/transforms.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>

#include "testing/matchers.h"

namespace athanor::data {
namespace {

Tensor image(int64_t c, int64_t h, int64_t w, DType dtype = kFloat32) {
  return (arange(0, c * h * w, 1, dtype) + 1.0).reshape({c, h, w});
}

TEST(Standardize, FitsPerFeaturePopulationStatistics) {
  // Columns [1, 3] and [2, 6]: means 2 and 4, population std 1 and 2.
  const Tensor x = Tensor::from({{1.0, 2.0}, {3.0, 6.0}});
  const Standardize s = Standardize::fit(x);
  EXPECT_TENSOR_NEAR(s.mean(), Tensor::from({2.0, 4.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s.std(), Tensor::from({1.0, 2.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s(x), Tensor::from({{-1.0, -1.0}, {1.0, 1.0}}), 1e-15);
  EXPECT_TENSOR_NEAR(s(Tensor::from({5.0, 4.0})), Tensor::from({3.0, 0.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s.inverse(s(x)), x, 1e-15);
  // float32 in, float32 out.
  EXPECT_EQ(s(x.to(kFloat32)).dtype(), kFloat32);
}

TEST(Standardize, LeavesConstantFeaturesUnscaled) {
  const Standardize s = Standardize::fit(Tensor::from({{5.0, 1.0}, {5.0, 3.0}}));
  EXPECT_TENSOR_NEAR(s.std(), Tensor::from({1.0, 1.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s(Tensor::from({6.0, 2.0})), Tensor::from({1.0, 0.0}), 1e-15);
}

TEST(Standardize, FitsPerChannelOnImages) {
  // Channel 0 holds 1..4 in both images, channel 1 holds 10: mean 2.5, std sqrt(1.25); 10, 1.
  Tensor x = zeros({2, 2, 2, 2}, kFloat64);
  x.narrow(1, 0, 1).copy_(Tensor::from({1.0, 2.0, 3.0, 4.0}).reshape({1, 1, 2, 2}));
  x.narrow(1, 1, 1).fill_(10.0);
  const Standardize s = Standardize::fit(x, {0, 2, 3});
  EXPECT_EQ(s.mean().shape(), (Shape{2, 1, 1}));
  EXPECT_TENSOR_NEAR(s.mean().flatten(), Tensor::from({2.5, 10.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s.std().flatten(), Tensor::from({std::sqrt(1.25), 1.0}), 1e-15);
  const Tensor y = s(x);
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_NEAR(y.select(0, 1).select(0, 0).mean().item(), 0.0, 1e-15);
  EXPECT_EQ(s(x.select(0, 0)).shape(), (Shape{2, 2, 2}));  // one example
}

TEST(Standardize, StateRoundTrips) {
  const Tensor x = randn({20, 3}, kFloat64);
  const Standardize s = Standardize::fit(x);
  const TensorDict st = s.state();
  EXPECT_EQ(st.keys(), (std::vector<std::string>{"mean", "std"}));
  const Standardize r = Standardize::from_state(st);
  EXPECT_TENSOR_EQ(r(x), s(x));
  EXPECT_THROW_WITH_MESSAGE(Standardize::from_state(TensorDict{{"mean", zeros({3})}}),
                            "Standardize: state has no 'std' entry");
}

TEST(Standardize, RejectsMisuse) {
  const Standardize s = Standardize::fit(zeros({4, 3}));
  EXPECT_THROW_WITH_MESSAGE(s(zeros({4, 2})),
                            "Standardize: input shape [4, 2] does not match the fitted "
                            "statistics of shape [3]");
  EXPECT_THROW_WITH_MESSAGE(s(Tensor::from({1, 2, 3})),
                            "Standardize: expected a floating-point input, got int64");
  EXPECT_THROW_WITH_MESSAGE(Standardize()(zeros({3})), "Standardize: not fitted");
  EXPECT_THROW_WITH_MESSAGE(Standardize::fit(zeros({0, 3})),
                            "Standardize: fit expected inputs [N, ...] with N >= 1, got shape "
                            "[0, 3]");
  EXPECT_THROW_WITH_MESSAGE(Standardize::fit(zeros({4, 3}), {1}),
                            "Standardize: fit dims must include 0");
}

TEST(MinMax, MapsTheTrainingRangeToUnitInterval) {
  const Tensor x = Tensor::from({{1.0, -2.0, 7.0}, {3.0, 2.0, 7.0}, {2.0, 0.0, 7.0}});
  const MinMax m = MinMax::fit(x);
  EXPECT_TENSOR_NEAR(m(x), Tensor::from({{0.0, 0.0, 0.0}, {1.0, 1.0, 0.0}, {0.5, 0.5, 0.0}}),
                     1e-15);
  // Outside the training range maps outside [0, 1], as scikit-learn.
  EXPECT_TENSOR_NEAR(m(Tensor::from({5.0, 4.0, 8.0})), Tensor::from({2.0, 1.5, 1.0}), 1e-15);
  EXPECT_TENSOR_NEAR(m.inverse(m(x)), x, 1e-15);
  const MinMax r = MinMax::from_state(m.state());
  EXPECT_TENSOR_EQ(r(x), m(x));
  EXPECT_THROW_WITH_MESSAGE(
      MinMax::from_state(TensorDict{{"min", zeros({3})}, {"max", zeros({2})}}),
      "MinMax: state entries 'min' [3] and 'max' [2] differ in shape");
}

TEST(ScaleToUnit, DividesBytesBy255) {
  const Tensor y = scale_to_unit(Tensor::from({uint8_t{0}, uint8_t{51}, uint8_t{255}}));
  EXPECT_EQ(y.dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(y, Tensor::from({0.0f, 0.2f, 1.0f}), 1e-7);
  EXPECT_THROW_WITH_MESSAGE(scale_to_unit(Tensor::from({1, 2})),
                            "scale_to_unit: expected uint8 pixels (or a floating tensor), got "
                            "int64");
}

TEST(OneHotTargets, EncodesIdsAsFloatRows) {
  EXPECT_TENSOR_EQ(one_hot_targets(Tensor::from({2, 0}), 3),
                   Tensor::from({{0.0f, 0.0f, 1.0f}, {1.0f, 0.0f, 0.0f}}));
  EXPECT_THROW_WITH_MESSAGE(one_hot_targets(Tensor::from({1, 3}), 3),
                            "one_hot_targets: class id 3 (element 1) is out of range for 3 "
                            "classes");
}

TEST(Augment, ZeroStrengthIsTheIdentity) {
  const Tensor x = image(2, 4, 5);
  Generator gen(1);
  EXPECT_TENSOR_EQ(random_crop(x, 0, gen), x);
  EXPECT_TENSOR_EQ(random_translate(x, 0.0, gen), x);
  EXPECT_TENSOR_EQ(random_horizontal_flip(x, gen, 0.0), x);
  EXPECT_TENSOR_EQ(gaussian_noise(x, 0.0, gen), x);
  EXPECT_TENSOR_EQ(cutout(x, 0, gen), x);
}

/// True when y is x shifted by (dy, dx) with zero fill, for some |dy|, |dx| <= max_shift.
bool is_shift_of(const Tensor& x, const Tensor& y, int64_t max_shift) {
  const int64_t c = x.shape(0), h = x.shape(1), w = x.shape(2);
  const auto xv = x.to_vector<double>();
  const auto yv = y.to_vector<double>();
  for (int64_t dy = -max_shift; dy <= max_shift; ++dy) {
    for (int64_t dx = -max_shift; dx <= max_shift; ++dx) {
      bool match = true;
      for (int64_t k = 0; match && k < c * h * w; ++k) {
        const int64_t ch = k / (h * w), i = k / w % h - dy, j = k % w - dx;
        const bool in = i >= 0 && i < h && j >= 0 && j < w;
        match = yv[static_cast<size_t>(k)] ==
                (in ? xv[static_cast<size_t>((ch * h + i) * w + j)] : 0.0);
      }
      if (match) return true;
    }
  }
  return false;
}

TEST(Augment, RandomCropAndTranslateShiftWithZeroFill) {
  const Tensor x = image(3, 6, 6);
  Generator gen(2);
  bool moved = false;
  for (int trial = 0; trial < 10; ++trial) {
    const Tensor c = random_crop(x, 2, gen);
    EXPECT_EQ(c.shape(), x.shape());
    EXPECT_TRUE(is_shift_of(x, c, 2));
    EXPECT_TRUE(is_shift_of(x, random_translate(x, 0.2, gen), 1));  // round(0.2 * 6) = 1
    moved = moved || !(c.to_vector<float>() == x.to_vector<float>());
  }
  EXPECT_TRUE(moved);
}

TEST(Augment, FlipMirrorsRows) {
  Generator gen(3);
  const Tensor x = Tensor::from({{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}});
  EXPECT_TENSOR_EQ(random_horizontal_flip(x, gen, 1.0),
                   Tensor::from({{{3.0, 2.0, 1.0}, {6.0, 5.0, 4.0}}}));
}

TEST(Augment, CutoutZeroesOneClippedSquareInEveryChannel) {
  const Tensor x = image(2, 8, 8);
  Generator gen(4);
  for (int trial = 0; trial < 10; ++trial) {
    const auto y = cutout(x, 3, gen).to_vector<float>();
    const auto xv = x.to_vector<float>();
    int64_t zeros_per_channel[2] = {0, 0};
    for (size_t k = 0; k < y.size(); ++k) {
      if (y[k] == 0) {
        ++zeros_per_channel[k / 64];
      } else {
        EXPECT_EQ(y[k], xv[k]);
      }
    }
    EXPECT_EQ(zeros_per_channel[0], zeros_per_channel[1]);
    EXPECT_GE(zeros_per_channel[0], 4);  // a corner keeps at least 2 x 2 of the 3 x 3 square
    EXPECT_LE(zeros_per_channel[0], 9);
  }
}

TEST(Augment, GaussianNoiseHasTheRequestedSpread) {
  Generator gen(5);
  const Tensor x = zeros({1, 100, 100}, kFloat64);
  const Tensor y = gaussian_noise(x, 0.5, gen);
  EXPECT_NEAR(y.mean().item(), 0.0, 0.02);
  EXPECT_NEAR(std(y).item(), 0.5, 0.02);
}

TEST(Augment, BatchesDrawPerImageAndReproduce) {
  const Tensor one = image(1, 5, 5, kFloat64);
  const Tensor batch = one.unsqueeze(0).expand({6, 1, 5, 5}).contiguous();
  Generator a(6), b(6);
  const Tensor ya = random_crop(batch, 2, a);
  const Tensor yb = random_crop(batch, 2, b);
  EXPECT_TENSOR_EQ(ya, yb);
  bool differ = false;
  for (int64_t i = 1; i < 6; ++i) {
    EXPECT_TRUE(is_shift_of(one, ya.select(0, i), 2));
    differ =
        differ || !(ya.select(0, i).to_vector<double>() == ya.select(0, 0).to_vector<double>());
  }
  EXPECT_TRUE(differ);
  // The input is not modified.
  EXPECT_TENSOR_EQ(batch.select(0, 0), one);
}

TEST(Augment, ComposeChainsWithOneGenerator) {
  const Transform t =
      compose({[](const Tensor& x, Generator& gen) { return random_horizontal_flip(x, gen, 1.0); },
               [](const Tensor& x, Generator&) { return x * 2.0; }});
  Generator gen(0);
  EXPECT_TENSOR_EQ(t(Tensor::from({{{1.0, 2.0}}}), gen), Tensor::from({{{4.0, 2.0}}}));
}

TEST(Augment, RejectsBadInputs) {
  Generator gen(0);
  EXPECT_THROW_WITH_MESSAGE(random_crop(zeros({4, 4}), 1, gen),
                            "random_crop: expected an image [C, H, W] or a batch [N, C, H, W], "
                            "got shape [4, 4]");
  EXPECT_THROW_WITH_MESSAGE(cutout(zeros({1, 4, 4}, kUInt8), 1, gen),
                            "cutout: expected a float32 or float64 image, got uint8");
  EXPECT_THROW_WITH_MESSAGE(random_crop(zeros({1, 4, 4}), -1, gen),
                            "random_crop: padding must be >= 0, got -1");
  EXPECT_THROW_WITH_MESSAGE(random_horizontal_flip(zeros({1, 4, 4}), gen, 1.5),
                            "random_horizontal_flip: p must be in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(gaussian_noise(zeros({3}), -1.0, gen),
                            "gaussian_noise: stddev must be >= 0, got -1");
}

}  // namespace
}  // namespace athanor::data
