// src/backend/cpu/panel_gemm_test.cpp: the packed-panel product against a plain triple loop of
// std::fma in the same order (so exactly equal, float32 and float64), over shapes with partial
// row blocks and panels, a transposed right operand, rows computed alone and together, and any
// thread count.
#include "backend/cpu/panel_gemm.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

template <typename T>
std::vector<T> sequence(int64_t n, double a, double b) {
  return testing::sin_sequence<T>(n, a, b);
}

template <typename T>
constexpr DType dtype_of() {
  return std::is_same_v<T, float> ? kFloat32 : kFloat64;
}

// out = a [M, K] @ b, with b [K, N] stored transposed (b[k][j] at bt[j * K + k]) when
// `transposed`, else row-major; packed first, then multiplied.
template <typename T>
std::vector<T> product(const std::vector<T>& a, std::vector<T>& b, int64_t M, int64_t K, int64_t N,
                       bool transposed) {
  const View bv{b.data(), dtype_of<T>(), {K, N}, transposed ? Shape{1, K} : Shape{N, 1}};
  std::vector<T> packed(static_cast<size_t>(packed_size(K, N)) + 16);
  // The panels' vector loads want 32-byte alignment, as the tensor allocator gives.
  T* aligned = packed.data();
  while (reinterpret_cast<uintptr_t>(aligned) % 64 != 0) ++aligned;
  pack_panels(bv, aligned);
  std::vector<T> out(static_cast<size_t>(M * N), T{-7});
  const View av{const_cast<T*>(a.data()), dtype_of<T>(), {M, K}, {K, 1}};
  panel_gemm(av, aligned, View{out.data(), dtype_of<T>(), {M, N}, {N, 1}});
  return out;
}

template <typename T>
std::vector<T> expected(const std::vector<T>& a, const std::vector<T>& b, int64_t M, int64_t K,
                        int64_t N, bool transposed) {
  std::vector<T> out(static_cast<size_t>(M * N));
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      T acc = 0;
      for (int64_t k = 0; k < K; ++k) {
        acc = std::fma(a[size_t(i * K + k)], b[size_t(transposed ? j * K + k : k * N + j)], acc);
      }
      out[size_t(i * N + j)] = acc;
    }
  }
  return out;
}

template <typename T>
void check_shapes() {
  struct Dims {
    int64_t M, K, N;
  };
  // Row blocks of 6 with 1..5 left over, panels of 16 with a partial last one, K = 1 and large.
  for (const Dims d : {Dims{13, 37, 35}, Dims{6, 128, 512}, Dims{32, 512, 128}, Dims{1, 1, 1},
                       Dims{5, 3, 16}, Dims{7, 20, 17}}) {
    for (bool transposed : {false, true}) {
      SCOPED_TRACE(::testing::Message()
                   << d.M << "x" << d.K << "x" << d.N << " transposed " << transposed);
      const auto a = sequence<T>(d.M * d.K, 0.7, 0.2);
      auto b = sequence<T>(d.K * d.N, 1.3, 0.5);
      EXPECT_EQ(product(a, b, d.M, d.K, d.N, transposed),
                expected(a, b, d.M, d.K, d.N, transposed));
    }
  }
}

TEST(PanelGemm, Float32EqualsTheFmaLoopExactly) { check_shapes<float>(); }
TEST(PanelGemm, Float64EqualsTheFmaLoopExactly) { check_shapes<double>(); }

TEST(PanelGemm, ARowGivesTheSameBitsAloneAsWithOthersOnAnyThreadCount) {
  const int64_t M = 29, K = 128, N = 96;
  const auto a = sequence<float>(M * K, 0.3, 0.1);
  auto b = sequence<float>(K * N, 0.9, 0.4);
  const std::vector<float> all = product(a, b, M, K, N, true);
  for (int64_t i : {int64_t{0}, int64_t{5}, int64_t{6}, int64_t{28}}) {
    const std::vector<float> row(a.begin() + i * K, a.begin() + (i + 1) * K);
    const std::vector<float> alone = product(row, b, 1, K, N, true);
    EXPECT_EQ(alone, std::vector<float>(all.begin() + i * N, all.begin() + (i + 1) * N)) << i;
  }
  for (int threads : {1, 2, 3}) {
    ScopedNumThreads guard(threads);
    EXPECT_EQ(product(a, b, M, K, N, true), all) << threads;
  }
}

TEST(PanelGemm, EmptyInnerDimensionGivesZeros) {
  std::vector<float> a, b;
  const std::vector<float> out = product(a, b, 3, 0, 20, false);
  EXPECT_EQ(out, std::vector<float>(60, 0.0f));
}

}  // namespace
}  // namespace athanor::cpu
