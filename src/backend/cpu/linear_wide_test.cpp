// src/backend/cpu/linear_wide_test.cpp: the wide linear product against a scalar loop that sums
// in the kernel's order (sixteen lanes of std::fma over k = l, l + 16, ..., then the lanes in a
// fixed tree), so exactly equal; over every column-group size, row and K tails, padded rows,
// strided biases, no bias, the fused ReLU, and any thread count; and where cpu::linear takes it.
#include "backend/cpu/linear_wide.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "backend/cpu/linear_narrow.h"
#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

struct Case {
  int64_t M, K, N;
  int64_t pad = 0;          // floats after each row of x and w
  int64_t bias_stride = 1;  // 0: no bias
  bool relu = false;
};

struct Operands {
  std::vector<float> x, w, bias;
  int64_t ld;
};

Operands operands(const Case& c) {
  const int64_t ld = c.K + c.pad;
  return {sin_sequence(c.M * ld, 0.7, 0.2), sin_sequence(c.N * ld, 1.3, 0.5),
          sin_sequence(c.N * std::max<int64_t>(c.bias_stride, 1), 0.4, 0.9), ld};
}

std::vector<float> product(Operands& o, const Case& c) {
  const View x{o.x.data(), kFloat32, {c.M, c.K}, {o.ld, 1}};
  const View w{o.w.data(), kFloat32, {c.N, c.K}, {o.ld, 1}};
  const View bias{o.bias.data(), kFloat32, {c.N}, {c.bias_stride}};
  std::vector<float> out(static_cast<size_t>(c.M * c.N), -7.0f);
  const View y{out.data(), kFloat32, {c.M, c.N}, {c.N, 1}};
  EXPECT_TRUE(linear_wide_applies(x, w, y));
  linear_wide(x, w, c.bias_stride ? &bias : nullptr, y, c.relu);
  return out;
}

std::vector<float> expected(const Operands& o, const Case& c) {
  std::vector<float> out(static_cast<size_t>(c.M * c.N));
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t j = 0; j < c.N; ++j) {
      float lane[16] = {};
      for (int64_t k = 0; k < c.K; ++k) {
        lane[k % 16] = std::fma(o.x[size_t(i * o.ld + k)], o.w[size_t(j * o.ld + k)], lane[k % 16]);
      }
      float q[4];
      for (int l = 0; l < 4; ++l) q[l] = (lane[l] + lane[l + 8]) + (lane[l + 4] + lane[l + 12]);
      float v = ((q[0] + q[2]) + (q[1] + q[3])) +
                (c.bias_stride ? o.bias[size_t(j * c.bias_stride)] : 0.0f);
      if (c.relu && v <= 0.0f) v = 0.0f;
      out[size_t(i * c.N + j)] = v;
    }
  }
  return out;
}

void expect_bits_equal(const std::vector<float>& got, const std::vector<float>& want,
                       const Case& c) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::signbit(got[i]), std::signbit(want[i])) << "element " << i;
    if (std::isnan(want[i])) {
      ASSERT_TRUE(std::isnan(got[i])) << "element " << i;
    } else {
      ASSERT_EQ(got[i], want[i]) << "element " << i << " of " << c.M << "x" << c.K << "x" << c.N;
    }
  }
}

// The kernel exists in builds for AVX-512 only; elsewhere oneDNN takes these products.
#define SKIP_WITHOUT_KERNEL()                                                   \
  do {                                                                          \
    std::vector<float> b(kWideLeastK * 17);                                     \
    const View x{b.data(), kFloat32, {1, kWideLeastK}, {kWideLeastK, 1}};       \
    const View w{b.data(), kFloat32, {17, kWideLeastK}, {kWideLeastK, 1}};      \
    const View y{b.data(), kFloat32, {1, 17}, {17, 1}};                         \
    if (!linear_wide_applies(x, w, y)) GTEST_SKIP() << "built without AVX-512"; \
  } while (false)

TEST(LinearWide, EqualsTheLaneOrderedFmaLoopExactly) {
  SKIP_WITHOUT_KERNEL();
  std::vector<Case> cases;
  // A thread's columns in groups of 4 to 6 (17 .. 30 outputs), rows 4 + 3, a K tail of 3.
  for (int64_t N = 17; N <= 30; ++N) cases.push_back({7, 259, N});
  // K at, around and between the vector widths, up to the largest taken.
  for (int64_t K : {256, 257, 271, 272, 784, 1023, 1024}) cases.push_back({5, K, 20});
  for (int64_t M : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{4}, int64_t{64}, kWideMostRows})
    cases.push_back({M, 300, 33});
  cases.push_back({6, 260, 19, 5, 3});        // padded rows, a strided bias
  cases.push_back({3, 256, 18, 0, 0});        // no bias
  cases.push_back({9, 290, 41, 0, 1, true});  // the ReLU
  for (const Case& c : cases) {
    Operands o = operands(c);
    expect_bits_equal(product(o, c), expected(o, c), c);
  }
}

// Many threads for few columns: a thread's 1 to 3 columns are one group of that size.
TEST(LinearWide, GroupsOfOneToThreeColumnsAtManyThreads) {
  SKIP_WITHOUT_KERNEL();
  const int saved = get_num_threads();
  for (int threads : {6, 8, 17}) {
    set_num_threads(threads);
    const Case c{kWideMostRows, kWideMostK, 17};
    Operands o = operands(c);
    expect_bits_equal(product(o, c), expected(o, c), c);
  }
  set_num_threads(saved);
}

TEST(LinearWide, ReluGivesPositiveZeroAndLetsNanThrough) {
  SKIP_WITHOUT_KERNEL();
  const Case c{4, 256, 24, 0, 1, true};
  Operands o = operands(c);
  o.x[size_t(2 * o.ld + 5)] = std::numeric_limits<float>::quiet_NaN();  // row 2 all NaN
  for (float& v : o.bias) v = -1000.0f;  // every other output negative
  const std::vector<float> got = product(o, c);
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t j = 0; j < c.N; ++j) {
      const float v = got[size_t(i * c.N + j)];
      if (i == 2) {
        EXPECT_TRUE(std::isnan(v)) << i << "," << j;
      } else {
        EXPECT_EQ(v, 0.0f) << i << "," << j;
        EXPECT_FALSE(std::signbit(v)) << i << "," << j;
      }
    }
  }
}

TEST(LinearWide, SameBitsAtAnyThreadCount) {
  SKIP_WITHOUT_KERNEL();
  const int saved = get_num_threads();
  const Case c{64, 784, 256};  // the mlp's first layer: split between threads from 2
  Operands o = operands(c);
  set_num_threads(1);
  const std::vector<float> one = product(o, c);
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    expect_bits_equal(product(o, c), one, c);
  }
  set_num_threads(saved);
  expect_bits_equal(one, expected(o, c), c);
}

TEST(LinearWide, TakesOnlyBatchesOfWideFloat32LayersWithContiguousRows) {
  SKIP_WITHOUT_KERNEL();
  std::vector<float> b(size_t(2 * kWideMostRows * kWideMostK));
  auto applies = [&](int64_t M, int64_t K, int64_t N, DType dtype = kFloat32, int64_t step = 1) {
    const View x{b.data(), dtype, {M, K}, {K * step, step}};
    const View w{b.data(), dtype, {N, K}, {K * step, step}};
    const View y{b.data(), dtype, {M, N}, {N, 1}};
    return linear_wide_applies(x, w, y);
  };
  EXPECT_TRUE(applies(64, 784, 256));
  EXPECT_TRUE(applies(kWideMostRows, kWideLeastK, kNarrowMostOutputs + 1));
  EXPECT_FALSE(applies(kWideMostRows + 1, 784, 256));  // oneDNN is faster on larger batches
  EXPECT_FALSE(applies(64, kWideLeastK - 1, 256));
  EXPECT_FALSE(applies(64, kWideMostK + 1, 256));
  EXPECT_FALSE(applies(64, 784, kNarrowMostOutputs));  // linear_narrow's
  EXPECT_FALSE(applies(64, 784, 256, kFloat64));
  EXPECT_FALSE(applies(64, 784, 256, kFloat32, 2));
}

// cpu::linear runs the kernel where it applies, and fuses the ReLU elsewhere too.
TEST(LinearWide, IsWhatCpuLinearRunsWithOrWithoutRelu) {
  SKIP_WITHOUT_KERNEL();
  for (const Case& c : {Case{64, 784, 256, 0, 1, true}, Case{64, 256, 128}}) {
    Operands o = operands(c);
    const View x{o.x.data(), kFloat32, {c.M, c.K}, {o.ld, 1}};
    const View w{o.w.data(), kFloat32, {c.N, c.K}, {o.ld, 1}};
    const View bias{o.bias.data(), kFloat32, {c.N}, {1}};
    std::vector<float> out(size_t(c.M * c.N));
    linear(x, w, &bias, View{out.data(), kFloat32, {c.M, c.N}, {c.N, 1}}, c.relu);
    expect_bits_equal(out, expected(o, c), c);
  }
  // Outside the kernel (K below kWideLeastK): oneDNN's product, then the ReLU in place.
  const int64_t M = 8, K = 64, N = 32;
  const std::vector<float> xs = sin_sequence(M * K, 0.7, 0.2), ws = sin_sequence(N * K, 1.3, 0.5);
  const View x{const_cast<float*>(xs.data()), kFloat32, {M, K}, {K, 1}};
  const View w{const_cast<float*>(ws.data()), kFloat32, {N, K}, {K, 1}};
  std::vector<float> plain(size_t(M * N)), fused(size_t(M * N));
  linear(x, w, nullptr, View{plain.data(), kFloat32, {M, N}, {N, 1}}, false);
  linear(x, w, nullptr, View{fused.data(), kFloat32, {M, N}, {N, 1}}, true);
  int negatives = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    negatives += plain[i] < 0.0f;
    EXPECT_EQ(fused[i], plain[i] <= 0.0f ? 0.0f : plain[i]) << "element " << i;
  }
  EXPECT_GT(negatives, 0);
}

}  // namespace
}  // namespace athanor::cpu
