// src/backend/cpu/linear_narrow.cpp: y = x w^T + b for few outputs as AVX2 dot products.
//
// With N = 10 outputs (softmax regression on 784 features, batch 128) oneDNN's product ran at
// about 37 GFLOP/s on one core: an output row of 10 floats fills one and a quarter 8-wide
// vectors. Here each output is a dot product of two contiguous rows: a tile of 2 rows of x by up
// to 6 rows of w keeps 12 8-wide partial sums in registers, loading 2 + 6 vectors for 12 fused
// multiply-adds, and reduces each across its lanes once at the end. Columns are taken a group at
// a time over all of a thread's rows, so that the group's rows of w stay in the L1 cache.
#include "backend/cpu/linear_narrow.h"

#include <algorithm>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <athanor/core/parallel.h>

#include "backend/cpu/avx2_lanes.h"

namespace athanor::cpu {

#if defined(__AVX2__) && defined(__FMA__)

namespace {

constexpr int kRows = 2;      // rows of x per tile
constexpr int kMostCols = 6;  // rows of w per tile

struct Operands {
  const float* x;
  int64_t ldx;
  const float* w;
  int64_t ldw;
  const float* bias;  // null without one
  int64_t bias_stride;
  float* y;
  int64_t ldy;
  int64_t K;
};

// y[i][j] for R rows of x from `row` and C rows of w from `col`.
template <int R, int C>
void tile(const Operands& o, int64_t row, int64_t col) {
  __m256 acc[R][C];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < C; ++j) acc[i][j] = _mm256_setzero_ps();
  const float* x = o.x + row * o.ldx;
  const float* w = o.w + col * o.ldw;
  auto step = [&](auto load) {
    __m256 xv[R];
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) xv[i] = load(x + i * o.ldx);
#pragma GCC unroll 8
    for (int j = 0; j < C; ++j) {
      __m256 wv = load(w + j * o.ldw);
      // Keeps the vector in a register: GCC would otherwise fold the load into each of the R
      // multiply-adds, loading it R times (measured: 60 -> 67 GFLOP/s for a 2x5 tile).
      asm("" : "+x"(wv));
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) acc[i][j] = _mm256_fmadd_ps(xv[i], wv, acc[i][j]);
    }
  };
  int64_t k = 0;
  for (; k + 8 <= o.K; k += 8) step([k](const float* p) { return _mm256_loadu_ps(p + k); });
  if (k < o.K) {
    // The last K % 8 columns through masked loads (lanes past K read as zero).
    const __m256i mask = first_lanes(o.K - k);
    step([k, mask](const float* p) { return _mm256_maskload_ps(p + k, mask); });
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < C; ++j) {
      const float b = o.bias ? o.bias[(col + j) * o.bias_stride] : 0.0f;
      o.y[(row + i) * o.ldy + col + j] = lane_sum(acc[i][j]) + b;
    }
}

template <int R>
void tile_any_cols(const Operands& o, int64_t row, int64_t col, int64_t cols) {
  switch (cols) {
    case 1:
      return tile<R, 1>(o, row, col);
    case 2:
      return tile<R, 2>(o, row, col);
    case 3:
      return tile<R, 3>(o, row, col);
    case 4:
      return tile<R, 4>(o, row, col);
    case 5:
      return tile<R, 5>(o, row, col);
    default:
      return tile<R, 6>(o, row, col);
  }
}

}  // namespace

bool linear_narrow_applies(const View& x, const View& w, const View& out) {
  return x.dtype == kFloat32 && w.dtype == kFloat32 && out.dtype == kFloat32 &&
         x.shape.rank() == 2 && w.shape.rank() == 2 && w.shape[0] >= 1 &&
         w.shape[0] <= kNarrowMostOutputs && x.strides[1] == 1 && w.strides[1] == 1 &&
         out.strides[1] == 1;
}

void linear_narrow(const View& x, const View& w, const View* bias, const View& out) {
  const int64_t M = x.shape[0], K = x.shape[1], N = w.shape[0];
  const Operands o{static_cast<const float*>(x.data),
                   x.strides[0],
                   static_cast<const float*>(w.data),
                   w.strides[0],
                   bias ? static_cast<const float*>(bias->data) : nullptr,
                   bias ? bias->strides[0] : 0,
                   static_cast<float*>(out.data),
                   out.strides[0],
                   K};
  // Column groups of near-equal size, at most kMostCols each: 10 outputs are two groups of 5.
  const int64_t groups = (N + kMostCols - 1) / kMostCols;
  const int64_t tiles = (M + kRows - 1) / kRows;
  const int64_t flops_per_tile = 2 * kRows * K * N;
  parallel_for(0, tiles,
               std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(flops_per_tile, 1)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t g = 0; g < groups; ++g) {
                   const int64_t col = g * N / groups, cols = (g + 1) * N / groups - col;
                   for (int64_t t = lo; t < hi; ++t) {
                     const int64_t row = t * kRows;
                     if (row + kRows <= M) {
                       tile_any_cols<kRows>(o, row, col, cols);
                     } else {
                       tile_any_cols<1>(o, row, col, cols);
                     }
                   }
                 }
               });
}

#else  // without AVX2 and FMA oneDNN takes every product

bool linear_narrow_applies(const View&, const View&, const View&) { return false; }
void linear_narrow(const View&, const View&, const View*, const View&) { ATHANOR_ASSERT(false); }

#endif

}  // namespace athanor::cpu
