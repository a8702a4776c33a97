// src/ops/pool_test.cpp: max_pool2d, avg_pool2d and adaptive_avg_pool2d: values and gradients
// against PyTorch, PyTorch's output-size and ceil_mode rules, gradient checks over stride,
// padding, dilation and ceil_mode, ties and NaN, unbatched input, float32 against float64,
// determinism and error messages.
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/pool.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;
using Pair = std::array<int64_t, 2>;

// sin(0.7 i + 0.3) over the elements in row-major order, as torch.sin(0.7 * torch.arange(n) +
// 0.3).reshape(shape).
Tensor sine_sequence(const Shape& shape) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.7 * static_cast<double>(i) + 0.3);
  return Tensor::from(v, shape);
}

// The gradient of sum(y * arange(y.numel()).reshape(y.shape)) with respect to x, which the
// PyTorch references below use: every output gets a different weight.
Tensor ramp_gradient(const std::function<Tensor(const Tensor&)>& f, const Tensor& x0) {
  Tensor x = x0.detach().set_requires_grad();
  const Tensor y = f(x);
  y.backward(reshape(arange(0.0, static_cast<double>(y.numel()), 1.0, y.dtype()), y.shape()));
  return x.grad();
}

Tensor values(std::vector<double> v, const Shape& shape) { return Tensor::from(v, shape); }

TEST(MaxPool2d, MatchesPyTorch) {
  // /usr/bin/python3, torch 1.13: x = torch.sin(0.7 * torch.arange(25.) + 0.3).reshape(1, 1, 5, 5)
  // (float64); y, idx = F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True);
  // dx = gradient of (y * torch.arange(9.).reshape(y.shape)).sum().
  const Tensor x = sine_sequence({1, 1, 5, 5});
  auto pool = [](const Tensor& t) { return max_pool2d(t, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true); };
  EXPECT_TENSOR_NEAR(
      pool(x),
      values({0.841470984808, 0.991664810452, 0.675463180551, 0.989358246623, 0.989358246623,
              0.859161814856, 0.986771964275, 0.650287840157, 0.859161814856},
             {1, 1, 3, 3}),
      1e-11);
  EXPECT_TENSOR_EQ(
      max_pool2d_with_indices(x, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true).indices,
      Tensor::from(std::vector<int64_t>{1, 2, 3, 11, 11, 19, 20, 21, 19}, {1, 1, 3, 3}));
  // Element 19 is the maximum of two windows, so its gradient is 5 + 8.
  EXPECT_TENSOR_EQ(ramp_gradient(pool, x), values({0, 0, 1, 2, 0, 0, 0,  0, 0, 0, 0, 7, 0,
                                                   0, 0, 0, 0, 0, 0, 13, 6, 7, 0, 0, 0},
                                                  {1, 1, 5, 5}));
  // F.max_pool2d(x, 2, 1, 0, 2): dilation 2.
  EXPECT_TENSOR_NEAR(
      max_pool2d(x, {2, 2}, {1, 1}, {0, 0}, {2, 2}),
      values({0.991664810452, 0.989358246623, 0.991664810452, -0.358229282237, 0.327474439138,
              0.859161814856, 0.986771964275, 0.989358246623, 0.662969230082},
             {1, 1, 3, 3}),
      1e-11);
}

TEST(AvgPool2d, MatchesPyTorch) {
  // /usr/bin/python3, torch 1.13: x = torch.sin(0.7 * torch.arange(36.) + 0.3).reshape(1, 1, 6, 6)
  // (float64); y = F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=cip); dx = gradient
  // of (y * torch.arange(16.).reshape(y.shape)).sum(). ceil_mode adds a last window starting at
  // row 5, clipped to the padded input: its divisor counts 2 rows, not 3.
  const Tensor x = sine_sequence({1, 1, 6, 6});
  auto pool = [](bool cip) {
    return [cip](const Tensor& t) { return avg_pool2d(t, {3, 3}, {2, 2}, {1, 1}, true, cip); };
  };
  EXPECT_TENSOR_NEAR(
      pool(true)(x),
      values({-0.080443731324, 0.173645446531, 0.250724686979, 0.0629167259468, 0.00148845957161,
              -0.00342219902831, -0.00479301273681, -0.00116295299357, -0.00400662707924,
              -0.0018750469916, 0.00475026431555, 0.00319414769432, 0.104761881143, -0.27445486218,
              -0.362042947806, -0.0816587815262},
             {1, 1, 4, 4}),
      1e-11);
  EXPECT_TENSOR_NEAR(ramp_gradient(pool(true), x),
                     values({0,
                             0.111111111111,
                             0.111111111111,
                             0.333333333333,
                             0.222222222222,
                             0.722222222222,
                             0.444444444444,
                             1.11111111111,
                             0.666666666667,
                             1.55555555556,
                             0.888888888889,
                             2.55555555556,
                             0.444444444444,
                             1,
                             0.555555555556,
                             1.22222222222,
                             0.666666666667,
                             1.83333333333,
                             1.33333333333,
                             2.88888888889,
                             1.55555555556,
                             3.33333333333,
                             1.77777777778,
                             4.77777777778,
                             0.888888888889,
                             1.88888888889,
                             1,
                             2.11111111111,
                             1.11111111111,
                             2.94444444444,
                             2.88888888889,
                             6.05555555556,
                             3.16666666667,
                             6.61111111111,
                             3.44444444444,
                             9.02777777778},
                            {1, 1, 6, 6}),
                     1e-10);
  EXPECT_TENSOR_NEAR(
      pool(false)(x),
      values({-0.180998395479, 0.260468169796, 0.376087030468, 0.18875017784, 0.00223268935741,
              -0.00342219902831, -0.00479301273681, -0.00232590598713, -0.00600994061887,
              -0.0018750469916, 0.00475026431555, 0.00638829538865, 0.31428564343, -0.548909724359,
              -0.724085895612, -0.326635126105},
             {1, 1, 4, 4}),
      1e-11);
  EXPECT_TENSOR_NEAR(ramp_gradient(pool(false), x),
                     values({0,
                             0.166666666667,
                             0.166666666667,
                             0.5,
                             0.333333333333,
                             1.83333333333,
                             0.666666666667,
                             1.38888888889,
                             0.722222222222,
                             1.72222222222,
                             1,
                             4.83333333333,
                             0.666666666667,
                             1.22222222222,
                             0.555555555556,
                             1.22222222222,
                             0.666666666667,
                             3,
                             2,
                             3.55555555556,
                             1.55555555556,
                             3.33333333333,
                             1.77777777778,
                             7.77777777778,
                             1.33333333333,
                             2.33333333333,
                             1,
                             2.11111111111,
                             1.11111111111,
                             4.77777777778,
                             7.33333333333,
                             12.6666666667,
                             5.33333333333,
                             11.1111111111,
                             5.77777777778,
                             24.4444444444},
                            {1, 1, 6, 6}),
                     1e-10);
}

TEST(AdaptiveAvgPool2d, MatchesPyTorch) {
  // /usr/bin/python3, torch 1.13: x = torch.sin(0.7 * torch.arange(35.) + 0.3).reshape(1, 1, 5, 7)
  // (float64); y = F.adaptive_avg_pool2d(x, (3, 4)); dx = gradient of
  // (y * torch.arange(12.).reshape(y.shape)).sum(). Rows bins: [0, 2), [1, 4), [3, 5).
  const Tensor x = sine_sequence({1, 1, 5, 7});
  auto pool = [](const Tensor& t) { return adaptive_avg_pool2d(t, {3, 4}); };
  EXPECT_TENSOR_NEAR(pool(x),
                     values({-0.0300850322703, 0.549450049187, 0.434658341563, -0.225410838268,
                             -0.367514529261, -0.337858319036, 0.126380362895, 0.422418790836,
                             0.627450454801, -0.000288420360867, -0.640079496019, -0.461197062595},
                            {1, 1, 3, 4}),
                     1e-11);
  EXPECT_TENSOR_NEAR(ramp_gradient(pool, x),
                     values({0,
                             0.166666666667,
                             0.166666666667,
                             0.5,
                             0.333333333333,
                             1.08333333333,
                             0.75,
                             0.666666666667,
                             1.38888888889,
                             0.722222222222,
                             1.72222222222,
                             1,
                             2.91666666667,
                             1.91666666667,
                             0.666666666667,
                             1.22222222222,
                             0.555555555556,
                             1.22222222222,
                             0.666666666667,
                             1.83333333333,
                             1.16666666667,
                             2.66666666667,
                             4.72222222222,
                             2.05555555556,
                             4.38888888889,
                             2.33333333333,
                             6.25,
                             3.91666666667,
                             2,
                             3.5,
                             1.5,
                             3.16666666667,
                             1.66666666667,
                             4.41666666667,
                             2.75},
                            {1, 1, 5, 7}),
                     1e-10);
  // Equal bins are plain averages; an output larger than the input repeats elements.
  const Tensor r = arange(0.0, 16.0, 1.0, kFloat64);
  EXPECT_TENSOR_EQ(adaptive_avg_pool2d(reshape(r, {1, 4, 4}), {2, 2}),
                   values({2.5, 4.5, 10.5, 12.5}, {1, 2, 2}));
  EXPECT_TENSOR_EQ(adaptive_avg_pool2d(values({1, 2}, {1, 1, 2}), {1, 3}),
                   values({1, 1.5, 2}, {1, 1, 3}));
}

TEST(Pool2d, OutputSizesFollowPyTorch) {
  auto size = [](int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, bool ceil) {
    return max_pool2d(zeros({1, 1, in, in}), {k, k}, {s, s}, {p, p}, {d, d}, ceil).shape()[2];
  };
  // Values from torch 1.13's F.max_pool2d on the same sizes.
  EXPECT_EQ(size(7, 3, 2, 0, 1, false), 3);
  EXPECT_EQ(size(7, 3, 2, 0, 1, true), 3);
  EXPECT_EQ(size(8, 3, 2, 0, 1, false), 3);
  EXPECT_EQ(size(8, 3, 2, 0, 1, true), 4);
  EXPECT_EQ(size(6, 2, 2, 1, 1, true), 4);
  // ceil_mode would add a window starting at 6, past the input and its left padding (5 + 1):
  // dropped.
  EXPECT_EQ(size(5, 2, 2, 1, 1, true), 3);
  EXPECT_EQ(size(5, 3, 3, 1, 1, true), 2);
  EXPECT_EQ(size(7, 3, 1, 1, 2, false), 5);
  EXPECT_EQ(avg_pool2d(zeros({2, 3, 9, 4}), {3, 2}).shape(), Shape({2, 3, 3, 2}));
  EXPECT_EQ(max_pool2d(zeros({2, 3, 9, 4}), {3, 2}, {1, 2}).shape(), Shape({2, 3, 7, 2}));
}

TEST(MaxPool2d, GradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({2, 2, 7, 6}, 51);
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return max_pool2d(t, {2, 2});
      },
      {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return max_pool2d(t, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true);
      },
      {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return max_pool2d(t, {2, 3}, {1, 2}, {1, 1}, {2, 1});
      },
      {x});
  expect_gradients_match_finite_differences(  // overlapping windows, unbatched
      [](const Tensor& t) {
        return max_pool2d(t, {3, 2}, {1, 1}, {1, 0});
      },
      {random_normal({3, 5, 4}, 52)});
}

TEST(AvgPool2d, GradientsMatchFiniteDifferences) {
  const Tensor x = random_normal({2, 2, 7, 6}, 53);
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return avg_pool2d(t, {2, 2});
      },
      {x});
  for (bool cip : {true, false}) {
    expect_gradients_match_finite_differences(
        [cip](const Tensor& t) {
          return avg_pool2d(t, {3, 3}, {2, 2}, {1, 1}, true, cip);
        },
        {x});
    expect_gradients_match_finite_differences(
        [cip](const Tensor& t) {
          return avg_pool2d(t, {3, 2}, {1, 2}, {1, 1}, false, cip);
        },
        {x});
  }
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return avg_pool2d(t, {2, 2}, {1, 1});
      },
      {random_normal({3, 4, 5}, 54)});
}

TEST(AdaptiveAvgPool2d, GradientsMatchFiniteDifferences) {
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {3, 4});
      },
      {random_normal({2, 2, 5, 7}, 55)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {4, 5});
      },  // larger than the input
      {random_normal({1, 2, 3, 4}, 56)});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {1, 1});
      },
      {random_normal({3, 4, 4}, 57)});
}

TEST(MaxPool2d, TiesSendTheGradientToTheFirstMaximum) {
  // All equal: each 2x2 window's gradient goes to its top-left element, as PyTorch.
  const Tensor dx = ramp_gradient(
      [](const Tensor& t) {
        return max_pool2d(t, {2, 2});
      },
      ones({1, 1, 4, 4}, kFloat64));
  EXPECT_TENSOR_EQ(dx, values({0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0}, {1, 1, 4, 4}));
}

TEST(MaxPool2d, NaNIsTheMaximum) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor x = values({1, nan, 3, 4, 5, 6, 7, 8}, {1, 1, 2, 4});
  const auto [y, indices] = max_pool2d_with_indices(x, {2, 2});
  EXPECT_TENSOR_EQ(y, values({nan, 8}, {1, 1, 1, 2}));
  EXPECT_TENSOR_EQ(indices, Tensor::from(std::vector<int64_t>{1, 7}, {1, 1, 1, 2}));
}

// The 2x2 stride-2 windows take fast paths of their own (scalar, and eight windows at a time with
// AVX2, the last of a row through masks): check them window by window against the rule (first
// maximum in row-major order, else the last NaN) on values with many ties and NaNs.
TEST(MaxPool2d, TwoByTwoFastPathKeepsTheTieAndNaNRule) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Widths 9 and 19 (odd: the last column belongs to no window), 14 and 31: rows of 4 and 7
  // windows take one masked vector (float32), rows of 9 and 15 a full vector and a masked one.
  // NaNs in some rows of each, many ties.
  for (const int64_t W : {int64_t{9}, int64_t{19}, int64_t{14}, int64_t{31}}) {
    const int64_t H = 6, Ho = 3, Wo = W / 2;
    std::vector<double> v(static_cast<size_t>(2 * 3 * H * W));
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 7 + i / 5) % 3);
    for (size_t i : {4u, 5u, 13u, 22u, 60u, 61u, 70u, 71u, 200u, 333u}) {
      if (i < v.size()) v[i] = nan;  // 333 lies beyond the 324 values of the narrower input
    }
    for (DType dtype : {kFloat32, kFloat64}) {
      const Tensor x = values(v, {2, 3, H, W}).to(dtype);
      const auto [y, indices] = max_pool2d_with_indices(x, {2, 2});
      ASSERT_EQ(y.shape(), Shape({2, 3, Ho, Wo}));
      const std::vector<double> yv = y.to(kFloat64).to_vector<double>();
      const std::vector<int64_t> iv = indices.to_vector<int64_t>();
      for (int64_t plane = 0; plane < 6; ++plane) {
        for (int64_t i = 0; i < Ho; ++i) {
          for (int64_t j = 0; j < Wo; ++j) {
            double best = -std::numeric_limits<double>::infinity();
            int64_t at = -1;
            for (int64_t h = 2 * i; h < 2 * i + 2; ++h) {
              for (int64_t w = 2 * j; w < 2 * j + 2; ++w) {
                const double e = v[static_cast<size_t>(plane * H * W + h * W + w)];
                if (at < 0 || e > best || std::isnan(e)) best = e, at = h * W + w;
              }
            }
            const size_t o = static_cast<size_t>((plane * Ho + i) * Wo + j);
            EXPECT_EQ(iv[o], at) << W << " " << plane << " " << i << " " << j;
            if (std::isnan(best)) {
              EXPECT_TRUE(std::isnan(yv[o]));
            } else {
              EXPECT_EQ(yv[o], best);
            }
          }
        }
      }
    }
  }
}

TEST(MaxPool2d, PaddingNeverWins) {
  // Padding is -inf for max pooling, not 0: an all-negative input keeps its values.
  const Tensor x = values({-1, -2, -3, -4}, {1, 1, 2, 2});
  EXPECT_TENSOR_EQ(max_pool2d(x, {2, 2}, {1, 1}, {1, 1}),
                   values({-1, -1, -2, -1, -1, -2, -3, -3, -4}, {1, 1, 3, 3}));
}

TEST(Pool2d, UnbatchedInputMatchesABatchOfOne) {
  const Tensor x = random_normal({3, 6, 5}, 58);
  const Tensor x4 = unsqueeze(x, 0);
  EXPECT_TENSOR_EQ(max_pool2d(x, {2, 2}), squeeze(max_pool2d(x4, {2, 2}), 0));
  EXPECT_TENSOR_EQ(avg_pool2d(x, {3, 2}, {1, 1}, {1, 0}),
                   squeeze(avg_pool2d(x4, {3, 2}, {1, 1}, {1, 0}), 0));
  EXPECT_TENSOR_EQ(adaptive_avg_pool2d(x, {2, 3}), squeeze(adaptive_avg_pool2d(x4, {2, 3}), 0));
  EXPECT_EQ(max_pool2d_with_indices(x, {2, 2}).indices.shape(), Shape({3, 3, 2}));
}

TEST(Pool2d, Float32MatchesFloat64) {
  const Tensor x = random_normal({2, 3, 11, 9}, 59);
  const Tensor x32 = to(x, kFloat32);
  using Pool = std::function<Tensor(const Tensor&)>;
  const std::vector<Pool> pools{
      [](const Tensor& t) {
        return max_pool2d(t, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true);
      },
      [](const Tensor& t) {
        return avg_pool2d(t, {3, 2}, {2, 1}, {1, 1}, true, false);
      },
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {4, 5});
      },
  };
  for (const Pool& pool : pools) {
    const Tensor y32 = pool(x32);
    EXPECT_EQ(y32.dtype(), kFloat32);
    EXPECT_TENSOR_NEAR(y32, pool(x), 1e-6);
    // Gradients reach ~200 (the ramp's size), so float32 rounding is ~1e-5 of them.
    EXPECT_TENSOR_NEAR(ramp_gradient(pool, x32), ramp_gradient(pool, x), 1e-4);
  }
}

TEST(Pool2d, ThreadCountAndRepetitionDoNotChangeResults) {
  // Enough planes and work that the kernels split across threads.
  const Tensor x = to(random_normal({4, 16, 24, 24}, 60), kFloat32);
  using Pool = std::function<Tensor(const Tensor&)>;
  const std::vector<Pool> pools{
      [](const Tensor& t) {
        return max_pool2d(t, {3, 3}, {1, 1}, {1, 1});
      },
      [](const Tensor& t) {
        return avg_pool2d(t, {3, 3}, {1, 1}, {1, 1});
      },
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {7, 5});
      },
  };
  for (const Pool& pool : pools) {
    Tensor y1, dx1, y2, dx2;
    {
      ScopedNumThreads threads(1);
      y1 = pool(x);
      dx1 = ramp_gradient(pool, x);
    }
    {
      ScopedNumThreads threads(2);
      y2 = pool(x);
      dx2 = ramp_gradient(pool, x);
      EXPECT_TENSOR_EQ(pool(x), y2);
    }
    EXPECT_TENSOR_EQ(y1, y2);
    EXPECT_TENSOR_EQ(dx1, dx2);
  }
}

TEST(Pool2d, EmptyBatch) {
  using Pool = std::function<Tensor(const Tensor&)>;
  const std::vector<Pool> pools{
      [](const Tensor& t) {
        return max_pool2d(t, {2, 2});
      },
      [](const Tensor& t) {
        return avg_pool2d(t, {2, 2});
      },
      [](const Tensor& t) {
        return adaptive_avg_pool2d(t, {2, 2});
      },
  };
  for (const Pool& pool : pools) {
    Tensor x = zeros({0, 3, 4, 4}, kFloat64).set_requires_grad();
    const Tensor y = pool(x);
    EXPECT_EQ(y.shape(), Shape({0, 3, 2, 2}));
    y.backward(ones_like(y));
    EXPECT_EQ(x.grad().shape(), x.shape());
  }
}

TEST(Pool2d, RejectsBadArguments) {
  const Tensor x = zeros({1, 2, 8, 8});
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(zeros({8, 8}), {2, 2}),
                            "max_pool2d: expected input of shape [N, C, H, W] or [C, H, W], got "
                            "[8, 8]");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(x, {0, 2}),
                            "max_pool2d: kernel_size must be positive, got "
                            "[0, 2]");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(x, {2, 2}, {0, 1}),
                            "max_pool2d: stride must be positive (or [0, 0] for the kernel size), "
                            "got [0, 1]");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(x, {2, 2}, {1, 1}, {-1, 0}),
                            "max_pool2d: padding must be non-negative, got [-1, 0]");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(x, {2, 2}, {1, 1}, {0, 0}, {0, 1}),
                            "max_pool2d: dilation must be positive, got [0, 1]");
  // PyTorch compares padding with half the kernel size, not the dilated extent.
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(x, {3, 3}, {1, 1}, {2, 0}, {2, 2}),
                            "max_pool2d: padding [2, 0] must be at most half of kernel_size "
                            "[3, 3]; expected padding <= kernel_size / 2");
  EXPECT_THROW_WITH_MESSAGE(avg_pool2d(x, {3, 3}, {1, 1}, {0, 2}),
                            "avg_pool2d: padding [0, 2] must be at most half of kernel_size "
                            "[3, 3]");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(zeros({1, 1, 3, 8}), {2, 2}, {1, 1}, {0, 0}, {3, 1}),
                            "max_pool2d: calculated output size [0, 7] is too small for input "
                            "[1, 1, 3, 8] (kernel_size [2, 2], stride [1, 1], padding [0, 0], "
                            "dilation [3, 1]); expected each output size >= 1");
  EXPECT_THROW_WITH_MESSAGE(avg_pool2d(zeros({2, 3, 5}), {4, 4}),
                            "avg_pool2d: calculated output size [0, 1] is too small for input "
                            "[2, 3, 5] (kernel_size [4, 4], stride [4, 4], padding [0, 0]); "
                            "expected each output size >= 1");
  EXPECT_THROW_WITH_MESSAGE(avg_pool2d(zeros({1, 2, 8, 8}, kInt64), {2, 2}),
                            "avg_pool2d: expected a floating-point tensor, got int64");
  EXPECT_THROW_WITH_MESSAGE(max_pool2d(zeros({1, 0, 8, 8}), {2, 2}),
                            "max_pool2d: expected non-empty channel and spatial dimensions, got "
                            "input [1, 0, 8, 8]");
  EXPECT_THROW_WITH_MESSAGE(adaptive_avg_pool2d(x, {0, 3}),
                            "adaptive_avg_pool2d: output_size must be positive, got [0, 3]");
  EXPECT_THROW_WITH_MESSAGE(adaptive_avg_pool2d(zeros({2, 2, 2, 2, 2}), {1, 1}),
                            "adaptive_avg_pool2d: expected input of shape [N, C, H, W] or "
                            "[C, H, W], got [2, 2, 2, 2, 2]");
}

}  // namespace
}  // namespace athanor
