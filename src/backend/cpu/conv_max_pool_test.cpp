// src/backend/cpu/conv_max_pool_test.cpp: the CPU kernel table's conv2d_max_pool2d and its
// backward on oneDNN's path (more than 4 input channels): they apply where oneDNN's layouts are
// channel-blocked, and give the same bits as conv2d then max_pool2d (and their backward kernels),
// over window shapes, channel counts that leave a partial block, ties and NaN, on 1 and 2
// threads.
#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "backend/cpu/cpu_kernels.h"
#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

struct Case {
  int64_t N, C, O, S;  // x [N, C, S, S], w [O, C, 3, 3], padding 1
  Pool2dParams pool;
  int64_t pooled;  // the output's size (as max_pool2d works it out, ceil_mode included)
};

View view(std::vector<float>& v, const Shape& s) {
  return {v.data(), kFloat32, s, contiguous_strides(s)};
}

// Bit for bit, NaN included.
void expect_same_bits(const std::vector<float>& got, const std::vector<float>& want,
                      const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint32_t>(got[i]), std::bit_cast<uint32_t>(want[i]))
        << what << ", element " << i;
  }
}

TEST(ConvMaxPool, OneDnnPathPoolsTheBlockedOutputToTheSameBits) {
  const Pool2dParams two{{2, 2}, {2, 2}, {0, 0}, {1, 1}};
  const Pool2dParams overlap{{3, 3}, {2, 2}, {1, 1}, {1, 1}};  // ceil_mode's last window at 10
  const Pool2dParams dilated{{2, 2}, {1, 1}, {0, 0}, {2, 2}};
  // The benchmark cnn's second layer (smaller batch); channel counts with a partial block of 8
  // and of 16; overlapping, padded, rounded-up and dilated windows.
  for (const Case& c : {Case{3, 32, 64, 14, two, 7}, Case{2, 8, 12, 10, two, 5},
                        Case{2, 6, 20, 10, overlap, 6}, Case{1, 16, 8, 11, dilated, 9}}) {
    SCOPED_TRACE(::testing::Message() << c.C << " -> " << c.O << " channels, " << c.S << "x" << c.S
                                      << ", window " << c.pool.kernel_size[0]);
    const Shape xs{c.N, c.C, c.S, c.S}, ws{c.O, c.C, 3, 3}, conv{c.N, c.O, c.S, c.S};
    const Shape ys{c.N, c.O, c.pooled, c.pooled};
    std::vector<float> x = sin_sequence(xs.numel(), 0.37, 0.1),
                       w = sin_sequence(ws.numel(), 0.71, 0.3), b = sin_sequence(c.O, 1.3, 0.2);
    x[5] = std::numeric_limits<float>::quiet_NaN();
    std::fill(x.end() - c.C * c.S * c.S, x.end(), 0.5f);  // the last sample: ties everywhere
    const View bias = view(b, Shape{c.O});
    const Conv2dParams cp{.padding = {1, 1}};
    for (int threads : {1, 2}) {
      ScopedNumThreads scoped(threads);
      std::vector<float> y(ys.numel(), -7.0f), full(conv.numel()), y_apart(ys.numel());
      std::vector<int64_t> idx(ys.numel(), -7), idx_apart(ys.numel());
      const View iv{idx.data(), kInt64, ys, contiguous_strides(ys)};
      const View iv_apart{idx_apart.data(), kInt64, ys, contiguous_strides(ys)};
      ASSERT_TRUE(conv2d_max_pool2d(view(x, xs), view(w, ws), &bias, view(y, ys), iv, cp, c.pool))
          << "oneDNN's output is not channel-blocked here";
      conv2d(view(x, xs), view(w, ws), &bias, view(full, conv), cp);
      max_pool2d(view(full, conv), view(y_apart, ys), iv_apart, c.pool);
      SCOPED_TRACE(::testing::Message() << threads << " threads");
      expect_same_bits(y, y_apart, "y");
      EXPECT_EQ(idx, idx_apart);
    }
  }
}

TEST(ConvMaxPool, OneDnnPathBackwardFromThePooledGradientGivesTheSameBits) {
  const Pool2dParams two{{2, 2}, {2, 2}, {0, 0}, {1, 1}};
  const Pool2dParams overlap{{3, 3}, {2, 2}, {1, 1}, {1, 1}};
  // The benchmark's second layer (a batch of 3 splits into sample blocks of 2 and 1 for the
  // weight gradient); partial channel blocks; overlapping windows (gradients add up).
  for (const Case& c :
       {Case{3, 32, 64, 14, two, 7}, Case{2, 8, 12, 10, two, 5}, Case{5, 6, 20, 10, overlap, 6}}) {
    SCOPED_TRACE(::testing::Message() << c.C << " -> " << c.O << " channels");
    const Shape xs{c.N, c.C, c.S, c.S}, ws{c.O, c.C, 3, 3}, conv{c.N, c.O, c.S, c.S};
    const Shape ys{c.N, c.O, c.pooled, c.pooled};
    std::vector<float> x = sin_sequence(xs.numel(), 0.37, 0.1),
                       w = sin_sequence(ws.numel(), 0.71, 0.3), b = sin_sequence(c.O, 1.3, 0.2);
    std::fill(x.end() - c.C * c.S * c.S, x.end(), 0.5f);  // ties in the last sample
    std::vector<float> dy = sin_sequence(ys.numel(), 0.53, 0.7);
    const Conv2dParams cp{.padding = {1, 1}};
    for (int threads : {1, 2}) {
      ScopedNumThreads scoped(threads);
      std::vector<float> y(ys.numel()), full(conv.numel());
      std::vector<int64_t> idx(ys.numel());
      const View iv{idx.data(), kInt64, ys, contiguous_strides(ys)};
      const View bias = view(b, Shape{c.O});
      conv2d(view(x, xs), view(w, ws), &bias, view(full, conv), cp);
      max_pool2d(view(full, conv), view(y, ys), iv, c.pool);
      // Apart: the convolution's gradient in NCHW, then each backward kernel.
      std::vector<float> dconv(conv.numel()), dx_apart(xs.numel()), dw_apart(ws.numel()),
          db_apart(c.O);
      max_pool2d_backward(view(dy, ys), iv, view(dconv, conv));
      conv2d_backward_data(view(dconv, conv), view(w, ws), view(dx_apart, xs), cp);
      const View dbv_apart = view(db_apart, Shape{c.O});
      conv2d_backward_weights(view(x, xs), view(dconv, conv), view(dw_apart, ws), &dbv_apart, cp);
      std::vector<float> dx(xs.numel(), -7.0f), dw(ws.numel(), -7.0f), db(c.O, -7.0f);
      const View dbv = view(db, Shape{c.O});
      const bool taken = conv2d_max_pool2d_backward(view(x, xs), view(w, ws), view(dy, ys), iv,
                                                    view(dx, xs), view(dw, ws), &dbv, cp);
      SCOPED_TRACE(::testing::Message() << threads << " threads");
      if (!taken) {
        // Where oneDNN's primitives read another channel block than the fused path builds (with
        // AVX-512, the 12-channel case), the kernel declines and must have written nothing. The
        // benchmark's layer must be taken, or this test would pass having checked nothing.
        EXPECT_NE(c.C, 32) << "the benchmark's layer left to the two kernels";
        EXPECT_EQ(dx, std::vector<float>(xs.numel(), -7.0f));
        EXPECT_EQ(dw, std::vector<float>(ws.numel(), -7.0f));
        EXPECT_EQ(db, std::vector<float>(c.O, -7.0f));
        continue;
      }
      expect_same_bits(dx, dx_apart, "dx");
      expect_same_bits(dw, dw_apart, "dw");
      expect_same_bits(db, db_apart, "db");
    }
  }
}

TEST(ConvMaxPool, LeavesFloat64ToTheTwoKernels) {
  std::vector<double> x(2 * 8 * 6 * 6, 1.0), w(4 * 8 * 9, 0.5), y(2 * 4 * 3 * 3, -7.0);
  std::vector<int64_t> idx(y.size(), -7);
  const Shape xs{2, 8, 6, 6}, ws{4, 8, 3, 3}, ys{2, 4, 3, 3};
  EXPECT_FALSE(conv2d_max_pool2d({x.data(), kFloat64, xs, contiguous_strides(xs)},
                                 {w.data(), kFloat64, ws, contiguous_strides(ws)}, nullptr,
                                 {y.data(), kFloat64, ys, contiguous_strides(ys)},
                                 {idx.data(), kInt64, ys, contiguous_strides(ys)},
                                 Conv2dParams{.padding = {1, 1}},
                                 Pool2dParams{{2, 2}, {2, 2}, {0, 0}, {1, 1}}));
  EXPECT_EQ(y, std::vector<double>(y.size(), -7.0)) << "wrote although it did not apply";
}

}  // namespace
}  // namespace athanor::cpu
