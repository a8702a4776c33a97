// src/backend/cpu/linear_wide.cpp: y = x w^T + b for a layer of more than 16 outputs as AVX-512
// dot products, each thread on its own columns.
//
// With x [M, K] and w [N, K] both stored along K, each output is a dot product of two contiguous
// rows: a tile of 4 rows of x by 6 rows of w keeps 24 16-wide partial sums in registers, loading
// 4 + 6 vectors for 24 fused multiply-adds, and reduces them across lanes once at the end. A
// thread takes a column group's 6 rows of w (18 KiB at K = 784, held in the L1 cache) over all
// rows of x (read from L2), group after group.
//
// Why not oneDNN: at 2 threads it split the mlp's 64 x 784 x 256 forward in 0.59-0.62 of its
// one-thread time, and in the training step each thread read half of w from the other core's
// cache, where the optimizer had just written it. Here thread t takes the rows of w from
// N t / T, the same rows the optimizer's chunk t updates (update_queue.cpp), so each core reads
// the half of w it wrote.
#include "backend/cpu/linear_wide.h"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

#include "backend/cpu/linear_narrow.h"

namespace athanor::cpu {

#if defined(__AVX512F__)

namespace {

constexpr int kRows = 4;  // rows of x per tile
constexpr int kCols = 6;  // rows of w per tile

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
  bool relu;
};

// Every lane. The shuffles below take it as their mask: GCC 12 warns of the unmasked ones'
// undefined pass-through operand.
constexpr __mmask16 kAll = 0xFFFF;

// The sums of a pair's 16 lanes folded to 8: lanes 0-7 hold a's l + (l + 8), lanes 8-15 b's.
inline __m512 fold_pair(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll, a, b, 0x44),
                       _mm512_maskz_shuffle_f32x4(kAll, a, b, 0xEE));
}

// Two folded pairs to four 4-lane quarters, one per accumulator: quarter q holds accumulator q's
// (l + l + 8) + (l + 4 + l + 12).
inline __m512 fold_quarters(__m512 p, __m512 q) {
  return _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll, p, q, 0x88),
                       _mm512_maskz_shuffle_f32x4(kAll, p, q, 0xDD));
}

// Every lane of a quarter set to the quarter's sum.
inline __m512 sum_quarters(__m512 v) {
  v = _mm512_add_ps(v, _mm512_maskz_permute_ps(kAll, v, 0x4E));
  return _mm512_add_ps(v, _mm512_maskz_permute_ps(kAll, v, 0xB1));
}

// The sums of up to 6 accumulators in lanes 0-5. Each sum adds its own 16 lanes in one fixed
// order, whatever the other accumulators hold: the tile's shape does not change the bits.
inline __m512 lane_sums(const __m512 (&acc)[kCols]) {
  const __m512 lo =
      sum_quarters(fold_quarters(fold_pair(acc[0], acc[1]), fold_pair(acc[2], acc[3])));
  const __m512 hi = sum_quarters(fold_quarters(fold_pair(acc[4], acc[5]), _mm512_setzero_ps()));
  const __m512i first_lanes = _mm512_setr_epi32(0, 4, 8, 12, 16, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  return _mm512_permutex2var_ps(lo, first_lanes, hi);
}

// y[row + i][col + j] for R rows of x and C rows of w.
template <int R, int C>
void tile(const Operands& o, int64_t row, int64_t col) {
  __m512 acc[R][kCols];
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 6
    for (int j = 0; j < kCols; ++j) acc[i][j] = _mm512_setzero_ps();
  const float* x = o.x + row * o.ldx;
  const float* w = o.w + col * o.ldw;
  auto step = [&](auto load) {
    __m512 xv[R];
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) xv[i] = load(x + i * o.ldx);
#pragma GCC unroll 6
    for (int j = 0; j < C; ++j) {
      __m512 wv = load(w + j * o.ldw);
      asm("" : "+v"(wv));  // one load, kept in a register for the R multiply-adds
#pragma GCC unroll 4
      for (int i = 0; i < R; ++i) acc[i][j] = _mm512_fmadd_ps(xv[i], wv, acc[i][j]);
    }
  };
  int64_t k = 0;
  for (; k + 16 <= o.K; k += 16) step([k](const float* p) { return _mm512_loadu_ps(p + k); });
  if (k < o.K) {
    const auto mask = static_cast<__mmask16>((1u << (o.K - k)) - 1);
    step([k, mask](const float* p) { return _mm512_maskz_loadu_ps(mask, p + k); });
  }
  const auto cols = static_cast<__mmask16>((1u << C) - 1);
  float b[kCols] = {};
  if (o.bias != nullptr) {
    for (int j = 0; j < C; ++j) b[j] = o.bias[(col + j) * o.bias_stride];
  }
  const __m512 bias = _mm512_maskz_loadu_ps(cols, b);
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i) {
    __m512 v = _mm512_add_ps(lane_sums(acc[i]), bias);
    // ReLU as the elementwise kernel's: v <= 0 gives +0, NaN passes.
    if (o.relu) v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NLE_UQ), v);
    _mm512_mask_storeu_ps(o.y + (row + i) * o.ldy + col, cols, v);
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

void any_tile(int64_t rows, const Operands& o, int64_t row, int64_t col, int64_t cols) {
  switch (rows) {
    case 1:
      return tile_any_cols<1>(o, row, col, cols);
    case 2:
      return tile_any_cols<2>(o, row, col, cols);
    case 3:
      return tile_any_cols<3>(o, row, col, cols);
    default:
      return tile_any_cols<4>(o, row, col, cols);
  }
}

// Below this many multiply-adds a product runs on one thread (a parallel region costs more).
constexpr int64_t kOneThreadMost = int64_t{1} << 18;

}  // namespace

bool linear_wide_applies(const View& x, const View& w, const View& out) {
  return x.dtype == kFloat32 && w.dtype == kFloat32 && out.dtype == kFloat32 &&
         x.shape.rank() == 2 && w.shape.rank() == 2 && x.shape[0] <= kWideMostRows &&
         w.shape[0] > kNarrowMostOutputs && x.shape[1] >= kWideLeastK && x.shape[1] <= kWideMostK &&
         x.strides[1] == 1 && w.strides[1] == 1 && out.strides[1] == 1;
}

void linear_wide(const View& x, const View& w, const View* bias, const View& out, bool relu) {
  const int64_t M = x.shape[0], K = x.shape[1], N = w.shape[0];
  const Operands o{static_cast<const float*>(x.data),
                   x.strides[0],
                   static_cast<const float*>(w.data),
                   w.strides[0],
                   bias ? static_cast<const float*>(bias->data) : nullptr,
                   bias ? bias->strides[0] : 0,
                   static_cast<float*>(out.data),
                   out.strides[0],
                   K,
                   relu};
  const int64_t macs_per_col = std::max<int64_t>(M * K, 1);
  parallel_for(0, N, std::max<int64_t>(1, kOneThreadMost / macs_per_col),
               [&](int64_t lo, int64_t hi) {
                 // The thread's columns in groups of near-equal size, at most kCols each.
                 const int64_t n = hi - lo, groups = (n + kCols - 1) / kCols;
                 for (int64_t g = 0; g < groups; ++g) {
                   const int64_t col = lo + g * n / groups, cols = lo + (g + 1) * n / groups - col;
                   for (int64_t row = 0; row < M; row += kRows) {
                     any_tile(std::min<int64_t>(kRows, M - row), o, row, col, cols);
                   }
                 }
               });
}

#else  // without AVX-512 oneDNN takes these products

bool linear_wide_applies(const View&, const View&, const View&) { return false; }
void linear_wide(const View&, const View&, const View*, const View&, bool) {
  ATHANOR_ASSERT(false);
}

#endif

}  // namespace athanor::cpu
