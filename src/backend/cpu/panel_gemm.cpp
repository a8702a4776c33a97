// src/backend/cpu/panel_gemm.cpp: out = a @ b with b packed in 16-column panels, a block of rows
// of a against one panel at a time: with AVX2, 6 rows in 12 vector accumulators (two 8-wide
// vectors per row), each taking a broadcast element of a times the panel's two vectors at each k;
// with AVX-512, 12 rows, one 16-wide vector each.
//
// On the LSTM benchmark's step (32 rows x 128 by 128 x 512, one thread) oneDNN's sgemm took
// 0.084 ms, most of it packing W_hh again; here the packing happens once per layer call.
// float64 (and float32 without AVX2) run a scalar loop of the same order, std::fma per k, so all
// paths give the same bits for float32.
#include "backend/cpu/panel_gemm.h"

#include <algorithm>
#include <cmath>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif
#include <array>
#include <utility>

#include <athanor/core/parallel.h>

#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

// Rows of a per block: as many as the accumulators that fit in the vector registers with the
// panel's vectors (AVX-512: 12 of 32 registers, one per row; AVX2: 12 of 16, two per row).
#if defined(__AVX512F__)
constexpr int64_t kBlockRows = 12;
#else
constexpr int64_t kBlockRows = 6;
#endif

template <typename T>
void pack_typed(const View& b, T* out) {
  const int64_t K = b.shape[0], N = b.shape[1], s0 = b.strides[0], s1 = b.strides[1];
  const T* src = static_cast<const T*>(b.data);
  const int64_t panels = (N + kPanelCols - 1) / kPanelCols;
  parallel_for(0, panels,
               std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, K * kPanelCols)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t p = lo; p < hi; ++p) {
                   T* dst = out + p * K * kPanelCols;
                   const int64_t cols = std::min(kPanelCols, N - p * kPanelCols);
                   const T* panel = src + p * kPanelCols * s1;
                   // Down b's columns when they are its dense side (b a transposed view, as
                   // W_hh^T is), else along its rows.
                   if (s0 == 1 && s1 != 1) {
                     for (int64_t j = 0; j < cols; ++j) {
                       for (int64_t k = 0; k < K; ++k) dst[k * kPanelCols + j] = panel[j * s1 + k];
                     }
                   } else {
                     for (int64_t k = 0; k < K; ++k) {
                       for (int64_t j = 0; j < cols; ++j) {
                         dst[k * kPanelCols + j] = panel[k * s0 + j * s1];
                       }
                     }
                   }
                   for (int64_t k = 0; k < K; ++k) {
                     std::fill(dst + k * kPanelCols + cols, dst + (k + 1) * kPanelCols, T{0});
                   }
                 }
               });
}

// Rows [0, rows) of a against one panel: out[i][0 .. cols) for cols <= 16.
template <typename T>
void block_scalar(const T* a, int64_t lda, int64_t rows, const T* panel, int64_t K, T* out,
                  int64_t ldo, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    T acc[kPanelCols] = {};
    for (int64_t k = 0; k < K; ++k) {
      const T v = a[i * lda + k];
      for (int64_t j = 0; j < kPanelCols; ++j)
        acc[j] = std::fma(v, panel[k * kPanelCols + j], acc[j]);
    }
    std::copy(acc, acc + cols, out + i * ldo);
  }
}

#if defined(__AVX512F__)
// A 16-column panel is one 512-bit vector: each row's accumulator takes a broadcast element of a
// times it at each k. The same fused multiply-adds in the same order as the AVX2 and scalar
// blocks, twice as many per instruction: the LSTM benchmark's 1-thread epoch took 0.85 of the
// AVX2 blocks' time on an Intel Xeon (3.03-3.15 -> 2.55-2.81 s on 19200 images).
template <int Rows>
void block_avx512(const float* a, int64_t lda, const float* panel, int64_t K, float* out,
                  int64_t ldo, int64_t cols) {
  __m512 acc[Rows];
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) acc[r] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    const __m512 b = _mm512_loadu_ps(panel + k * kPanelCols);
#pragma GCC unroll 12
    for (int r = 0; r < Rows; ++r)
      acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * lda + k]), b, acc[r]);
  }
  const auto mask = static_cast<__mmask16>((1u << cols) - 1);
#pragma GCC unroll 12
  for (int r = 0; r < Rows; ++r) _mm512_mask_storeu_ps(out + r * ldo, mask, acc[r]);
}

template <size_t... Rows>
constexpr auto avx512_blocks(std::index_sequence<Rows...>) {
  return std::array{&block_avx512<static_cast<int>(Rows) + 1>...};
}

void block_f32(const float* a, int64_t lda, int64_t rows, const float* panel, int64_t K, float* out,
               int64_t ldo, int64_t cols) {
  static constexpr auto kBlocks = avx512_blocks(std::make_index_sequence<kBlockRows>{});
  kBlocks[static_cast<size_t>(rows - 1)](a, lda, panel, K, out, ldo, cols);
}
#elif defined(__AVX2__) && defined(__FMA__)
template <int Rows>
void block_avx2(const float* a, int64_t lda, const float* panel, int64_t K, float* out, int64_t ldo,
                int64_t cols) {
  // Every loop over r unrolled early (the pragmas), so that the accumulators live in registers:
  // without them GCC 12 kept the arrays in memory and stored them at every k.
  __m256 lo[Rows], hi[Rows];
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) lo[r] = hi[r] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    const __m256 b0 = _mm256_load_ps(panel + k * kPanelCols);
    const __m256 b1 = _mm256_load_ps(panel + k * kPanelCols + 8);
#pragma GCC unroll 6
    for (int r = 0; r < Rows; ++r) {
      const __m256 v = _mm256_broadcast_ss(a + r * lda + k);
      lo[r] = _mm256_fmadd_ps(v, b0, lo[r]);
      hi[r] = _mm256_fmadd_ps(v, b1, hi[r]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) {
    float* o = out + r * ldo;
    if (cols == kPanelCols) {
      _mm256_storeu_ps(o, lo[r]);
      _mm256_storeu_ps(o + 8, hi[r]);
    } else {
      alignas(32) float buffer[kPanelCols];
      _mm256_store_ps(buffer, lo[r]);
      _mm256_store_ps(buffer + 8, hi[r]);
      std::copy(buffer, buffer + cols, o);
    }
  }
}

void block_f32(const float* a, int64_t lda, int64_t rows, const float* panel, int64_t K, float* out,
               int64_t ldo, int64_t cols) {
  switch (rows) {
    case 6:
      return block_avx2<6>(a, lda, panel, K, out, ldo, cols);
    case 5:
      return block_avx2<5>(a, lda, panel, K, out, ldo, cols);
    case 4:
      return block_avx2<4>(a, lda, panel, K, out, ldo, cols);
    case 3:
      return block_avx2<3>(a, lda, panel, K, out, ldo, cols);
    case 2:
      return block_avx2<2>(a, lda, panel, K, out, ldo, cols);
    default:
      return block_avx2<1>(a, lda, panel, K, out, ldo, cols);
  }
}
#else
void block_f32(const float* a, int64_t lda, int64_t rows, const float* panel, int64_t K, float* out,
               int64_t ldo, int64_t cols) {
  block_scalar(a, lda, rows, panel, K, out, ldo, cols);
}
#endif

void block(const float* a, int64_t lda, int64_t rows, const float* panel, int64_t K, float* out,
           int64_t ldo, int64_t cols) {
  block_f32(a, lda, rows, panel, K, out, ldo, cols);
}
void block(const double* a, int64_t lda, int64_t rows, const double* panel, int64_t K, double* out,
           int64_t ldo, int64_t cols) {
  block_scalar(a, lda, rows, panel, K, out, ldo, cols);
}

template <typename T>
void gemm_typed(const View& a, const T* packed, const View& out) {
  const int64_t M = out.shape[0], N = out.shape[1], K = a.shape[1];
  const T* ap = static_cast<const T*>(a.data);
  T* op = static_cast<T*>(out.data);
  const int64_t panels = (N + kPanelCols - 1) / kPanelCols;
  // A panel (K x 16) stays in cache while every block of rows passes over it.
  parallel_for(0, panels, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, M * K)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t p = lo; p < hi; ++p) {
                   const int64_t cols = std::min(kPanelCols, N - p * kPanelCols);
                   // Rows in blocks of at most kBlockRows, as even as they go (for 6: 32 = 6 + 6 +
                   // 5 + 5 + 5 + 5, not 6 * 5 + 2: a block of 2 rows runs at half speed).
                   const int64_t blocks = (M + kBlockRows - 1) / kBlockRows;
                   for (int64_t q = 0, i = 0; q < blocks; ++q) {
                     const int64_t rows = (M - i) / (blocks - q);
                     block(ap + i * a.strides[0], a.strides[0], rows, packed + p * K * kPanelCols,
                           K, op + i * out.strides[0] + p * kPanelCols, out.strides[0], cols);
                     i += rows;
                   }
                 }
               });
}

}  // namespace

void pack_panels(const View& b, void* packed) {
  ATHANOR_ASSERT(b.shape.rank() == 2);
  if (b.dtype == kFloat32) return pack_typed(b, static_cast<float*>(packed));
  ATHANOR_ASSERT(b.dtype == kFloat64);
  pack_typed(b, static_cast<double*>(packed));
}

void panel_gemm(const View& a, const void* packed, const View& out) {
  ATHANOR_ASSERT(a.shape.rank() == 2 && out.shape.rank() == 2 && a.shape[0] == out.shape[0]);
  ATHANOR_ASSERT(a.strides[1] == 1 && out.strides[1] == 1 && a.dtype == out.dtype);
  if (out.shape.numel() == 0) return;
  if (a.dtype == kFloat32) return gemm_typed(a, static_cast<const float*>(packed), out);
  ATHANOR_ASSERT(a.dtype == kFloat64);
  gemm_typed(a, static_cast<const double*>(packed), out);
}

}  // namespace athanor::cpu
