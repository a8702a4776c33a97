// src/backend/cpu/rnn_kernels.cpp: the fused gate kernels of one RNN / LSTM / GRU time step on
// the CPU, forward and backward, and the recurrent kernel table.
//
// The matrix products around the steps (rnn_matmul) tile the output into blocks fixed by the
// shapes alone (the whole product when it is small); each block is one single-threaded oneDNN
// product over the whole K (float32; float64 takes the reference matmul kernel, serial per row),
// and threads share the blocks, so every element's sum runs in the same order for any thread count.
// The weight gradients, whose operands are both stored k-major, take gemm_tn (float32, AVX2).
//
// N rows (batch), H hidden units, G gates; a row's gates sit side by side in one [G H] row. Rows
// are shared between threads; every element is computed from its own row only, so results do not
// depend on the thread count. Backward maths, with ' marking a gradient (dL/d.):
//   RNN:  h = act(a);  a' = h' (1 - h^2) for tanh, h' [h > 0] for relu.
//   LSTM: c = f c_prev + i g, h = o tanh(c);  c'_total = c' + h' o (1 - tanh(c)^2),
//         i'_pre = c'_total g i (1 - i), f'_pre = c'_total c_prev f (1 - f),
//         g'_pre = c'_total i (1 - g^2), o'_pre = h' tanh(c) o (1 - o), c_prev' = c'_total f.
//   GRU:  n = tanh(a_n + r hn) with hn = W_hn h_prev + b_hn, h = (1 - z) n + z h_prev;
//         n'_pre = h' (1 - z) (1 - n^2), z'_pre = h' (h_prev - n) z (1 - z),
//         r'_pre = n'_pre hn r (1 - r); the input side's n gradient is n'_pre, the hidden side's
//         n'_pre r; h_prev' gets h' z directly besides what flows through W_hh.
#include "backend/rnn_kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <oneapi/dnnl/dnnl.hpp>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/gemm_tn.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/omp_threads.h"
#include "backend/cpu/panel_gemm.h"

namespace athanor::cpu {
namespace {

using backend::RnnCell;
using backend::RnnStepBackward;
using backend::RnnStepForward;

// ---- Nonlinearities --------------------------------------------------------------------------
// float32 uses exp and tanh written here so that the gate loops vectorize (libm's calls do not,
// and they dominated a step); float64 keeps libm's, for the gradient checks' precision. The loops
// vectorize only without trapping-math (with it GCC keeps exp_approx's clamp as a branch); nothing
// here reads floating-point exception flags. Functions compiled with other options are not
// inlined into these, hence the __builtin_ spellings of floor, fabs, copysign and bit_cast.
#pragma GCC push_options
#pragma GCC optimize("no-trapping-math")

// exp(x) = 2^k exp(r) with k = round(x / ln 2) and r = x - k ln 2 (ln 2 split in two, Cody and
// Waite, so k ln 2 is exact), |r| <= ln 2 / 2; exp(r) by its Taylor polynomial of degree 7
// (truncation error < 6e-9 relative), 2^k built in the exponent bits. x is clamped to
// [-87, 88], where both results are normal floats.
inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
  const float k = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p * __builtin_bit_cast(float, (static_cast<int32_t>(k) + 127) << 23);
}

inline float sigmoid_of(float x) { return 1.0f / (1.0f + exp_approx(-x)); }
inline double sigmoid_of(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// tanh: near 0 the odd series x + x^3 P(x^2) (minimax coefficients as in Cephes' tanhf, relative
// error about 1e-7 for |x| < 0.625), elsewhere 1 - 2 / (exp(2|x|) + 1) with x's sign.
inline float tanh_of(float x) {
  const float a = __builtin_fabsf(x), z = x * x;
  const float series =
      ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
        1.33314422036e-1f) *
           z -
       3.33332819422e-1f) *
          z * x +
      x;
  const float far = 1.0f - 2.0f / (exp_approx(2.0f * a) + 1.0f);
  return a < 0.625f ? series : __builtin_copysignf(far, x);
}
inline double tanh_of(double x) { return std::tanh(x); }

#if defined(__AVX2__) && defined(__FMA__)
// The float32 functions above on 8 lanes, step for step (a NaN stays a NaN: max_ps and min_ps
// return their second operand when either is one).
inline __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), x));
  const __m256 k = _mm256_floor_ps(
      _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  const __m256 r = _mm256_fmadd_ps(k, _mm256_set1_ps(2.12194440e-4f),
                                   _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x));
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  for (float c : {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f}) {
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
  }
  const __m256i e =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}
inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
inline __m256 tanh8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 a = _mm256_andnot_ps(sign, x), z = _mm256_mul_ps(x, x);
  __m256 q = _mm256_set1_ps(-5.70498872745e-3f);
  for (float c : {2.06390887954e-2f, -5.37397155531e-2f, 1.33314422036e-1f, -3.33332819422e-1f}) {
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(c));
  }
  const __m256 series = _mm256_fmadd_ps(_mm256_mul_ps(q, z), x, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp8(_mm256_add_ps(a, a));
  const __m256 far = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  const __m256 signed_far = _mm256_or_ps(far, _mm256_and_ps(sign, x));
  return _mm256_blendv_ps(signed_far, series, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

// One LSTM row's units [0, H8) (H8 a multiple of 8) on 8 lanes, with the formulas of the loop
// in forward_step: 3-5 % faster on the benchmark's lstm at 1 thread than GCC's vectorization of
// that loop, which spilled values to the stack.
void lstm_forward_row8(const float* gi, const float* gh, const float* b, const float* c_prev,
                       float* c, float* h, float* saved, int64_t H, int64_t H8) {
  auto pre = [&](int64_t gate, int64_t j) {
    const int64_t at = gate * H + j;
    return _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(gi + at), _mm256_loadu_ps(gh + at)),
                         _mm256_loadu_ps(b + at));
  };
  for (int64_t j = 0; j < H8; j += 8) {
    const __m256 i = sigmoid8(pre(0, j)), f = sigmoid8(pre(1, j));
    const __m256 g = tanh8(pre(2, j)), o = sigmoid8(pre(3, j));
    const __m256 c_new = _mm256_fmadd_ps(f, _mm256_loadu_ps(c_prev + j), _mm256_mul_ps(i, g));
    _mm256_storeu_ps(c + j, c_new);
    _mm256_storeu_ps(h + j, _mm256_mul_ps(o, tanh8(c_new)));
    _mm256_storeu_ps(saved + j, i);
    _mm256_storeu_ps(saved + H + j, f);
    _mm256_storeu_ps(saved + 2 * H + j, g);
    _mm256_storeu_ps(saved + 3 * H + j, o);
  }
}

// The whole row: the units past the last multiple of 8 through a zero-padded row of 8, so that
// every float32 unit takes the same instructions (the scalar loop's float arithmetic is
// contracted into fused multiply-adds differently from one build to another).
void lstm_forward_row(const float* gi, const float* gh, const float* b, const float* c_prev,
                      float* c, float* h, float* saved, int64_t H) {
  const int64_t H8 = H / 8 * 8, n = H - H8;
  lstm_forward_row8(gi, gh, b, c_prev, c, h, saved, H, H8);
  if (n == 0) return;
  float in_i[32] = {}, in_h[32] = {}, in_b[32] = {}, prev[8] = {}, c8[8], h8[8], saved8[32];
  for (int64_t g = 0; g < 4; ++g) {
    for (int64_t j = 0; j < n; ++j) {
      in_i[g * 8 + j] = gi[g * H + H8 + j];
      in_h[g * 8 + j] = gh[g * H + H8 + j];
      in_b[g * 8 + j] = b[g * H + H8 + j];
    }
  }
  for (int64_t j = 0; j < n; ++j) prev[j] = c_prev[H8 + j];
  lstm_forward_row8(in_i, in_h, in_b, prev, c8, h8, saved8, 8, 8);
  for (int64_t j = 0; j < n; ++j) {
    c[H8 + j] = c8[j];
    h[H8 + j] = h8[j];
    for (int64_t g = 0; g < 4; ++g) saved[g * H + H8 + j] = saved8[g * 8 + j];
  }
}
#endif

// Calls fn(row_begin, row_end) over the N rows, in parallel when the step is large enough.
template <typename Fn>
void for_rows(int64_t rows, int64_t row_elements, Fn&& fn) {
  parallel_for(0, rows,
               std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(row_elements, 1)), fn);
}

template <typename T>
const T* ptr(const void* p) {
  return static_cast<const T*>(p);
}

template <typename T>
void forward_step(const RnnStepForward& s) {
  const int64_t H = s.hidden, G = backend::rnn_gate_count(s.cell);
  const T* gi = ptr<T>(s.gi);
  const T* gh = ptr<T>(s.gh);
  const T* b_ih = ptr<T>(s.b_ih);
  const T* b_hh = ptr<T>(s.b_hh);
  // Per gate row: bias = b_ih + b_hh (0 without biases); GRU's n gate keeps them apart, as
  // n = tanh(gi_n + b_in + r (gh_n + b_hn)): bias holds b_in there and hidden_bias b_hn.
  std::vector<T> bias(static_cast<size_t>(G * H)), hidden_bias(static_cast<size_t>(H));
  for (int64_t k = 0; k < G * H; ++k) {
    const bool n_gate = s.cell == RnnCell::kGru && k >= 2 * H;
    bias[static_cast<size_t>(k)] = (b_ih ? b_ih[k] : T{0}) + (b_hh && !n_gate ? b_hh[k] : T{0});
    if (n_gate) hidden_bias[static_cast<size_t>(k - 2 * H)] = b_hh ? b_hh[k] : T{0};
  }
  const T* b = bias.data();
  const T* b_hn = hidden_bias.data();
  // Without gi (gh holds both products) every row adds a row of zeros, kept in the L1 cache.
  thread_local std::vector<T> zero_row;
  if (gi == nullptr) zero_row.assign(static_cast<size_t>(G * H), T{0});
  T* h = static_cast<T*>(s.h);
  for_rows(s.batch, G * H, [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      const T* gi_r = gi ? gi + row * G * H : zero_row.data();
      const T* gh_r = gh + row * G * H;
      T* h_r = h + row * H;
      switch (s.cell) {
        case RnnCell::kRnnTanh:
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) h_r[j] = tanh_of(gi_r[j] + gh_r[j] + b[j]);
          break;
        case RnnCell::kRnnRelu:
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T a = gi_r[j] + gh_r[j] + b[j];
            h_r[j] = a > T{0} ? a : T{0};
          }
          break;
        case RnnCell::kLstm: {
          const T* c_prev = ptr<T>(s.c_prev) + row * H;
          T* c = static_cast<T*>(s.c) + row * H;
          T* saved = static_cast<T*>(s.saved) + row * 4 * H;
#if defined(__AVX2__) && defined(__FMA__)
          if constexpr (std::is_same_v<T, float>) {
            lstm_forward_row(gi_r, gh_r, b, c_prev, c, h_r, saved, H);
            break;
          }
#endif
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T i = sigmoid_of(gi_r[j] + gh_r[j] + b[j]);
            const T f = sigmoid_of(gi_r[H + j] + gh_r[H + j] + b[H + j]);
            const T g = tanh_of(gi_r[2 * H + j] + gh_r[2 * H + j] + b[2 * H + j]);
            const T o = sigmoid_of(gi_r[3 * H + j] + gh_r[3 * H + j] + b[3 * H + j]);
            const T c_new = f * c_prev[j] + i * g;
            c[j] = c_new;
            h_r[j] = o * tanh_of(c_new);
            saved[j] = i;
            saved[H + j] = f;
            saved[2 * H + j] = g;
            saved[3 * H + j] = o;
          }
          break;
        }
        case RnnCell::kGru: {
          const T* h_prev = ptr<T>(s.h_prev) + row * H;
          T* saved = static_cast<T*>(s.saved) + row * 4 * H;
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T r = sigmoid_of(gi_r[j] + gh_r[j] + b[j]);
            const T z = sigmoid_of(gi_r[H + j] + gh_r[H + j] + b[H + j]);
            const T hn = gh_r[2 * H + j] + b_hn[j];
            const T n = tanh_of(gi_r[2 * H + j] + b[2 * H + j] + r * hn);
            h_r[j] = (T{1} - z) * n + z * h_prev[j];
            saved[j] = r;
            saved[H + j] = z;
            saved[2 * H + j] = n;
            saved[3 * H + j] = hn;
          }
          break;
        }
      }
    }
  });
}

template <typename T>
void backward_step(const RnnStepBackward& s) {
  const int64_t H = s.hidden, G = backend::rnn_gate_count(s.cell);
  const T* dy = ptr<T>(s.dy);
  const T* dh_rec = ptr<T>(s.dh_rec);
  T* dgi = static_cast<T*>(s.dgi);
  for_rows(s.batch, G * H, [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      const T* dy_r = dy + row * H;
      const T* rec_r = dh_rec ? dh_rec + row * H : nullptr;
      T* dgi_r = dgi + row * G * H;
      auto dh_at = [&](int64_t j) { return rec_r ? dy_r[j] + rec_r[j] : dy_r[j]; };
      switch (s.cell) {
        case RnnCell::kRnnTanh:
        case RnnCell::kRnnRelu: {
          const T* h_r = ptr<T>(s.h) + row * H;
          const bool is_tanh = s.cell == RnnCell::kRnnTanh;
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T dh = dh_at(j);
            dgi_r[j] = is_tanh ? dh * (T{1} - h_r[j] * h_r[j]) : (h_r[j] > T{0} ? dh : T{0});
          }
          break;
        }
        case RnnCell::kLstm: {
          const T* saved = ptr<T>(s.saved) + row * 4 * H;
          const T* c = ptr<T>(s.c) + row * H;
          const T* c_prev = ptr<T>(s.c_prev) + row * H;
          T* dc = static_cast<T*>(s.dc) + row * H;
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T i = saved[j], f = saved[H + j], g = saved[2 * H + j], o = saved[3 * H + j];
            const T dh = dh_at(j);
            const T tc = tanh_of(c[j]);
            const T dct = dc[j] + dh * o * (T{1} - tc * tc);
            dgi_r[j] = dct * g * i * (T{1} - i);
            dgi_r[H + j] = dct * c_prev[j] * f * (T{1} - f);
            dgi_r[2 * H + j] = dct * i * (T{1} - g * g);
            dgi_r[3 * H + j] = dh * tc * o * (T{1} - o);
            dc[j] = dct * f;
          }
          break;
        }
        case RnnCell::kGru: {
          const T* saved = ptr<T>(s.saved) + row * 4 * H;
          const T* h_prev = ptr<T>(s.h_prev) + row * H;
          T* direct = static_cast<T*>(s.dh_direct) + row * H;
          T* dgh_r = static_cast<T*>(s.dgh) + row * G * H;
#pragma omp simd
          for (int64_t j = 0; j < H; ++j) {
            const T r = saved[j], z = saved[H + j], n = saved[2 * H + j], hn = saved[3 * H + j];
            const T dh = dh_at(j) + direct[j];
            const T dn_pre = dh * (T{1} - z) * (T{1} - n * n);
            const T dz_pre = dh * (h_prev[j] - n) * z * (T{1} - z);
            const T dr_pre = dn_pre * hn * r * (T{1} - r);
            dgi_r[j] = dgh_r[j] = dr_pre;
            dgi_r[H + j] = dgh_r[H + j] = dz_pre;
            dgi_r[2 * H + j] = dn_pre;
            dgh_r[2 * H + j] = dn_pre * r;
            direct[j] = dh * z;
          }
          break;
        }
      }
    }
  });
}

#pragma GCC pop_options

// ---- Matrix products ----------------------------------------------------------------------------

// Wide tiles: the input projection (K = features, often small) runs at ~60 GFLOP/s in 128x512
// tiles against ~55 in 128x128 ones, whose calls and packing of B cost more than their work.
constexpr int64_t kTileRows = 128, kTileCols = 512;
// Products of at most this many multiply-adds are one tile on the calling thread: waking another
// thread for each step's small product costs more than it saves, and far more on a loaded machine
// (measured: a 2-thread LSTM step loop ran 6x slower than 1 thread while other jobs ran).
constexpr int64_t kParallelWork = int64_t{1} << 22;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One tile's product as oneDNN sees it: [m, k] x [k, n] -> [m, n] with the operands' strides
// and the output's row stride.
struct TileKey {
  std::array<int64_t, 3> dims;     // m, k, n
  std::array<int64_t, 5> strides;  // a rows, a cols, b rows, b cols, out rows
  friend bool operator==(const TileKey&, const TileKey&) = default;
};

struct TileKeyHash {
  size_t operator()(const TileKey& k) const {
    size_t h = 1469598103934665603ull;
    auto mix = [&h](int64_t v) { h = (h ^ static_cast<size_t>(v)) * 1099511628211ull; };
    for (int64_t v : k.dims) mix(v);
    for (int64_t v : k.strides) mix(v);
    return h;
  }
};

struct TileEntry {
  dnnl::matmul primitive;
  dnnl::memory a, b, c;
};

// oneDNN wants a sensible stride for a size-1 dimension too.
std::array<int64_t, 2> fixed_strides(int64_t rows, int64_t cols, int64_t s0, int64_t s1) {
  if (cols == 1) s1 = 1;
  if (rows == 1) s0 = s1 == 1 ? cols : 1;
  return {s0, s1};
}

// The calling thread's one-thread primitive for `key`, created on first use.
TileEntry& tile_entry(const TileKey& key) {
  thread_local std::unordered_map<TileKey, TileEntry, TileKeyHash> cache;
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (cache.size() >= 256) cache.clear();  // a program cycling through many shapes
    const OmpThreads one(1);
    const auto [m, k, n] = key.dims;
    const auto sa = fixed_strides(m, k, key.strides[0], key.strides[1]);
    const auto sb = fixed_strides(k, n, key.strides[2], key.strides[3]);
    using dt = dnnl::memory::data_type;
    const dnnl::memory::desc a_md({1, m, k}, dt::f32, {m * k, sa[0], sa[1]});
    const dnnl::memory::desc b_md({1, k, n}, dt::f32, {k * n, sb[0], sb[1]});
    const dnnl::memory::desc c_md({1, m, n}, dt::f32, {m * key.strides[4], key.strides[4], 1});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), cpu_engine());
    TileEntry e{dnnl::matmul(pd), dnnl::memory(pd.src_desc(), cpu_engine(), nullptr),
                dnnl::memory(pd.weights_desc(), cpu_engine(), nullptr),
                dnnl::memory(pd.dst_desc(), cpu_engine(), nullptr)};
    it = cache.emplace(key, std::move(e)).first;
  }
  return it->second;
}

void matmul_tiled_f32(const View& a, const View& b, const View& out) {
  const int64_t M = out.shape[0], N = out.shape[1], K = a.shape[1];
  const bool whole = M * N * K <= kParallelWork;
  const int64_t tile_rows = whole ? M : kTileRows, tile_cols = whole ? N : kTileCols;
  const int64_t row_tiles = (M + tile_rows - 1) / tile_rows;
  const int64_t col_tiles = (N + tile_cols - 1) / tile_cols;
  const int64_t grain = std::max<int64_t>(1, kParallelWork / (tile_rows * tile_cols * K));
  get_num_threads();  // align this thread's OpenMP setting with athanor's
  parallel_for(0, row_tiles * col_tiles, grain, [&](int64_t lo, int64_t hi) {
    thread_local dnnl::stream stream(cpu_engine());
    // oneDNN reads the thread count again when it executes; outside a parallel region (a product
    // run whole) it would otherwise open one of its own.
    const OmpThreads one(1);
    for (int64_t tile = lo; tile < hi; ++tile) {
      const int64_t m0 = tile / col_tiles * tile_rows, n0 = tile % col_tiles * tile_cols;
      const int64_t m = std::min(tile_rows, M - m0), n = std::min(tile_cols, N - n0);
      const TileKey key{{m, K, n},
                        {a.strides[0], a.strides[1], b.strides[0], b.strides[1], out.strides[0]}};
      TileEntry& e = tile_entry(key);
      e.a.set_data_handle(static_cast<float*>(a.data) + m0 * a.strides[0]);
      e.b.set_data_handle(static_cast<float*>(b.data) + n0 * b.strides[1]);
      e.c.set_data_handle(static_cast<float*>(out.data) + m0 * out.strides[0] + n0);
      e.primitive.execute(stream,
                          {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}});
      stream.wait();
    }
  });
}

void rnn_matmul(const View& a, const View& b, const View& out) {
  ATHANOR_ASSERT(a.shape.rank() == 2 && b.shape.rank() == 2 && out.shape.rank() == 2);
  ATHANOR_ASSERT(a.shape[0] == out.shape[0] && b.shape[1] == out.shape[1] &&
                 a.shape[1] == b.shape[0] && out.strides[1] == 1);
  ATHANOR_ASSERT(a.dtype == b.dtype && a.dtype == out.dtype);
  if (out.shape.numel() == 0) return;
  if (a.shape[1] == 0) {
    fill(out, 0.0);
    return;
  }
  // The weight gradients dgates^T h_prev (bench_layers rnn_weight_grad [512, 1792] x [1792, 128]
  // at 1 thread: oneDNN 4.4 ms, gemm_tn 3.4 ms). With few columns (dgates^T x for 28 features)
  // packing a costs more than it saves: oneDNN keeps those.
  if (gemm_tn_applies(a, b, out) && out.shape[1] >= 64) return gemm_tn(a, b, out);
  if (a.dtype == kFloat32) return matmul_tiled_f32(a, b, out);
  // The reference kernel: one thread per output row, k in order.
  auto batched = [](View v) {
    v.shape.insert(0, 1);
    v.strides.insert(0, 0);
    return v;
  };
  matmul(batched(a), batched(b), batched(out));
}

// rnn_matmul, and row_sums[i] = a[i][0] + ... + a[i][K-1] added in k order from 0, in double for
// float32: the same bits as sum over that dimension. gemm_tn adds them while it packs a.
void rnn_matmul_row_sums(const View& a, const View& b, const View& out, const View& row_sums) {
  ATHANOR_ASSERT(row_sums.shape.rank() == 1 && row_sums.shape[0] == a.shape[0] &&
                 row_sums.dtype == a.dtype);
  if (gemm_tn_applies(a, b, out) && out.shape[1] >= 64) return gemm_tn(a, b, out, &row_sums);
  rnn_matmul(a, b, out);
  const int64_t M = a.shape[0], K = a.shape[1];
  std::vector<double> sums(static_cast<size_t>(M), 0.0);
  visit_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* src = static_cast<const T*>(a.data);
      for (int64_t k = 0; k < K; ++k) {  // k outer: a is usually a transposed view
        for (int64_t i = 0; i < M; ++i) {
          sums[static_cast<size_t>(i)] +=
              static_cast<double>(src[i * a.strides[0] + k * a.strides[1]]);
        }
      }
      T* dst = static_cast<T*>(row_sums.data);
      for (int64_t i = 0; i < M; ++i) {
        dst[i * row_sums.strides[0]] = static_cast<T>(sums[static_cast<size_t>(i)]);
      }
    } else {
      ATHANOR_ASSERT(false && "rnn_matmul_row_sums: floating types only");
    }
  });
}

// ---- Gate kernels -------------------------------------------------------------------------------

void step_forward(const RnnStepForward& s) {
  ATHANOR_ASSERT((s.gi || s.cell != RnnCell::kGru) && s.gh && s.h);
  ATHANOR_ASSERT(s.cell != RnnCell::kLstm || (s.c_prev && s.c && s.saved));
  ATHANOR_ASSERT(s.cell != RnnCell::kGru || (s.h_prev && s.saved));
  if (s.dtype == kFloat32) return forward_step<float>(s);
  ATHANOR_ASSERT(s.dtype == kFloat64);
  forward_step<double>(s);
}

void step_backward(const RnnStepBackward& s) {
  ATHANOR_ASSERT(s.dy && s.dgi);
  ATHANOR_ASSERT(s.cell != RnnCell::kLstm || (s.saved && s.c && s.c_prev && s.dc));
  ATHANOR_ASSERT(s.cell != RnnCell::kGru || (s.saved && s.h_prev && s.dh_direct && s.dgh));
  ATHANOR_ASSERT(s.cell == RnnCell::kLstm || s.cell == RnnCell::kGru || s.h);
  if (s.dtype == kFloat32) return backward_step<float>(s);
  ATHANOR_ASSERT(s.dtype == kFloat64);
  backward_step<double>(s);
}

}  // namespace
}  // namespace athanor::cpu

namespace athanor::backend {

const RnnKernelTable& rnn_kernels(Device d, const char* op) {
  static const RnnKernelTable cpu_table{.matmul = cpu::rnn_matmul,
                                        .matmul_row_sums = cpu::rnn_matmul_row_sums,
                                        .packed_size = cpu::packed_size,
                                        .pack = cpu::pack_panels,
                                        .matmul_packed = cpu::panel_gemm,
                                        .step_forward = cpu::step_forward,
                                        .step_backward = cpu::step_backward};
  ATHANOR_CHECK(d.is_cpu(), "{}: no kernel for device {}", op, d);
  return cpu_table;
}

}  // namespace athanor::backend
