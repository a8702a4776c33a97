// src/backend/cpu/softmax_kernels.cpp: softmax and log_softmax along one dimension, and their
// backward passes, on the CPU; cross-entropy against class indices fused into one pass each way.
//
// x is viewed as [O, N, I] with the softmax taken over N. Stable form: subtract the row maximum
// before exponentiating. Backward, with y the forward output:
//   softmax:      dx = y * (dy - sum_n(dy * y))
//   log_softmax:  dx = dy - exp(y) * sum_n(dy)
#include <cmath>
#include <limits>

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

// Per row, one exponential per element: p = softmax(x) (bit for bit as the softmax kernel) and the
// loss log sum exp - x[target] = m + log(sum exp(x - m)) - x[target].
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
