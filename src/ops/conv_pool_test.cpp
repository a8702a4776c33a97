// src/ops/conv_pool_test.cpp: conv2d_max_pool2d: the same bits as conv2d then max_pool2d, forward
// and every gradient, on the fused CPU kernel (float32, 1 to 4 input channels), on oneDNN's
// convolution pooled from its blocked output (more channels), and on the path through the two
// kernels (float64, in the gradient check); the two ops' error messages.
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/conv.h>
#include <athanor/ops/pool.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;
using Pair = std::array<int64_t, 2>;

struct Case {
  Shape x, w;
  Pair padding, pool_kernel, pool_stride, pool_padding;
  bool ceil_mode;
};

struct Result {
  Tensor y, dx, dw, db;
};

// The output and the gradients of x, w and b for an upstream gradient of fixed random values.
template <typename F>
Result run(F&& f, const Tensor& x0, const Tensor& w0, const Tensor& b0) {
  Tensor x = x0.clone().set_requires_grad(), w = w0.clone().set_requires_grad(),
         b = b0.clone().set_requires_grad();
  Result r;
  r.y = f(x, w, b);
  sum(r.y * to(random_normal(r.y.shape(), 7), r.y.dtype())).backward();
  r.dx = x.grad(), r.dw = w.grad(), r.db = b.grad();
  return r;
}

class ConvPool : public ::testing::TestWithParam<Case> {};

TEST_P(ConvPool, MatchesConvThenPoolBitForBit) {
  const Case c = GetParam();
  Tensor x = to(random_normal(c.x, 1), kFloat32);
  // A NaN, and a plane of equal values (every window a tie).
  x.select(0, 0).select(0, 0).select(0, 1).select(0, 2).fill_(
      std::numeric_limits<double>::quiet_NaN());
  x.select(0, c.x[0] - 1).fill_(0.5);
  const Tensor w = to(random_normal(c.w, 2), kFloat32),
               b = to(random_normal({c.w[0]}, 3), kFloat32);
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    const Result fused = run(
        [&](const Tensor& xi, const Tensor& wi, const Tensor& bi) {
          return conv2d_max_pool2d(xi, wi, bi, {1, 1}, c.padding, {1, 1}, 1, c.pool_kernel,
                                   c.pool_stride, c.pool_padding, {1, 1}, c.ceil_mode);
        },
        x, w, b);
    const Result apart = run(
        [&](const Tensor& xi, const Tensor& wi, const Tensor& bi) {
          return max_pool2d(conv2d(xi, wi, bi, {1, 1}, c.padding), c.pool_kernel, c.pool_stride,
                            c.pool_padding, {1, 1}, c.ceil_mode);
        },
        x, w, b);
    EXPECT_TENSOR_EQ(fused.y, apart.y) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.dx, apart.dx) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.dw, apart.dw) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.db, apart.db) << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvPool,
    ::testing::Values(
        // The benchmark cnn's first layer, fused: 1 channel, 3x3, 2x2 windows.
        Case{{3, 1, 12, 12}, {5, 1, 3, 3}, {1, 1}, {2, 2}, {2, 2}, {0, 0}, false},
        // 3 channels, 5x5, overlapping padded windows, an odd size rounded up.
        Case{{2, 3, 11, 9}, {4, 3, 5, 5}, {2, 2}, {3, 3}, {2, 2}, {1, 1}, true},
        // 7x7 without padding, 2x2 windows over an odd size (the last row and column unused).
        Case{{2, 2, 15, 13}, {3, 2, 7, 7}, {0, 0}, {2, 2}, {2, 2}, {0, 0}, false},
        // 8 channels: oneDNN's convolution, pooled from its channel-blocked output.
        Case{{2, 8, 10, 10}, {4, 8, 3, 3}, {1, 1}, {2, 2}, {2, 2}, {0, 0}, false},
        // 6 -> 20 channels (a partial block), overlapping padded windows rounded up.
        Case{{2, 6, 10, 10}, {20, 6, 3, 3}, {1, 1}, {3, 3}, {2, 2}, {1, 1}, true}));

// Grouped convolutions through oneDNN: the fused op against the two ops, forward and backward.
TEST(ConvPool, GroupedConvolutionMatchesConvThenPool) {
  const Tensor x = to(random_normal({2, 16, 9, 9}, 41), kFloat32);
  const Tensor w = to(random_normal({24, 4, 3, 3}, 42), kFloat32);
  const Tensor b = to(random_normal({24}, 43), kFloat32);
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    const Result fused = run(
        [](const Tensor& xi, const Tensor& wi, const Tensor& bi) {
          return conv2d_max_pool2d(xi, wi, bi, {1, 1}, {1, 1}, {1, 1}, 4, {2, 2});
        },
        x, w, b);
    const Result apart = run(
        [](const Tensor& xi, const Tensor& wi, const Tensor& bi) {
          return max_pool2d(conv2d(xi, wi, bi, {1, 1}, {1, 1}, {1, 1}, 4), {2, 2});
        },
        x, w, b);
    EXPECT_TENSOR_EQ(fused.y, apart.y) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.dx, apart.dx) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.dw, apart.dw) << threads << " threads";
    EXPECT_TENSOR_EQ(fused.db, apart.db) << threads << " threads";
  }
}

TEST(ConvPool, GradientsMatchFiniteDifferences) {
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return conv2d_max_pool2d(in[0], in[1], in[2], {1, 1}, {1, 1}, {1, 1}, 1, {2, 2});
      },
      {random_normal({2, 2, 6, 6}, 21), random_normal({3, 2, 3, 3}, 22), random_normal({3}, 23)});
  // Only the bias requiring its gradient; without a bias.
  Tensor x = random_normal({1, 1, 5, 5}, 24), w = random_normal({2, 1, 3, 3}, 25);
  expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) {
        return conv2d_max_pool2d(x, w, in[0], {1, 1}, {1, 1}, {1, 1}, 1, {3, 3}, {2, 2}, {1, 1});
      },
      {random_normal({2}, 26)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return conv2d_max_pool2d(in[0], in[1], Tensor(), {1, 1}, {0, 0}, {1, 1}, 1, {2, 2});
      },
      {random_normal({2, 1, 7, 7}, 27), random_normal({2, 1, 3, 3}, 28)});
}

TEST(ConvPool, ReportsTheErrorsOfEitherOp) {
  const Tensor x = random_normal({1, 1, 4, 4}, 31), w = random_normal({2, 1, 3, 3}, 32);
  EXPECT_THROW_WITH_MESSAGE(conv2d_max_pool2d(x, random_normal({2, 3, 3, 3}, 33), Tensor(), {1, 1},
                                              {0, 0}, {1, 1}, 1, {2, 2}),
                            "conv2d: input has 1 channels but weight [2, 3, 3, 3] expects 3");
  EXPECT_THROW_WITH_MESSAGE(
      conv2d_max_pool2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1, {3, 3}),
      "max_pool2d: calculated output size [0, 0] is too small for input [1, 2, 2, 2]");
}

}  // namespace
}  // namespace athanor
