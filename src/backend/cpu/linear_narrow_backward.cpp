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

// Both products as one tile: out rows r = 0 .. R - 1, columns [k, k + kTileK), each the chain
// sum over t = 0 .. T - 1 of a[r * a_r + t * a_t] b[t * ldb + k ..]: for dx, a = dy's rows (a_r
// = lddy, a_t = 1), b = w and t = j; for dw, a = dy's columns (a_r = 1, a_t = lddy), b = x and
// t = i.
struct Tile {
  const float* a;
  int64_t a_r, a_t, T;
  const float* b;
  int64_t ldb;
  float* out;
  int64_t ldo, K;
};

template <int R, bool kMasked>
void tile(const Tile& o, int64_t k) {
  const Lanes<kMasked> lanes(k, o.K);
  __m256 acc[R][kVecs];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm256_setzero_ps();
  for (int64_t t = 0; t < o.T; ++t) {
    __m256 bv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) bv[v] = lanes.load(o.b + t * o.ldb + k, v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 a = _mm256_broadcast_ss(o.a + r * o.a_r + t * o.a_t);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm256_fmadd_ps(a, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) lanes.store(o.out + r * o.ldo + k, v, acc[r][v]);
}

// The tile's columns of K in turn, the last masked.
template <int R>
void tile_row(const Tile& o) {
  const int64_t full = o.K / kTileK * kTileK;
  for (int64_t k = 0; k < full; k += kTileK) tile<R, false>(o, k);
  if (full < o.K) tile<R, true>(o, full);
}

// A tile of 1 to kDwMostCols rows at columns [k, k + kTileK), masked past K.
template <bool kMasked>
void tile_any_rows(const Tile& o, int64_t rows, int64_t k) {
  switch (rows) {
    case 1:
      return tile<1, kMasked>(o, k);
    case 2:
      return tile<2, kMasked>(o, k);
    case 3:
      return tile<3, kMasked>(o, k);
    case 4:
      return tile<4, kMasked>(o, k);
    case 5:
      return tile<5, kMasked>(o, k);
    default:
      return tile<6, kMasked>(o, k);
  }
}

// Chunks of `units` for parallel_for, each about kChunkFlops.
int64_t grain(int64_t flops_per_unit) {
  return std::max<int64_t>(1, kChunkFlops / std::max<int64_t>(flops_per_unit, 1));
}

// dx [M, K] = dy w: tiles of kDxRows rows (the last rows one at a time), split by rows.
void input_grad(const View& dy, const View& w, const View& dx) {
  const int64_t M = dy.shape[0], N = dy.shape[1], K = w.shape[1];
  const int64_t tiles = (M + kDxRows - 1) / kDxRows;
  parallel_for(0, tiles, grain(2 * kDxRows * N * K), [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo * kDxRows; row < std::min(hi * kDxRows, M);) {
      const Tile o{static_cast<const float*>(dy.data) + row * dy.strides[0],
                   dy.strides[0],
                   1,
                   N,
                   static_cast<const float*>(w.data),
                   w.strides[0],
                   static_cast<float*>(dx.data) + row * dx.strides[0],
                   dx.strides[0],
                   K};
      if (row + kDxRows <= M) {
        tile_row<kDxRows>(o);
        row += kDxRows;
      } else {
        tile_row<1>(o);
        row += 1;
      }
    }
  });
}

// dw [N, K] = dy^T x: groups of at most kDwMostCols rows, split by columns of K.
void weight_grad(const View& dy, const View& x, const View& dw) {
  const int64_t M = dy.shape[0], N = dy.shape[1], K = x.shape[1];
  const int64_t groups = (N + kDwMostCols - 1) / kDwMostCols;
  const int64_t tiles = (K + kTileK - 1) / kTileK;
  parallel_for(0, tiles, grain(2 * M * N * kTileK), [&](int64_t lo, int64_t hi) {
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t col = g * N / groups, rows = (g + 1) * N / groups - col;
      const Tile o{static_cast<const float*>(dy.data) + col,
                   1,
                   dy.strides[0],
                   M,
                   static_cast<const float*>(x.data),
                   x.strides[0],
                   static_cast<float*>(dw.data) + col * dw.strides[0],
                   dw.strides[0],
                   K};
      for (int64_t t = lo; t < hi; ++t) {
        const int64_t k = t * kTileK;
        if (k + kTileK <= K) {
          tile_any_rows<false>(o, rows, k);
        } else {
          tile_any_rows<true>(o, rows, k);
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
  if (dx) input_grad(dy, w, *dx);
  if (dw) weight_grad(dy, x, *dw);
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
