// src/backend/cpu/softmax_kernels.cpp: softmax and log_softmax along one dimension, and their
// backward passes, on the CPU; cross-entropy against class indices fused into one pass each way.
//
// x is viewed as [O, N, I] with the softmax taken over N. Stable form: subtract the row maximum
// before exponentiating. Backward, with y the forward output:
//   softmax:      dx = y * (dy - sum_n(dy * y))
//   log_softmax:  dx = dy - exp(y) * sum_n(dy)
#include <cmath>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

struct Dims {
  int64_t O = 1, N = 1, I = 1;
};

Dims split(const Shape& shape, int dim) {
  Dims d;
  for (int k = 0; k < shape.rank(); ++k) (k < dim ? d.O : k == dim ? d.N : d.I) *= shape[k];
  return d;
}

// The row maximum, or 0 when every value is -inf (so that exp(-inf - 0) = 0 rather than NaN).
template <typename T>
T row_max(const T* x, int64_t N, int64_t I) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t n = 0; n < N; ++n) m = std::max(m, x[n * I]);
  return std::isinf(m) && m < 0 ? T{0} : m;
}

// log sum_n exp(x[n]) as m + log(sum exp(x[n] - m)), the sum in double.
template <typename T>
T log_sum_exp(const T* x, int64_t N, int64_t I, T m) {
  double sum = 0;
  for (int64_t n = 0; n < N; ++n) sum += static_cast<double>(std::exp(x[n * I] - m));
  return m + static_cast<T>(std::log(sum));
}

// y[n] = exp(x[n] - m); returns their sum, in double.
template <typename T>
double exp_row(const T* x, T* y, int64_t N, int64_t I, T m) {
  double sum = 0;
  for (int64_t n = 0; n < N; ++n) {
    const T e = std::exp(x[n * I] - m);
    y[n * I] = e;
    sum += static_cast<double>(e);
  }
  return sum;
}

template <typename T>
void softmax_row(const T* x, T* y, int64_t N, int64_t I, bool log) {
  const T m = row_max(x, N, I);
  if (log) {
    const T lse = log_sum_exp(x, N, I, m);
    for (int64_t n = 0; n < N; ++n) y[n * I] = x[n * I] - lse;
    return;
  }
  const double sum = exp_row(x, y, N, I, m);
  const T inv = static_cast<T>(1.0 / sum);
  for (int64_t n = 0; n < N; ++n) y[n * I] *= inv;
}

template <typename T>
void softmax_backward_row(const T* dy, const T* y, T* dx, int64_t N, int64_t I, bool log) {
  double s = 0;
  if (log) {
    for (int64_t n = 0; n < N; ++n) s += static_cast<double>(dy[n * I]);
    const T st = static_cast<T>(s);
    for (int64_t n = 0; n < N; ++n) dx[n * I] = dy[n * I] - std::exp(y[n * I]) * st;
  } else {
    for (int64_t n = 0; n < N; ++n) s += static_cast<double>(dy[n * I]) * y[n * I];
    const T st = static_cast<T>(s);
    for (int64_t n = 0; n < N; ++n) dx[n * I] = y[n * I] * (dy[n * I] - st);
  }
}

#if defined(__AVX512F__)

// e^x for x <= 0 (a logit minus its row's maximum), to about 1 ulp: e^x = 2^n e^r with
// n = round(x / ln 2) and r = x - n ln 2 (ln 2 in two parts), e^r by Cephes' expf polynomial.
// Below -104, e^x rounds to 0 in float; NaN passes through.
inline __m512 exp_nonpositive(__m512 x) {
  constexpr __mmask16 kAll = 0xFFFF;  // masked forms: GCC 12 warns of the unmasked ones' operand
  x = _mm512_maskz_max_ps(kAll, _mm512_set1_ps(-104.0f),
                          x);  // the second operand where either is NaN
  const __m512 n =
      _mm512_maskz_roundscale_ps(kAll, _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_maskz_scalef_ps(kAll, p, n);
}

// One row of at most 16 classes in one vector: p = softmax(x) and the row's loss, the maximum as
// row_max and the sum of the exponentials in double in the same order (only the exponentials
// differ from the scalar rows').
inline float cross_entropy_row16(const float* x, float* p, int64_t C, int64_t target) {
  const __mmask16 k = static_cast<__mmask16>((1u << C) - 1);
  const float m = row_max(x, C, 1);
  const __m512 e = _mm512_maskz_mov_ps(
      k, exp_nonpositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x), _mm512_set1_ps(m))));
  alignas(64) float exps[16];
  _mm512_store_ps(exps, e);
  double sum = 0;
  for (int64_t c = 0; c < C; ++c) sum += static_cast<double>(exps[c]);
  _mm512_mask_storeu_ps(p, k, _mm512_mul_ps(e, _mm512_set1_ps(static_cast<float>(1.0 / sum))));
  return m + static_cast<float>(std::log(sum)) - x[target];
}

#endif

template <typename Fn>
void for_each_row(const Dims& d, Fn&& fn) {
  parallel_for(0, d.O * d.I, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d.N, 1)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t r = lo; r < hi; ++r) fn((r / d.I) * d.N * d.I + r % d.I);
               });
}

}  // namespace

void softmax(const View& x, int dim, bool log, const View& y) {
  const Dims d = split(x.shape, dim);
  if (d.N == 0) return;
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = static_cast<const T*>(x.data);
      T* yp = static_cast<T*>(y.data);
      for_each_row(d, [&](int64_t off) { softmax_row(xp + off, yp + off, d.N, d.I, log); });
    } else {
      ATHANOR_ASSERT(false && "softmax kernel: floating types only");
    }
  });
}

// Per row, one exponential per element: p = softmax(x) and the loss log sum exp - x[target] =
// m + log(sum exp(x - m)) - x[target]. In float with up to 16 classes a row is one vector
// (cross_entropy_row16, within about 1 ulp of the softmax kernel's p); otherwise the softmax
// kernel's scalar rows, bit for bit.
void cross_entropy(const View& x, const View& target, const View& loss, const View& p) {
  const int64_t rows = x.shape[0], C = x.shape[1];
  if (C == 0) return;
  const auto* t = static_cast<const int64_t*>(target.data);
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* xp = static_cast<const T*>(x.data);
      T* lp = static_cast<T*>(loss.data);
      T* pp = static_cast<T*>(p.data);
#if defined(__AVX512F__)
      // The common classifier (up to 16 classes) a row per vector: the scalar rows' std::exp took
      // 70 % of the op in a hot loop, and with cold caches its tables cost more (5.5 us for the
      // mlp's [64, 10] against 3.4 hot).
      if constexpr (std::is_same_v<T, float>) {
        if (C <= 16) {
          for_each_row({rows, C, 1}, [&](int64_t off) {
            const int64_t i = off / C;
            lp[i] = cross_entropy_row16(xp + off, pp + off, C, t[i * target.strides[0]]);
          });
          return;
        }
      }
#endif
      for_each_row({rows, C, 1}, [&](int64_t off) {
        const T* xr = xp + off;
        const T m = row_max(xr, C, 1);
        const double sum = exp_row(xr, pp + off, C, 1, m);
        const T inv = static_cast<T>(1.0 / sum);
        for (int64_t c = 0; c < C; ++c) pp[off + c] *= inv;
        const int64_t i = off / C;
        lp[i] = m + static_cast<T>(std::log(sum)) - xr[t[i * target.strides[0]]];
      });
    } else {
      ATHANOR_ASSERT(false && "cross_entropy kernel: floating types only");
    }
  });
}

void cross_entropy_backward(const View& p, const View& target, const View& g, const View& dx) {
  const int64_t rows = p.shape[0], C = p.shape[1];
  if (C == 0) return;
  const auto* t = static_cast<const int64_t*>(target.data);
  visit_dtype(p.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* pp = static_cast<const T*>(p.data);
      const T* gp = static_cast<const T*>(g.data);
      T* dxp = static_cast<T*>(dx.data);
      for_each_row({rows, C, 1}, [&](int64_t off) {
        const int64_t i = off / C;
        const T gi = gp[i * g.strides[0]];
        for (int64_t c = 0; c < C; ++c) dxp[off + c] = pp[off + c] * gi;
        dxp[off + t[i * target.strides[0]]] += -gi;
      });
    } else {
      ATHANOR_ASSERT(false && "cross_entropy kernel: floating types only");
    }
  });
}

void softmax_backward(const View& dy, const View& y, int dim, bool log, const View& dx) {
  const Dims d = split(y.shape, dim);
  if (d.N == 0) return;
  visit_dtype(y.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* dyp = static_cast<const T*>(dy.data);
      const T* yp = static_cast<const T*>(y.data);
      T* dxp = static_cast<T*>(dx.data);
      for_each_row(d, [&](int64_t off) {
        softmax_backward_row(dyp + off, yp + off, dxp + off, d.N, d.I, log);
      });
    } else {
      ATHANOR_ASSERT(false && "softmax kernel: floating types only");
    }
  });
}

}  // namespace athanor::cpu
