// src/backend/cpu/gemm_tn.cpp: out = a^T b for operands both stored k-major, as AVX2 outer
// products over packed blocks of k.
//
// The LSTM benchmark's weight gradient dW_hh = dgates^T h_prev is [512, 1792] x [1792, 128] with
// dgates [1792, 512] and h_prev [1792, 128] stored by rows of k: oneDNN ran it at ~55 GFLOP/s on
// one core. Here a 6 x 16 tile of out keeps 12 8-wide sums in registers; each k broadcasts 6
// values of a's row k and loads 16 of b's row k for 12 fused multiply-adds (with AVX-512, a 12 x
// 16 tile of 12 16-wide sums: the LSTM's 1-thread epoch 0.91 of the AVX2 tiles' time). Both are
// packed per block of kBlock k, so that the kernel reads them in order: b's rows as 16-column
// panels, a thread's rows of a as tiles of kRows rows (read in place, rows 2 KiB apart fell into a
// few L1 cache sets and missed: 48 GFLOP/s). A tile's sums are stored after each block and reloaded
// for the next, which leaves each element one chain of fused multiply-adds over k.
//
// Packing a (the LSTM's dgates, 3.7 MB) took 480 us of the 2.1 ms product at one thread, and
// at two the slower thread's 430 us: each k wrote 12 floats to each of 43 tiles laid 6 KiB apart,
// into the same few L1 cache sets. Tiles a cache line further apart, a tile's 12 floats in two
// vector moves and the row sums 8 at a time: 440 us at one thread, 280 at two.
#include "backend/cpu/gemm_tn.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

namespace athanor::cpu {

#if defined(__AVX2__) && defined(__FMA__)

namespace {

// Rows of out per tile: one accumulator per row with AVX-512 (a panel's 16 columns are one
// vector), two with AVX2; 12 of the 16 or 32 vector registers either way.
#if defined(__AVX512F__)
constexpr int64_t kRows = 12;
#else
constexpr int64_t kRows = 6;
#endif
constexpr int64_t kCols = 16;    // columns of out per panel
constexpr int64_t kBlock = 128;  // k per block

// One k-block's operands, packed: a tile's a [kc][kRows] and every panel's b [panels][kc][kCols],
// zero-padded past M and N.
struct Packed {
  const float* a;
  const float* b;
  int64_t kc;
};

// out[i0 + i][j0 + j] (+)= sum over the block's k of a[k][i] b[k][j], i < R, j < cols. The sums
// start from zero when `first`, else from what the previous block stored.
#if defined(__AVX512F__)
template <int R>
void tile(const Packed& p, int64_t panel, float* c, int64_t ldc, int64_t cols, bool first) {
  const auto mask = static_cast<__mmask16>((1u << cols) - 1);
  __m512 acc[R];
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i)
    acc[i] = first ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, c + i * ldc);
  const float* a = p.a;
  const float* b = p.b + panel * p.kc * kCols;
  for (int64_t k = 0; k < p.kc; ++k, a += kRows, b += kCols) {
    const __m512 bk = _mm512_loadu_ps(b);
#pragma GCC unroll 12
    for (int i = 0; i < R; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i]), bk, acc[i]);
  }
#pragma GCC unroll 12
  for (int i = 0; i < R; ++i) _mm512_mask_storeu_ps(c + i * ldc, mask, acc[i]);
}
#else
template <int R>
void tile(const Packed& p, int64_t panel, float* c, int64_t ldc, int64_t cols, bool first) {
  float edge[kRows * kCols];  // a narrow panel's tile, through a buffer
  const bool full = cols == kCols;
  float* out = full ? c : edge;
  const int64_t ld = full ? ldc : kCols;
  if (!full && !first) {
    for (int i = 0; i < R; ++i) std::copy(c + i * ldc, c + i * ldc + cols, edge + i * kCols);
  }
  __m256 acc[R][2];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < 2; ++v)
      acc[i][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(out + i * ld + 8 * v);
  const float* a = p.a;
  const float* b = p.b + panel * p.kc * kCols;
  for (int64_t k = 0; k < p.kc; ++k, a += kRows, b += kCols) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < 2; ++v) _mm256_storeu_ps(out + i * ld + 8 * v, acc[i][v]);
  if (!full) {
    for (int i = 0; i < R; ++i) std::copy(edge + i * kCols, edge + i * kCols + cols, c + i * ldc);
  }
}

#endif

template <size_t... R>
constexpr auto tiles_by_rows(std::index_sequence<R...>) {
  return std::array{&tile<static_cast<int>(R) + 1>...};
}

void any_tile(int64_t rows, const Packed& p, int64_t panel, float* c, int64_t ldc, int64_t cols,
              bool first) {
  static constexpr auto kTiles = tiles_by_rows(std::make_index_sequence<kRows>{});
  kTiles[static_cast<size_t>(rows - 1)](p, panel, c, ldc, cols, first);
}

// Floats from one packed tile of a to the next: kc rows of kRows, and a cache line more. Without
// it the tiles of kc = 128 lay 6 KiB apart, so the pack's kRows-float writes to every tile at one
// k fell into the same few L1 cache sets.
int64_t tile_stride(int64_t kc) { return kc * kRows + 16; }

// b's rows k0 .. k0 + kc as panels of 16 columns, [panels][kc][16], zero-padded past N.
void pack_b(const View& b, int64_t k0, int64_t kc, float* out) {
  const int64_t N = b.shape[1], panels = (N + kCols - 1) / kCols;
  const auto* src = static_cast<const float*>(b.data) + k0 * b.strides[0];
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t j0 = p * kCols, cols = std::min(kCols, N - j0);
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = out + (p * kc + k) * kCols;
      const float* row = src + k * b.strides[0] + j0;
      std::copy(row, row + cols, dst);
      std::fill(dst + cols, dst + kCols, 0.0f);
    }
  }
}

// Rows i0 .. i1 of a (a[i][k] at a[i + k lda]) over k0 .. k0 + kc, as tiles [tiles][kc][kRows],
// zero-padded past i1: each of a's stored rows k is read once, in order. With `sums`, also adds
// each element, in k order, to sums[i - i0].
void pack_a(const View& a, int64_t i0, int64_t i1, int64_t k0, int64_t kc, float* out,
            double* sums) {
  const auto* src = static_cast<const float*>(a.data) + k0 * a.strides[1];
  const int64_t tiles = (i1 - i0 + kRows - 1) / kRows;
  for (int64_t k = 0; k < kc; ++k) {
    const float* row = src + k * a.strides[1];
    for (int64_t t = 0; t < tiles; ++t) {
      float* dst = out + t * tile_stride(kc) + k * kRows;
      const int64_t first = i0 + t * kRows, rows = std::min(kRows, i1 - first);
#if defined(__AVX512F__)
      if (rows == kRows) {  // a whole tile's 12 floats as 8 + 4
        _mm256_storeu_ps(dst, _mm256_loadu_ps(row + first));
        _mm_storeu_ps(dst + 8, _mm_loadu_ps(row + first + 8));
        continue;
      }
#endif
      for (int64_t i = 0; i < kRows; ++i) dst[i] = i < rows ? row[first + i] : 0.0f;
    }
    if (sums != nullptr) {
      int64_t i = i0;
#if defined(__AVX512F__)
      // Eight sums at a time, each still its own element's additions in k order (the masked
      // conversion: GCC 12 warns of the unmasked one's undefined pass-through operand).
      for (; i + 8 <= i1; i += 8) {
        double* s = sums + (i - i0);
        _mm512_storeu_pd(s, _mm512_add_pd(_mm512_loadu_pd(s),
                                          _mm512_maskz_cvtps_pd(0xFF, _mm256_loadu_ps(row + i))));
      }
#endif
      for (; i < i1; ++i) sums[i - i0] += static_cast<double>(row[i]);
    }
  }
}

}  // namespace

bool gemm_tn_applies(const View& a, const View& b, const View& out) {
  return a.dtype == kFloat32 && b.dtype == kFloat32 && out.dtype == kFloat32 &&
         a.shape.rank() == 2 && b.shape.rank() == 2 && out.shape.rank() == 2 && a.strides[0] == 1 &&
         b.strides[1] == 1 && out.strides[1] == 1;
}

void gemm_tn(const View& a, const View& b, const View& out, const View* row_sums) {
  const int64_t M = out.shape[0], N = out.shape[1], K = a.shape[1];
  ATHANOR_ASSERT(row_sums == nullptr || (row_sums->dtype == kFloat32 &&
                                         row_sums->shape.rank() == 1 && row_sums->shape[0] == M));
  if (M == 0 || (N == 0 && row_sums == nullptr)) return;
  if (K == 0) {
    if (N > 0) fill(out, 0.0);
    if (row_sums != nullptr) fill(*row_sums, 0.0);
    return;
  }
  const int64_t tiles = (M + kRows - 1) / kRows, panels = (N + kCols - 1) / kCols;
  const int64_t tile_work = kRows * N * K;  // multiply-adds
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(tile_work, 1));
  auto* c = static_cast<float*>(out.data);
  const int64_t ldc = out.strides[0];
  parallel_for(0, tiles, grain, [&](int64_t lo, int64_t hi) {
    thread_local std::vector<float> b_block, a_block;
    thread_local std::vector<double> sums;
    const int64_t first = lo * kRows, last = std::min(M, hi * kRows);  // a's rows here
    b_block.resize(static_cast<size_t>(panels * kBlock * kCols));
    a_block.resize(static_cast<size_t>((hi - lo) * tile_stride(kBlock)));
    if (row_sums != nullptr) sums.assign(static_cast<size_t>(last - first), 0.0);
    for (int64_t k0 = 0; k0 < K; k0 += kBlock) {
      const int64_t kc = std::min(kBlock, K - k0);
      pack_b(b, k0, kc, b_block.data());
      pack_a(a, first, last, k0, kc, a_block.data(), row_sums != nullptr ? sums.data() : nullptr);
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t i0 = t * kRows, rows = std::min(kRows, M - i0);
        const Packed p{a_block.data() + (t - lo) * tile_stride(kc), b_block.data(), kc};
        for (int64_t panel = 0; panel < panels; ++panel) {
          const int64_t j0 = panel * kCols;
          any_tile(rows, p, panel, c + i0 * ldc + j0, ldc, std::min(kCols, N - j0), k0 == 0);
        }
      }
    }
    if (row_sums != nullptr) {
      auto* dst = static_cast<float*>(row_sums->data);
      for (int64_t i = first; i < last; ++i) {
        dst[i * row_sums->strides[0]] = static_cast<float>(sums[static_cast<size_t>(i - first)]);
      }
    }
  });
}

#else  // without AVX2 and FMA oneDNN takes every product

bool gemm_tn_applies(const View&, const View&, const View&) { return false; }
void gemm_tn(const View&, const View&, const View&, const View*) { ATHANOR_ASSERT(false); }

#endif

}  // namespace athanor::cpu
