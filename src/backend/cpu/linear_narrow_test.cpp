// src/backend/cpu/linear_narrow_test.cpp: the few-outputs linear product against a scalar loop
// that sums in the kernel's order (eight lanes of std::fma over k = l, l + 8, ..., then the
// lanes pairwise), so exactly equal; over every output count the kernel takes, row and column
// tails, padded rows, strided biases, no bias, and any thread count.
#include "backend/cpu/linear_narrow.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

struct Case {
  int64_t M, K, N;
  int64_t pad = 0;          // floats after each row of x and w
  int64_t bias_stride = 1;  // 0: no bias
};

struct Operands {
  std::vector<float> x, w, bias;
  int64_t ldx, ldw;
};

Operands operands(const Case& c) {
  const int64_t ld = c.K + c.pad;
  return {sin_sequence(c.M * ld, 0.7, 0.2), sin_sequence(c.N * ld, 1.3, 0.5),
          sin_sequence(c.N * std::max<int64_t>(c.bias_stride, 1), 0.4, 0.9), ld, ld};
}

std::vector<float> product(Operands& o, const Case& c) {
  const View x{o.x.data(), kFloat32, {c.M, c.K}, {o.ldx, 1}};
  const View w{o.w.data(), kFloat32, {c.N, c.K}, {o.ldw, 1}};
  const View bias{o.bias.data(), kFloat32, {c.N}, {c.bias_stride}};
  std::vector<float> out(static_cast<size_t>(c.M * c.N), -7.0f);
  const View y{out.data(), kFloat32, {c.M, c.N}, {c.N, 1}};
  EXPECT_TRUE(linear_narrow_applies(x, w, y));
  linear_narrow(x, w, c.bias_stride ? &bias : nullptr, y);
  return out;
}

std::vector<float> expected(const Operands& o, const Case& c) {
  std::vector<float> out(static_cast<size_t>(c.M * c.N));
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t j = 0; j < c.N; ++j) {
      float lane[8] = {};
      for (int64_t k = 0; k < c.K; ++k) {
        lane[k % 8] = std::fma(o.x[size_t(i * o.ldx + k)], o.w[size_t(j * o.ldw + k)], lane[k % 8]);
      }
      const float sum =
          ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
      out[size_t(i * c.N + j)] = sum + (c.bias_stride ? o.bias[size_t(j * c.bias_stride)] : 0.0f);
    }
  }
  return out;
}

// The kernel exists in builds for AVX2 and FMA only; elsewhere oneDNN takes every product.
#define SKIP_WITHOUT_KERNEL()                                                          \
  do {                                                                                 \
    std::vector<float> b(4);                                                           \
    const View v{b.data(), kFloat32, {2, 2}, {2, 1}};                                  \
    if (!linear_narrow_applies(v, v, v)) GTEST_SKIP() << "built without AVX2 and FMA"; \
  } while (false)

TEST(LinearNarrow, EqualsTheLaneOrderedFmaLoopExactly) {
  SKIP_WITHOUT_KERNEL();
  std::vector<Case> cases;
  // Every output count the kernel takes (column groups of 1 to 6) with a row tail and a K tail.
  for (int64_t N = 1; N <= kNarrowMostOutputs; ++N) cases.push_back({7, 21, N});
  // K below, at and around the vector width; K = 0 gives the bias.
  for (int64_t K : {0, 1, 7, 8, 9, 16, 784}) cases.push_back({3, K, 10});
  cases.push_back({5, 13, 10, 3, 2});   // padded rows, a strided bias
  cases.push_back({4, 24, 6, 0, 0});    // no bias
  cases.push_back({1, 784, 16, 5, 0});  // one row
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.M << "x" << c.K << "x" << c.N << " pad " << c.pad
                                      << " bias stride " << c.bias_stride);
    Operands o = operands(c);
    EXPECT_EQ(product(o, c), expected(o, c));
  }
}

TEST(LinearNarrow, GivesTheSameBitsOnAnyThreadCount) {
  SKIP_WITHOUT_KERNEL();
  const Case c{67, 300, 10};
  Operands o = operands(c);
  const std::vector<float> one = [&] {
    ScopedNumThreads guard(1);
    return product(o, c);
  }();
  for (int threads : {2, 3}) {
    ScopedNumThreads guard(threads);
    EXPECT_EQ(product(o, c), one) << threads;
  }
}

TEST(LinearNarrow, TakesOnlyFewContiguousFloatOutputs) {
  SKIP_WITHOUT_KERNEL();
  std::vector<float> buf(64 * 64);
  const View x{buf.data(), kFloat32, {4, 8}, {8, 1}};
  const View w10{buf.data(), kFloat32, {10, 8}, {8, 1}},
      y10{buf.data(), kFloat32, {4, 10}, {10, 1}};
  const View w17{buf.data(), kFloat32, {17, 8}, {8, 1}},
      y17{buf.data(), kFloat32, {4, 17}, {17, 1}};
  const View xt{buf.data(), kFloat32, {4, 8}, {1, 4}};
  const View x64{buf.data(), kFloat64, {4, 8}, {8, 1}};
  EXPECT_TRUE(linear_narrow_applies(x, w10, y10));
  EXPECT_FALSE(linear_narrow_applies(x, w17, y17));
  EXPECT_FALSE(linear_narrow_applies(xt, w10, y10));
  EXPECT_FALSE(linear_narrow_applies(x64, w10, y10));
}

}  // namespace
}  // namespace athanor::cpu
