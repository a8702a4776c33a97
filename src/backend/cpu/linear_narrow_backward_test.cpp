// src/backend/cpu/linear_narrow_backward_test.cpp: the few-outputs linear backward against scalar
// loops that sum in the kernel's order (one std::fma chain from zero over j for dx, over i for
// dw), so exactly equal; over every output count, row and K tails, padded rows, dx or dw alone,
// and any thread count; and linear_backward taking it for the benchmark models' last layer.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/linear_narrow.h"
#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

struct Case {
  int64_t M, K, N;
  int64_t pad = 0;  // floats after each row of x, w, dx and dw
};

struct Operands {
  std::vector<float> x, w, dy;
  int64_t ld;  // of x, w, dx and dw
};

Operands operands(const Case& c) {
  const int64_t ld = c.K + c.pad;
  return {sin_sequence(c.M * ld, 0.7, 0.2), sin_sequence(c.N * ld, 1.3, 0.5),
          sin_sequence(c.M * c.N, 0.9, 0.3), ld};
}

struct Grads {
  std::vector<float> dx, dw;
};

// The kernel's dx and dw, padding included (it must stay as written: -7).
Grads kernel(Operands& o, const Case& c, bool want_dx = true, bool want_dw = true) {
  Grads g{std::vector<float>(size_t(c.M * o.ld), -7.0f),
          std::vector<float>(size_t(c.N * o.ld), -7.0f)};
  const View x{o.x.data(), kFloat32, {c.M, c.K}, {o.ld, 1}};
  const View w{o.w.data(), kFloat32, {c.N, c.K}, {o.ld, 1}};
  const View dy{o.dy.data(), kFloat32, {c.M, c.N}, {c.N, 1}};
  const View dx{g.dx.data(), kFloat32, {c.M, c.K}, {o.ld, 1}};
  const View dw{g.dw.data(), kFloat32, {c.N, c.K}, {o.ld, 1}};
  EXPECT_TRUE(linear_narrow_backward_applies(x, w, dy, &dx, &dw));
  linear_narrow_backward(x, w, dy, want_dx ? &dx : nullptr, want_dw ? &dw : nullptr);
  return g;
}

Grads expected(const Operands& o, const Case& c) {
  Grads g{std::vector<float>(size_t(c.M * o.ld), -7.0f),
          std::vector<float>(size_t(c.N * o.ld), -7.0f)};
  for (int64_t i = 0; i < c.M; ++i) {
    for (int64_t k = 0; k < c.K; ++k) {
      float s = 0.0f;
      for (int64_t j = 0; j < c.N; ++j)
        s = std::fma(o.dy[size_t(i * c.N + j)], o.w[size_t(j * o.ld + k)], s);
      g.dx[size_t(i * o.ld + k)] = s;
    }
  }
  for (int64_t j = 0; j < c.N; ++j) {
    for (int64_t k = 0; k < c.K; ++k) {
      float s = 0.0f;
      for (int64_t i = 0; i < c.M; ++i)
        s = std::fma(o.dy[size_t(i * c.N + j)], o.x[size_t(i * o.ld + k)], s);
      g.dw[size_t(j * o.ld + k)] = s;
    }
  }
  return g;
}

// The kernel exists in builds for AVX2 and FMA only; elsewhere oneDNN takes every product.
#define SKIP_WITHOUT_KERNEL()                                                                   \
  do {                                                                                          \
    std::vector<float> b(4);                                                                    \
    const View v{b.data(), kFloat32, {2, 2}, {2, 1}};                                           \
    if (!linear_narrow_backward_applies(v, v, v, &v, &v)) GTEST_SKIP() << "built without AVX2"; \
  } while (false)

TEST(LinearNarrowBackward, EqualsTheFmaChainsExactly) {
  SKIP_WITHOUT_KERNEL();
  std::vector<Case> cases;
  // Every output count (dw's row groups of 1 to 6), with a row tail (M % 4) and a K tail.
  for (int64_t N = 1; N <= kNarrowMostOutputs; ++N) cases.push_back({7, 21, N});
  // K below, at and around the tile (two 8-wide vectors); M from 1 to past a tile.
  for (int64_t K : {1, 7, 8, 9, 15, 16, 17, 128, 784}) cases.push_back({6, K, 10});
  for (int64_t M : {1, 2, 3, 4, 5, 64}) cases.push_back({M, 40, 10});
  cases.push_back({5, 13, 10, 3});  // padded rows
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.M << "x" << c.K << "x" << c.N << " pad " << c.pad);
    Operands o = operands(c);
    const Grads got = kernel(o, c), want = expected(o, c);
    EXPECT_EQ(got.dx, want.dx);
    EXPECT_EQ(got.dw, want.dw);
  }
}

TEST(LinearNarrowBackward, ComputesOnlyTheGradientsAskedFor) {
  SKIP_WITHOUT_KERNEL();
  const Case c{9, 30, 10};
  Operands o = operands(c);
  const Grads want = expected(o, c);
  const Grads dx_only = kernel(o, c, true, false), dw_only = kernel(o, c, false, true);
  EXPECT_EQ(dx_only.dx, want.dx);
  EXPECT_EQ(dx_only.dw, std::vector<float>(want.dw.size(), -7.0f));
  EXPECT_EQ(dw_only.dw, want.dw);
  EXPECT_EQ(dw_only.dx, std::vector<float>(want.dx.size(), -7.0f));
}

TEST(LinearNarrowBackward, GivesTheSameBitsOnAnyThreadCount) {
  SKIP_WITHOUT_KERNEL();
  const Case c{257, 784, 10};  // several chunks of each product
  Operands o = operands(c);
  const Grads one = [&] {
    ScopedNumThreads guard(1);
    return kernel(o, c);
  }();
  for (int threads : {2, 3}) {
    ScopedNumThreads guard(threads);
    const Grads g = kernel(o, c);
    EXPECT_EQ(g.dx, one.dx) << threads;
    EXPECT_EQ(g.dw, one.dw) << threads;
  }
}

TEST(LinearNarrowBackward, TakesOnlyFewContiguousFloatOutputs) {
  SKIP_WITHOUT_KERNEL();
  std::vector<float> buf(64 * 64);
  const View x{buf.data(), kFloat32, {4, 8}, {8, 1}};
  const View w10{buf.data(), kFloat32, {10, 8}, {8, 1}},
      dy10{buf.data(), kFloat32, {4, 10}, {10, 1}};
  const View w17{buf.data(), kFloat32, {17, 8}, {8, 1}},
      dy17{buf.data(), kFloat32, {4, 17}, {17, 1}};
  const View xt{buf.data(), kFloat32, {4, 8}, {1, 4}};
  const View x64{buf.data(), kFloat64, {4, 8}, {8, 1}};
  const View none{buf.data(), kFloat32, {0, 10}, {10, 1}};
  EXPECT_TRUE(linear_narrow_backward_applies(x, w10, dy10, &x, nullptr));
  EXPECT_FALSE(linear_narrow_backward_applies(x, w17, dy17, &x, nullptr));
  EXPECT_FALSE(linear_narrow_backward_applies(xt, w10, dy10, nullptr, &w10));  // dw reads x
  EXPECT_TRUE(linear_narrow_backward_applies(xt, w10, dy10, &x, nullptr));     // dx does not
  EXPECT_FALSE(linear_narrow_backward_applies(x64, w10, dy10, nullptr, &w10));
  EXPECT_FALSE(linear_narrow_backward_applies(x, w10, none, &x, nullptr));  // no rows
}

// linear_backward takes the kernel for a 10-output layer: its gradients are the FMA chains'.
TEST(LinearNarrowBackward, IsWhatLinearBackwardRunsForTenOutputs) {
  SKIP_WITHOUT_KERNEL();
  const Case c{64, 128, 10};
  Operands o = operands(c);
  const Grads want = expected(o, c);
  std::vector<float> dx(size_t(c.M * c.K)), dw(size_t(c.N * c.K)), db(size_t(c.N));
  const View x{o.x.data(), kFloat32, {c.M, c.K}, {c.K, 1}};
  const View w{o.w.data(), kFloat32, {c.N, c.K}, {c.K, 1}};
  const View dy{o.dy.data(), kFloat32, {c.M, c.N}, {c.N, 1}};
  const View dxv{dx.data(), kFloat32, {c.M, c.K}, {c.K, 1}};
  const View dwv{dw.data(), kFloat32, {c.N, c.K}, {c.K, 1}};
  const View dbv{db.data(), kFloat32, {c.N}, {1}};
  for (int threads : {1, 2}) {
    ScopedNumThreads guard(threads);
    linear_backward(x, w, dy, &dxv, &dwv, &dbv);
    EXPECT_EQ(dx, want.dx) << threads;
    EXPECT_EQ(dw, want.dw) << threads;
    for (int64_t j = 0; j < c.N; ++j) {
      double sum = 0;
      for (int64_t i = 0; i < c.M; ++i) sum += o.dy[size_t(i * c.N + j)];
      EXPECT_NEAR(db[size_t(j)], sum, 1e-5) << j;
    }
  }
}

}  // namespace
}  // namespace athanor::cpu
