// src/ops/conv_test.cpp: conv1d and conv2d: values against PyTorch, gradient checks over stride,
// padding, dilation, groups and bias, float32 (oneDNN) against the float64 reference loops for
// the forward and both backward passes, determinism, degenerate inputs and error messages.
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/conv.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;
using Pair = std::array<int64_t, 2>;

// sin(a i + b) over the elements in row-major order: inputs a Python line can rebuild exactly.
Tensor sine_sequence(const Shape& shape, double a = 0.7, double b = 0.3) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(a * static_cast<double>(i) + b);
  return Tensor::from(v, shape);
}

Tensor cosine_sequence(const Shape& shape) {
  return sine_sequence(shape, 1.3, std::acos(0.0));  // cos(1.3 i) = sin(1.3 i + pi / 2)
}

struct ConvCase {
  Shape x, w;
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

// The output and the gradients of x, w and bias for dy = `dy_seed`-random, in `dtype`.
struct ConvRun {
  Tensor y, dx, dw, db;
};

ConvRun run_conv(const ConvCase& c, DType dtype) {
  Tensor x = to(random_normal(c.x, 11), dtype).detach().set_requires_grad();
  Tensor w = to(random_normal(c.w, 12), dtype).detach().set_requires_grad();
  Tensor b =
      c.bias ? to(random_normal({c.w[0]}, 13), dtype).detach().set_requires_grad() : Tensor();
  ConvRun r;
  r.y = conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
  r.y.backward(to(random_normal(r.y.shape(), 14), dtype));
  r.dx = x.grad();
  r.dw = w.grad();
  if (c.bias) r.db = b.grad();
  return r;
}

// max |actual - expected| / max(1, max |expected|): float32 against float64.
double relative_error(const Tensor& actual, const Tensor& expected) {
  EXPECT_EQ(actual.shape(), expected.shape());
  const auto a = actual.to_vector<double>(), e = expected.to_vector<double>();
  double worst = 0, scale = 1;
  for (size_t i = 0; i < a.size() && i < e.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - e[i]));
    scale = std::max(scale, std::fabs(e[i]));
  }
  return worst / scale;
}

const std::vector<ConvCase>& cases() {
  static const std::vector<ConvCase> all{
      {{2, 3, 9, 9}, {8, 3, 3, 3}, {1, 1}, {1, 1}},
      {{2, 4, 10, 7}, {6, 2, 3, 2}, {2, 1}, {1, 0}, {1, 2}, 2},
      {{1, 16, 8, 8}, {32, 16, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, false},
      {{3, 32, 12, 12}, {32, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 32},  // depthwise
      {{2, 1, 28, 28}, {16, 1, 5, 5}, {1, 1}, {2, 2}},               // a first layer
      {{2, 18, 7, 9}, {12, 6, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 3, false},
      {{1, 8, 16, 16}, {16, 8, 3, 3}, {3, 3}, {0, 0}, {3, 3}},
      {{4, 64, 14, 14}, {64, 64, 3, 3}, {1, 1}, {1, 1}},
      {{2, 5, 6, 11}, {7, 5, 4, 2}, {2, 3}, {2, 1}, {1, 3}},  // odd sizes, asymmetric options
      // First layers taken by the direct loops (conv_few_channels.cpp): rows ending in a short
      // vector (13 = 8 + 5 columns), 7x7 and 5x5 kernels, padding wider than the kernel's reach.
      {{3, 2, 11, 13}, {5, 2, 7, 7}, {1, 1}, {3, 3}},
      {{2, 4, 6, 20}, {3, 4, 5, 5}, {1, 1}, {0, 5}, {1, 1}, 1, false},
  };
  return all;
}

TEST(Conv2d, MatchesPyTorch) {
  // /usr/bin/python3, torch 1.13: x = torch.sin(0.7 * torch.arange(50.) + 0.3).reshape(1, 2, 5, 5);
  // w = torch.cos(1.3 * torch.arange(36.)).reshape(4, 1, 3, 3); b = [0.1, -0.2, 0.3, -0.4];
  // F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2) (float64).
  const Tensor expected = Tensor::from(
      std::vector<double>{
          2.28237882098,   2.29005750099,   1.02017720331,  0.1072027332,    -0.943321934949,
          2.8698578139,    1.29258568669,   -2.12772225701, -2.04173108973,  -2.30781912971,
          0.614659213359,  -0.733287990777, -3.38659270818, -1.45888171476,  -0.495236096042,
          1.58541713516,   0.760687532045,  -1.29659367481, -1.92571337732,  -2.01978776581,
          0.321122524457,  -1.37364862291,  -4.53880021029, -2.98313488692,  -1.52087653873,
          -1.39060874153,  -1.79612823087,  -3.06724099212, -0.880324017714, 0.703614841374,
          1.9115431695,    1.38495907064,   1.45784650858,  -0.79991846635,  -1.86252748742,
          1.52194763762,   -0.325752079213, -1.82351764528, -2.77119707266,  -2.56998153077,
          -0.664821485993, -1.65621638044,  -1.93391060699, -1.44013413389,  -0.331270507511,
          0.682310330796,  -0.796712708174, -2.02124574734, -2.20296597302,  -2.29594181167,
          -1.31273068566,  -3.10157234784,  -4.26486928207, -2.54372670776,  -1.14242483688,
          -2.42650864374,  -2.62912463026,  -1.66145846058, -0.348030463079, 0.661061251392},
      {1, 4, 3, 5});
  const Tensor x = sine_sequence({1, 2, 5, 5});
  const Tensor w = cosine_sequence({4, 1, 3, 3});
  const Tensor b = Tensor::from({0.1, -0.2, 0.3, -0.4});
  EXPECT_TENSOR_NEAR(conv2d(x, w, b, {2, 1}, {1, 2}, {1, 2}, 2), expected, 1e-10);
  // The same through oneDNN in float32.
  const Tensor y32 =
      conv2d(to(x, kFloat32), to(w, kFloat32), to(b, kFloat32), {2, 1}, {1, 2}, {1, 2}, 2);
  EXPECT_EQ(y32.dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(y32, expected, 1e-5);
}

TEST(Conv2d, HandComputedSingleWindow) {
  // One 2x2 window: y = sum(x * w) + b = 1*5 + 2*6 + 3*7 + 4*8 + 0.5 = 70.5.
  const Tensor x = Tensor::from(std::vector<double>{1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor w = Tensor::from(std::vector<double>{5, 6, 7, 8}, {1, 1, 2, 2});
  EXPECT_TENSOR_EQ(conv2d(x, w, Tensor::from({0.5})),
                   Tensor::from(std::vector<double>{70.5}, {1, 1, 1, 1}));
  // Padding 1 gives a 3x3 output whose corners each see one product: 1*8, 2*7, 3*6, 4*5.
  const Tensor y = conv2d(x, w, Tensor(), {1, 1}, {1, 1});
  EXPECT_TENSOR_EQ(
      y, Tensor::from(std::vector<double>{8, 23, 14, 30, 70, 38, 18, 39, 20}, {1, 1, 3, 3}));
}

TEST(Conv1d, MatchesPyTorch) {
  // /usr/bin/python3, torch 1.13: x = torch.sin(0.7 * torch.arange(14.) + 0.3).reshape(1, 2, 7);
  // w = torch.cos(1.3 * torch.arange(12.)).reshape(3, 2, 2);
  // F.conv1d(x, w, None, stride=2, padding=1, dilation=2) (float64).
  const Tensor expected = Tensor::from(
      std::vector<double>{0.496501651545, 0.725167888035, -0.698208445038, -1.17994876803,
                          1.17610114296, 0.227742339257, -0.86349167943, -0.250894838744,
                          0.605544333684, -0.51176572263, -0.110912049647, 0.94485193864},
      {1, 3, 4});
  const Tensor x = sine_sequence({1, 2, 7});
  const Tensor w = cosine_sequence({3, 2, 2});
  EXPECT_TENSOR_NEAR(conv1d(x, w, Tensor(), 2, 1, 2), expected, 1e-10);
  EXPECT_TENSOR_NEAR(conv1d(to(x, kFloat32), to(w, kFloat32), Tensor(), 2, 1, 2), expected, 1e-5);
}

TEST(Conv1d, EqualsConv2dOnARow) {
  const Tensor x = random_normal({2, 6, 9}, 3), w = random_normal({4, 3, 3}, 4);
  const Tensor b = random_normal({4}, 5);
  EXPECT_TENSOR_EQ(
      conv1d(x, w, b, 2, 1, 2, 2),
      squeeze(conv2d(unsqueeze(x, 2), unsqueeze(w, 2), b, {1, 2}, {0, 1}, {1, 2}, 2), 2));
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  struct Options {
    Shape x, w;
    Pair stride, padding, dilation;
    int64_t groups;
    bool bias;
  };
  const std::vector<Options> all{
      {{2, 3, 5, 5}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {1, 1}, 1, true},
      {{1, 2, 6, 5}, {3, 2, 2, 3}, {2, 1}, {1, 2}, {1, 1}, 1, false},
      {{1, 2, 6, 6}, {2, 2, 3, 2}, {1, 1}, {1, 1}, {2, 1}, 1, true},
      {{1, 4, 5, 4}, {6, 2, 2, 3}, {1, 1}, {0, 1}, {1, 1}, 2, true},
      {{2, 3, 7, 6}, {3, 1, 3, 3}, {2, 2}, {2, 2}, {2, 2}, 3, false},
  };
  for (const Options& o : all) {
    SCOPED_TRACE(::testing::PrintToString(o.x) + " * " + ::testing::PrintToString(o.w));
    std::vector<Tensor> inputs{random_normal(o.x, 21), random_normal(o.w, 22)};
    if (o.bias) inputs.push_back(random_normal({o.w[0]}, 23));
    expect_gradients_match_finite_differences(
        [&o](const std::vector<Tensor>& in) {
          return conv2d(in[0], in[1], o.bias ? in[2] : Tensor(), o.stride, o.padding, o.dilation,
                        o.groups);
        },
        inputs);
  }
}

TEST(Conv1d, GradientsMatchFiniteDifferences) {
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], in[2], 2, 1); },
      {random_normal({2, 3, 7}, 31), random_normal({4, 3, 3}, 32), random_normal({4}, 33)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return conv1d(in[0], in[1], Tensor(), 1, 2, 2, 3); },
      {random_normal({1, 6, 9}, 34), random_normal({3, 2, 2}, 35)});
}

TEST(Conv2d, GradientOfBiasAloneAndOfInputAlone) {
  // Only some inputs require grad: the others get none, and those computed are unchanged.
  const ConvCase c{{2, 3, 6, 6}, {4, 3, 3, 3}, {1, 1}, {1, 1}};
  const ConvRun all = run_conv(c, kFloat64);
  const Tensor x = random_normal(c.x, 11), w = random_normal(c.w, 12);
  Tensor b = random_normal({4}, 13).set_requires_grad();
  Tensor y = conv2d(x, w, b, c.stride, c.padding);
  y.backward(random_normal(y.shape(), 14));
  EXPECT_TENSOR_NEAR(b.grad(), all.db, 1e-12);
  EXPECT_FALSE(x.grad().defined());

  Tensor x2 = random_normal(c.x, 11).set_requires_grad();
  y = conv2d(x2, w, random_normal({4}, 13), c.stride, c.padding);
  y.backward(random_normal(y.shape(), 14));
  EXPECT_TENSOR_EQ(x2.grad(), all.dx);
}

TEST(Conv2d, Float32OneDnnMatchesFloat64Reference) {
  double worst = 0;
  for (const ConvCase& c : cases()) {
    SCOPED_TRACE(::testing::PrintToString(c.x) + " * " + ::testing::PrintToString(c.w));
    const ConvRun f32 = run_conv(c, kFloat32), f64 = run_conv(c, kFloat64);
    ASSERT_EQ(f32.y.dtype(), kFloat32);
    const std::vector<std::pair<Tensor, Tensor>> pairs{
        {f32.y, f64.y}, {f32.dx, f64.dx}, {f32.dw, f64.dw}};
    for (const auto& [a, e] : pairs) {
      const double err = relative_error(a, e);
      EXPECT_LT(err, 5e-6);
      worst = std::max(worst, err);
    }
    if (c.bias) {
      EXPECT_LT(relative_error(f32.db, f64.db), 5e-6);
    }
  }
  RecordProperty("worst_relative_error", fmt::format("{:.3g}", worst));
}

TEST(Conv2d, SameInputGivesIdenticalBits) {
  for (const ConvCase& c : {cases()[0], cases()[7]}) {
    const ConvRun a = run_conv(c, kFloat32), b = run_conv(c, kFloat32);
    EXPECT_TENSOR_EQ(a.y, b.y);
    EXPECT_TENSOR_EQ(a.dx, b.dx);
    EXPECT_TENSOR_EQ(a.dw, b.dw);
    EXPECT_TENSOR_EQ(a.db, b.db);
  }
}

TEST(Conv2d, ThreadCountDoesNotChangeResults) {
  for (const ConvCase& c : cases()) {
    SCOPED_TRACE(::testing::PrintToString(c.x) + " * " + ::testing::PrintToString(c.w));
    for (DType dtype : {kFloat32, kFloat64}) {
      ConvRun one, two;
      {
        ScopedNumThreads threads(1);
        one = run_conv(c, dtype);
      }
      {
        ScopedNumThreads threads(2);
        two = run_conv(c, dtype);
      }
      EXPECT_TENSOR_EQ(one.y, two.y);
      EXPECT_TENSOR_EQ(one.dx, two.dx);
      EXPECT_TENSOR_EQ(one.dw, two.dw);
      if (c.bias) {
        EXPECT_TENSOR_EQ(one.db, two.db);
      }
    }
  }
}

TEST(Conv2d, NonContiguousInputs) {
  const Tensor x = random_normal({2, 3, 7, 6}, 41), w = random_normal({4, 3, 3, 2}, 42);
  const Tensor xt = transpose(contiguous(transpose(x, 2, 3)), 2, 3);  // same values, strided
  const Tensor wt = transpose(contiguous(transpose(w, 0, 1)), 0, 1);
  ASSERT_FALSE(xt.is_contiguous());
  ASSERT_FALSE(wt.is_contiguous());
  EXPECT_TENSOR_EQ(conv2d(xt, wt, Tensor(), {2, 1}, {1, 1}),
                   conv2d(x, w, Tensor(), {2, 1}, {1, 1}));
  EXPECT_TENSOR_EQ(conv2d(to(xt, kFloat32), to(wt, kFloat32)),
                   conv2d(to(x, kFloat32), to(w, kFloat32)));
}

TEST(Conv2d, EmptyBatch) {
  for (DType dtype : {kFloat32, kFloat64}) {
    Tensor x = zeros({0, 3, 5, 5}, dtype).set_requires_grad();
    Tensor w = ones({4, 3, 3, 3}, dtype).set_requires_grad();
    Tensor b = ones({4}, dtype).set_requires_grad();
    const Tensor y = conv2d(x, w, b);
    EXPECT_EQ(y.shape(), Shape({0, 4, 3, 3}));
    y.backward(ones_like(y));
    EXPECT_EQ(x.grad().shape(), x.shape());
    EXPECT_TENSOR_EQ(w.grad(), zeros({4, 3, 3, 3}, dtype));
    EXPECT_TENSOR_EQ(b.grad(), zeros({4}, dtype));
  }
}

// An input with no pixels but enough padding has an output of padding only: the bias, with no
// gradient reaching the weights (float32 takes the first-layer loops here, float64 the reference).
TEST(Conv2d, EmptyImageWithPaddingGivesTheBias) {
  for (DType dtype : {kFloat32, kFloat64}) {
    Tensor x = zeros({2, 1, 0, 0}, dtype).set_requires_grad();
    Tensor w = ones({3, 1, 3, 3}, dtype).set_requires_grad();
    Tensor b = Tensor::from(std::vector<double>{1, 2, 3}, {3}).to(dtype).set_requires_grad();
    const Tensor y = conv2d(x, w, b, {1, 1}, {2, 2});
    ASSERT_EQ(y.shape(), Shape({2, 3, 2, 2}));
    EXPECT_TENSOR_EQ(y, expand(reshape(b.detach(), {1, 3, 1, 1}), {2, 3, 2, 2}).contiguous());
    y.backward(ones_like(y));
    EXPECT_TENSOR_EQ(w.grad(), zeros({3, 1, 3, 3}, dtype));
    EXPECT_TENSOR_EQ(b.grad(), full({3}, 8.0, dtype));
  }
}

TEST(Conv2d, RejectsBadArguments) {
  const Tensor x = zeros({2, 3, 28, 28}), w = zeros({16, 3, 3, 3});
  EXPECT_THROW_WITH_MESSAGE(conv2d(zeros({3, 28, 28}), w),
                            "conv2d: expected input of shape [N, C, H, W], got [3, 28, 28]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({16, 1, 3, 3})),
                            "conv2d: input has 3 channels but weight [16, 1, 3, 3] expects 1 "
                            "(groups=1)");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({16, 3, 3})),
                            "conv2d: expected weight of shape [C_out, C_in / groups, kH, kW], got "
                            "[16, 3, 3]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({5, 1, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 3),
                            "conv2d: weight [5, 1, 3, 3] has 5 output channels, not divisible by "
                            "groups=3");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({6, 2, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 2),
                            "conv2d: input has 3 channels but weight [6, 2, 3, 3] expects 4 "
                            "(groups=2)");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 0),
                            "conv2d: groups must be positive, got 0");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, w, Tensor(), {0, 1}),
                            "conv2d: stride must be positive, got [0, 1]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, w, Tensor(), {1, 1}, {1, -1}),
                            "conv2d: padding must be non-negative, got [1, -1]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 0}),
                            "conv2d: dilation must be positive, got [1, 0]");
  EXPECT_THROW_WITH_MESSAGE(
      conv2d(x, w, zeros({8})),
      "conv2d: expected bias of shape [16] (one per output channel), got [8]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({16, 3, 0, 3})),
                            "conv2d: weight [16, 3, 0, 3] has a dimension of size 0");
  EXPECT_THROW_WITH_MESSAGE(
      conv2d(zeros({1, 1, 2, 5}), zeros({1, 1, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 2}),
      "conv2d: calculated output size [0, 1] is too small: input size [2, 5] with padding [0, 0] "
      "is smaller than the dilated kernel size [3, 5]");
  EXPECT_THROW_WITH_MESSAGE(conv2d(zeros({1, 1, 4, 4}, kInt64), zeros({1, 1, 3, 3}, kInt64)),
                            "conv2d: expected a floating-point tensor, got int64");
  EXPECT_THROW_WITH_MESSAGE(conv2d(x, zeros({16, 3, 3, 3}, kFloat64)),
                            "conv2d: input is float32 but weight is float64; expected the same "
                            "dtype");
  EXPECT_THROW_WITH_MESSAGE(
      conv2d(x, w, zeros({16}, kFloat64)),
      "conv2d: input is float32 but bias is float64; expected the same dtype");
  EXPECT_THROW_WITH_MESSAGE(
      conv2d(Tensor(), w), "conv2d: expected input of shape [N, C, H, W], got an undefined tensor");
}

TEST(Conv1d, RejectsBadArguments) {
  const Tensor x = zeros({2, 3, 10}), w = zeros({4, 3, 3});
  EXPECT_THROW_WITH_MESSAGE(conv1d(zeros({2, 3, 4, 5}), w),
                            "conv1d: expected input of shape [N, C, L], got [2, 3, 4, 5]");
  EXPECT_THROW_WITH_MESSAGE(conv1d(x, zeros({4, 3, 3, 3})),
                            "conv1d: expected weight of shape [C_out, C_in / groups, K], got "
                            "[4, 3, 3, 3]");
  EXPECT_THROW_WITH_MESSAGE(
      conv1d(x, zeros({4, 2, 3})),
      "conv1d: input has 3 channels but weight [4, 2, 3] expects 2 (groups=1)");
  EXPECT_THROW_WITH_MESSAGE(conv1d(x, w, Tensor(), 0), "conv1d: stride must be positive, got 0");
  EXPECT_THROW_WITH_MESSAGE(conv1d(x, w, Tensor(), 1, -2),
                            "conv1d: padding must be non-negative, got -2");
  EXPECT_THROW_WITH_MESSAGE(conv1d(x, w, Tensor(), 1, 0, 0),
                            "conv1d: dilation must be positive, got 0");
  EXPECT_THROW_WITH_MESSAGE(conv1d(zeros({1, 3, 4}), zeros({4, 3, 5})),
                            "conv1d: calculated output size 0 is too small: input size 4 with "
                            "padding 0 is smaller than the dilated kernel size 5");
}

}  // namespace
}  // namespace athanor
