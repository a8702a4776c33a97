// src/backend/cpu/linear_narrow_backward.cpp: the two products of a few-outputs linear layer's
// backward (a classifier's last layer) as AVX2 loops along the wide dimension K.
//
// With N = 10 outputs, dx = dy w ([M, 10] x [10, K]) and dw = dy^T x ([10, M] x [M, K]) are
// 82K multiply-adds each for the benchmark models' 64 x 128 last layer, and oneDNN took about
// 4.5 us for each (its call, not the arithmetic); at 2 threads the two ran side by side, and the
// parallel region made the pair slower still (9.6 -> 12.6 us). Here each is a few thousand
// cycles on the calling thread:
//   dx[i, k..k+8] = sum over j = 0, 1, ... of dy[i, j] w[j, k..k+8]  (a tile of 4 rows),
//   dw[j, k..k+8] = sum over i = 0, 1, ... of dy[i, j] x[i, k..k+8]  (a tile of 6 outputs),
// each sum a chain of fused multiply-adds from zero, two 8-wide vectors of K per tile. Threads
// split dx by rows and dw by columns, so no sum depends on the thread count.
#include <algorithm>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <athanor/core/parallel.h>

#include "backend/cpu/avx2_lanes.h"
#include "backend/cpu/linear_narrow.h"

namespace athanor::cpu {

#if defined(__AVX2__) && defined(__FMA__)

namespace {

constexpr int kVecs = 2;  // 8-wide vectors of K per tile
constexpr int64_t kTileK = 8 * kVecs;
constexpr int kDxRows = 4;      // rows of dx per tile
constexpr int kDwMostCols = 6;  // rows of dw per tile (12 accumulators in 16 registers)
constexpr int64_t kChunkFlops = int64_t{1} << 18;  // per parallel chunk, as linear_narrow

struct Operands {
  const float* dy;
  int64_t lddy;
  int64_t M, N, K;
};

// The K columns [k, k + kTileK) of one row: whole vectors, or masked past K.
template <bool kMasked>
struct Lanes {
  __m256i mask[kVecs];
  explicit Lanes(int64_t k, int64_t K) {
    if constexpr (kMasked) {
      for (int v = 0; v < kVecs; ++v) {
        mask[v] = first_lanes(std::clamp<int64_t>(K - k - 8 * v, 0, 8));
      }
    }
  }
  __m256 load(const float* p, int v) const {
    if constexpr (kMasked) return _mm256_maskload_ps(p + 8 * v, mask[v]);
    return _mm256_loadu_ps(p + 8 * v);
  }
  void store(float* p, int v, __m256 value) const {
    if constexpr (kMasked) return _mm256_maskstore_ps(p + 8 * v, mask[v], value);
    _mm256_storeu_ps(p + 8 * v, value);
  }
};

// dx rows [row, row + R), columns [k, k + kTileK).
template <int R, bool kMasked>
void dx_tile(const Operands& o, const float* w, int64_t ldw, float* dx, int64_t lddx, int64_t row,
             int64_t k) {
  const Lanes<kMasked> lanes(k, o.K);
  __m256 acc[R][kVecs];
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[i][v] = _mm256_setzero_ps();
  const float* dy = o.dy + row * o.lddy;
  for (int64_t j = 0; j < o.N; ++j) {
    __m256 wv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) wv[v] = lanes.load(w + j * ldw + k, v);
#pragma GCC unroll 8
    for (int i = 0; i < R; ++i) {
      const __m256 d = _mm256_broadcast_ss(dy + i * o.lddy + j);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[i][v] = _mm256_fmadd_ps(d, wv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) lanes.store(dx + (row + i) * lddx + k, v, acc[i][v]);
}

// dw rows [col, col + C), columns [k, k + kTileK).
template <int C, bool kMasked>
void dw_tile(const Operands& o, const float* x, int64_t ldx, float* dw, int64_t lddw, int64_t col,
             int64_t k) {
  const Lanes<kMasked> lanes(k, o.K);
  __m256 acc[C][kVecs];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[c][v] = _mm256_setzero_ps();
  for (int64_t i = 0; i < o.M; ++i) {
    __m256 xv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) xv[v] = lanes.load(x + i * ldx + k, v);
    const float* dy = o.dy + i * o.lddy + col;
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const __m256 d = _mm256_broadcast_ss(dy + c);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[c][v] = _mm256_fmadd_ps(d, xv[v], acc[c][v]);
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) lanes.store(dw + (col + c) * lddw + k, v, acc[c][v]);
}

template <bool kMasked>
void dw_tile_any_cols(const Operands& o, const float* x, int64_t ldx, float* dw, int64_t lddw,
                      int64_t col, int64_t cols, int64_t k) {
  switch (cols) {
    case 1:
      return dw_tile<1, kMasked>(o, x, ldx, dw, lddw, col, k);
    case 2:
      return dw_tile<2, kMasked>(o, x, ldx, dw, lddw, col, k);
    case 3:
      return dw_tile<3, kMasked>(o, x, ldx, dw, lddw, col, k);
    case 4:
      return dw_tile<4, kMasked>(o, x, ldx, dw, lddw, col, k);
    case 5:
      return dw_tile<5, kMasked>(o, x, ldx, dw, lddw, col, k);
    default:
      return dw_tile<6, kMasked>(o, x, ldx, dw, lddw, col, k);
  }
}

// Chunks of `units` for parallel_for, each about kChunkFlops.
int64_t grain(int64_t flops_per_unit) {
  return std::max<int64_t>(1, kChunkFlops / std::max<int64_t>(flops_per_unit, 1));
}

void input_grad(const Operands& o, const View& w, const View& dx) {
  const auto* wp = static_cast<const float*>(w.data);
  auto* dxp = static_cast<float*>(dx.data);
  const int64_t ldw = w.strides[0], lddx = dx.strides[0];
  const int64_t tiles = (o.M + kDxRows - 1) / kDxRows, full_k = o.K / kTileK * kTileK;
  parallel_for(0, tiles, grain(2 * kDxRows * o.N * o.K), [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t row = t * kDxRows;
      if (row + kDxRows <= o.M) {
        for (int64_t k = 0; k < full_k; k += kTileK) {
          dx_tile<kDxRows, false>(o, wp, ldw, dxp, lddx, row, k);
        }
        if (full_k < o.K) dx_tile<kDxRows, true>(o, wp, ldw, dxp, lddx, row, full_k);
      } else {
        for (int64_t r = row; r < o.M; ++r) {
          for (int64_t k = 0; k < full_k; k += kTileK)
            dx_tile<1, false>(o, wp, ldw, dxp, lddx, r, k);
          if (full_k < o.K) dx_tile<1, true>(o, wp, ldw, dxp, lddx, r, full_k);
        }
      }
    }
  });
}

void weight_grad(const Operands& o, const View& x, const View& dw) {
  const auto* xp = static_cast<const float*>(x.data);
  auto* dwp = static_cast<float*>(dw.data);
  const int64_t ldx = x.strides[0], lddw = dw.strides[0];
  const int64_t groups = (o.N + kDwMostCols - 1) / kDwMostCols;
  const int64_t tiles = (o.K + kTileK - 1) / kTileK;
  parallel_for(0, tiles, grain(2 * o.M * o.N * kTileK), [&](int64_t lo, int64_t hi) {
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t col = g * o.N / groups, cols = (g + 1) * o.N / groups - col;
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t k = t * kTileK;
        if (k + kTileK <= o.K) {
          dw_tile_any_cols<false>(o, xp, ldx, dwp, lddw, col, cols, k);
        } else {
          dw_tile_any_cols<true>(o, xp, ldx, dwp, lddw, col, cols, k);
        }
      }
    }
  });
}

}  // namespace

bool linear_narrow_backward_applies(const View& x, const View& w, const View& dy, const View* dx,
                                    const View* dw) {
  auto rows_dense = [](const View& v) {
    return v.dtype == kFloat32 && v.shape.rank() == 2 && v.strides[1] == 1;
  };
  return rows_dense(dy) && rows_dense(w) && dy.shape[0] >= 1 && dy.shape[1] >= 1 &&
         dy.shape[1] <= kNarrowMostOutputs && w.shape[1] >= 1 &&
         (dx == nullptr || rows_dense(*dx)) &&
         (dw == nullptr || (rows_dense(x) && rows_dense(*dw)));
}

void linear_narrow_backward(const View& x, const View& w, const View& dy, const View* dx,
                            const View* dw) {
  const Operands o{static_cast<const float*>(dy.data), dy.strides[0], dy.shape[0], dy.shape[1],
                   w.shape[1]};
  if (dx) input_grad(o, w, *dx);
  if (dw) weight_grad(o, x, *dw);
}

#else  // without AVX2 and FMA oneDNN takes every product

bool linear_narrow_backward_applies(const View&, const View&, const View&, const View*,
                                    const View*) {
  return false;
}
void linear_narrow_backward(const View&, const View&, const View&, const View*, const View*) {
  ATHANOR_ASSERT(false);
}

#endif

}  // namespace athanor::cpu
