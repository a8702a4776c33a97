// src/backend/cpu/gemm_tn_test.cpp: the k-major product against a plain loop of std::fma over k
// in order (so exactly equal), over row tiles and column panels with tails, k blocks with a
// partial last one, padded leading dimensions, and any thread count; its row sums against a
// double sum in order.
#include "backend/cpu/gemm_tn.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

struct Case {
  int64_t M, K, N, pad = 0;  // pad: extra elements per stored row of a^T, b and out
};

// a^T stored [K, M + pad], b [K, N + pad], out [M, N + pad].
struct Product {
  std::vector<float> at, b;
  Case c;
  explicit Product(const Case& c_)
      : at(sin_sequence(c_.K * (c_.M + c_.pad), 0.7, 0.2)),
        b(sin_sequence(c_.K * (c_.N + c_.pad), 1.3, 0.5)),
        c(c_) {}
  View a_view() { return {at.data(), kFloat32, {c.M, c.K}, {1, c.M + c.pad}}; }
  View b_view() { return {b.data(), kFloat32, {c.K, c.N}, {c.N + c.pad, 1}}; }
  std::vector<float> run() {
    std::vector<float> out(static_cast<size_t>(c.M * (c.N + c.pad)), -7.0f);
    const View o{out.data(), kFloat32, {c.M, c.N}, {c.N + c.pad, 1}};
    EXPECT_TRUE(gemm_tn_applies(a_view(), b_view(), o));
    gemm_tn(a_view(), b_view(), o);
    return out;
  }
  std::vector<float> expected() const {
    const int64_t lda = c.M + c.pad, ld = c.N + c.pad;
    std::vector<float> out(static_cast<size_t>(c.M * ld), -7.0f);
    for (int64_t i = 0; i < c.M; ++i) {
      for (int64_t j = 0; j < c.N; ++j) {
        float acc = 0;
        for (int64_t k = 0; k < c.K; ++k) {
          acc = std::fma(at[size_t(k * lda + i)], b[size_t(k * ld + j)], acc);
        }
        out[size_t(i * ld + j)] = acc;
      }
    }
    return out;
  }
};

#define SKIP_WITHOUT_KERNEL()                                                    \
  do {                                                                           \
    std::vector<float> buf(4);                                                   \
    const View v{buf.data(), kFloat32, {2, 2}, {1, 2}};                          \
    const View w{buf.data(), kFloat32, {2, 2}, {2, 1}};                          \
    if (!gemm_tn_applies(v, w, w)) GTEST_SKIP() << "built without AVX2 and FMA"; \
  } while (false)

TEST(GemmTn, EqualsTheFmaLoopExactly) {
  SKIP_WITHOUT_KERNEL();
  // Row tiles of 6 with 1..5 left over, panels of 16 with narrow last ones, k blocks of 128 with
  // a partial last one, padded rows; the LSTM's [512, 1792] x [1792, 128].
  for (const Case c :
       {Case{13, 300, 35}, Case{6, 128, 16}, Case{7, 129, 17, 3}, Case{1, 1, 1}, Case{5, 127, 8, 1},
        Case{11, 20, 7}, Case{512, 1792, 128}, Case{3, 5, 33, 2}}) {
    SCOPED_TRACE(::testing::Message() << c.M << "x" << c.K << "x" << c.N << " pad " << c.pad);
    Product p(c);
    EXPECT_EQ(p.run(), p.expected());
  }
}

TEST(GemmTn, GivesTheSameBitsOnAnyThreadCount) {
  SKIP_WITHOUT_KERNEL();
  Product p({67, 260, 70});
  const std::vector<float> one = [&] {
    ScopedNumThreads guard(1);
    return p.run();
  }();
  for (int threads : {2, 3}) {
    ScopedNumThreads guard(threads);
    EXPECT_EQ(p.run(), one) << threads;
  }
}

// The row sums gemm_tn adds while it packs a: each a plain double sum over k in order, on every
// thread count, and the product the same as without them.
TEST(GemmTn, RowSumsAreTheDoubleSumsOverKInOrder) {
  SKIP_WITHOUT_KERNEL();
  for (const Case c : {Case{13, 300, 35}, Case{7, 129, 17, 3}, Case{67, 260, 70}, Case{1, 1, 1}}) {
    SCOPED_TRACE(::testing::Message() << c.M << "x" << c.K << "x" << c.N << " pad " << c.pad);
    Product p(c);
    std::vector<float> want(static_cast<size_t>(c.M));
    for (int64_t i = 0; i < c.M; ++i) {
      double acc = 0;
      for (int64_t k = 0; k < c.K; ++k)
        acc += static_cast<double>(p.at[size_t(k * (c.M + c.pad) + i)]);
      want[size_t(i)] = static_cast<float>(acc);
    }
    for (int threads : {1, 2, 3}) {
      ScopedNumThreads guard(threads);
      std::vector<float> sums(static_cast<size_t>(2 * c.M), -7.0f);  // every other element
      const View s{sums.data(), kFloat32, {c.M}, {2}};
      std::vector<float> out(static_cast<size_t>(c.M * (c.N + c.pad)), -7.0f);
      gemm_tn(p.a_view(), p.b_view(), View{out.data(), kFloat32, {c.M, c.N}, {c.N + c.pad, 1}}, &s);
      EXPECT_EQ(out, p.run()) << threads;
      for (int64_t i = 0; i < c.M; ++i) {
        EXPECT_EQ(sums[size_t(2 * i)], want[size_t(i)]) << threads << " row " << i;
        EXPECT_EQ(sums[size_t(2 * i + 1)], -7.0f) << threads << " row " << i;
      }
    }
  }
}

TEST(GemmTn, RowSumsOfAnEmptyInnerDimensionAreZero) {
  SKIP_WITHOUT_KERNEL();
  Product p({4, 0, 9});
  std::vector<float> sums(4, -7.0f), out(36, -7.0f);
  const View s{sums.data(), kFloat32, {4}, {1}};
  gemm_tn(p.a_view(), p.b_view(), View{out.data(), kFloat32, {4, 9}, {9, 1}}, &s);
  EXPECT_EQ(sums, std::vector<float>(4, 0.0f));
  EXPECT_EQ(out, std::vector<float>(36, 0.0f));
}

TEST(GemmTn, EmptyInnerDimensionGivesZeros) {
  SKIP_WITHOUT_KERNEL();
  Product p({4, 0, 9});
  EXPECT_EQ(p.run(), std::vector<float>(36, 0.0f));
}

TEST(GemmTn, TakesOnlyKMajorFloatOperands) {
  SKIP_WITHOUT_KERNEL();
  std::vector<float> buf(64);
  const View at{buf.data(), kFloat32, {4, 8}, {1, 4}}, a{buf.data(), kFloat32, {4, 8}, {8, 1}};
  const View b{buf.data(), kFloat32, {8, 3}, {3, 1}}, out{buf.data(), kFloat32, {4, 3}, {3, 1}};
  const View a64{buf.data(), kFloat64, {4, 8}, {1, 4}};
  EXPECT_TRUE(gemm_tn_applies(at, b, out));
  EXPECT_FALSE(gemm_tn_applies(a, b, out));
  EXPECT_FALSE(gemm_tn_applies(a64, b, out));
}

}  // namespace
}  // namespace athanor::cpu
