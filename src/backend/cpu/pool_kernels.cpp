// src/backend/cpu/pool_kernels.cpp: 2-D max, average and adaptive average pooling on the CPU,
// forward and backward, over contiguous NCHW views (float32 and float64).
//
// Every kernel runs over the N * C planes in parallel, each plane on one thread in a fixed order,
// so results (gradients too, where windows overlap) do not depend on the thread count. Window
// rules follow PyTorch's CPU kernels: a max-pool window keeps its first maximum (strict >) unless
// a NaN comes, and then the last NaN; an average-pool window is clipped to the padded input before
// its size is taken (count_include_pad) and to the input before summing.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "backend/cpu/avx2_lanes.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

struct Planes {
  int64_t count;  // N * C
  int64_t H, W, Ho, Wo;
};

Planes planes(const View& x, const View& y) {
  ATHANOR_ASSERT(x.shape.rank() == 4 && y.shape.rank() == 4 && x.shape[0] == y.shape[0] &&
                 x.shape[1] == y.shape[1]);
  return {x.shape[0] * x.shape[1], x.shape[2], x.shape[3], y.shape[2], y.shape[3]};
}

// Calls fn(plane) for each plane, in parallel chunks of planes worth a thread.
template <typename Fn>
void for_each_plane(int64_t count, int64_t work_per_plane, Fn&& fn) {
  parallel_for(0, count,
               std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(work_per_plane, 1)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t plane = lo; plane < hi; ++plane) fn(plane);
               });
}

// Calls fn(T{}) for float32 or float64.
template <typename Fn>
void visit_floating(DType t, Fn&& fn) {
  if (t == kFloat32) {
    fn(float{});
  } else {
    ATHANOR_ASSERT(t == kFloat64);
    fn(double{});
  }
}

// The input rows [begin, end) of average-pool window `o` along one dimension, and the window's
// size clipped to the padded input (the divisor when padding counts).
struct AvgWindow {
  int64_t begin, end, padded_size;
};

AvgWindow avg_window(int64_t o, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  const int64_t start = o * stride - pad;
  const int64_t stop = std::min(start + kernel, in + pad);
  return {std::max<int64_t>(start, 0), std::min(stop, in), stop - start};
}

int64_t avg_divisor(const AvgWindow& h, const AvgWindow& w, bool count_include_pad) {
  return count_include_pad ? h.padded_size * w.padded_size : (h.end - h.begin) * (w.end - w.begin);
}

// Adaptive bins: rows floor(o * in / out) .. ceil((o + 1) * in / out) - 1.
int64_t bin_begin(int64_t o, int64_t in, int64_t out) { return o * in / out; }
int64_t bin_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

#if defined(__AVX2__)

// A plane's 2x2 windows (float32), eight at a time along a row: the same maximum and first
// position as the scalar loop below, from vector compares and blends. A row's last (short)
// vector reads through masks, so rows shorter than 8 windows (a 14x14 input) are vectors too.
// Returns whether any input read was NaN (the caller then redoes the plane).
bool max_pool_2x2_plane_avx2(const float* x, float* y, int64_t* indices, int64_t W, int64_t Ho,
                             int64_t Wo) {
  // Even and odd columns of 16 consecutive floats (lo, hi), in order: shuffle within lanes, then
  // swap the middle 64-bit quarters.
  auto split = [](__m256 lo, __m256 hi, __m256& even, __m256& odd) {
    even = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8));
    odd = _mm256_castpd_ps(_mm256_permute4x64_pd(
        _mm256_castps_pd(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1))), 0xD8));
  };
  const __m256 k_b = _mm256_castsi256_ps(_mm256_set1_epi32(1));
  const __m256 k_c = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(W)));
  const __m256 k_d = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(W + 1)));
  const __m256 zero = _mm256_setzero_ps();
  const __m256i lanes_lo = _mm256_setr_epi64x(0, 2, 4, 6),
                lanes_hi = _mm256_setr_epi64x(8, 10, 12, 14);
  __m256 unordered = zero;
  // Windows j .. j + 7 of row pair (r0, r1) from the 16 floats of each at 2j, stored to y and
  // indices from `at` on (with `at` the first window's input offset 2 i W + 2 j).
  auto windows = [&](int64_t at, __m256 r0_lo, __m256 r0_hi, __m256 r1_lo, __m256 r1_hi,
                     float* y_out, int64_t* i_out) {
    __m256 a, b, c, d;
    split(r0_lo, r0_hi, a, b);
    split(r1_lo, r1_hi, c, d);
    const __m256 m = _mm256_max_ps(_mm256_max_ps(a, b), _mm256_max_ps(c, d));
    // k = a == m ? 0 : b == m ? 1 : c == m ? W : W + 1, blended from the last choice back.
    __m256 k = _mm256_blendv_ps(k_d, k_c, _mm256_cmp_ps(c, m, _CMP_EQ_OQ));
    k = _mm256_blendv_ps(k, k_b, _mm256_cmp_ps(b, m, _CMP_EQ_OQ));
    k = _mm256_blendv_ps(k, zero, _mm256_cmp_ps(a, m, _CMP_EQ_OQ));
    const __m256i k32 = _mm256_castps_si256(k);
    const __m256i start = _mm256_set1_epi64x(at);
    _mm256_storeu_ps(y_out, m);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(i_out),
                        _mm256_add_epi64(_mm256_add_epi64(start, lanes_lo),
                                         _mm256_cvtepi32_epi64(_mm256_castsi256_si128(k32))));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(i_out + 4),
                        _mm256_add_epi64(_mm256_add_epi64(start, lanes_hi),
                                         _mm256_cvtepi32_epi64(_mm256_extracti128_si256(k32, 1))));
    unordered = _mm256_or_ps(unordered, _mm256_or_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q),
                                                     _mm256_cmp_ps(c, d, _CMP_UNORD_Q)));
  };
  const int64_t full = Wo / 8 * 8, n = Wo - full;  // n: windows in a row's short vector
  const __m256i lo = first_lanes(std::min<int64_t>(2 * n, 8)),
                hi = first_lanes(std::max<int64_t>(2 * n - 8, 0));
  alignas(32) float y_tail[8];
  alignas(32) int64_t i_tail[8];
  for (int64_t i = 0; i < Ho; ++i) {
    const float* r0 = x + 2 * i * W;
    const float* r1 = r0 + W;
    float* yr = y + i * Wo;
    int64_t* ir = indices + i * Wo;
    for (int64_t j = 0; j < full; j += 8) {
      const float *p0 = r0 + 2 * j, *p1 = r1 + 2 * j;
      windows(2 * i * W + 2 * j, _mm256_loadu_ps(p0), _mm256_loadu_ps(p0 + 8), _mm256_loadu_ps(p1),
              _mm256_loadu_ps(p1 + 8), yr + j, ir + j);
    }
    if (n == 0) continue;
    // The short vector's 8 - n extra lanes (computed from the masks' zeros) may land on later
    // rows of this plane, which overwrite them; where those rows are too few, in a buffer.
    const bool spill = (Ho - 1 - i) * Wo >= 8 - n;
    const float *p0 = r0 + 2 * full, *p1 = r1 + 2 * full;
    windows(2 * i * W + 2 * full, _mm256_maskload_ps(p0, lo), _mm256_maskload_ps(p0 + 8, hi),
            _mm256_maskload_ps(p1, lo), _mm256_maskload_ps(p1 + 8, hi), spill ? yr + full : y_tail,
            spill ? ir + full : i_tail);
    if (!spill) {
      for (int64_t j = 0; j < n; ++j) yr[full + j] = y_tail[j], ir[full + j] = i_tail[j];
    }
  }
  return _mm256_movemask_ps(unordered) != 0;
}
#endif

// One plane of max_pool2d: yc [Ho, Wo] and ic from xc [H, W].
template <typename T>
void max_pool_plane(const T* xc, T* yc, int64_t* ic, const Planes& g, const Pool2dParams& p) {
  const int64_t k0 = p.kernel_size[0], k1 = p.kernel_size[1];
  const int64_t s0 = p.stride[0], s1 = p.stride[1];
  const int64_t p0 = p.padding[0], p1 = p.padding[1];
  const int64_t d0 = p.dilation[0], d1 = p.dilation[1];
  // The usual 2x2 window with stride 2 and no padding: a straight loop over pairs of rows
  // (about 4x faster than the general one below). Same rule: the first maximum in row-major
  // window order, or the last NaN.
  const bool two_by_two = k0 == 2 && k1 == 2 && s0 == 2 && s1 == 2 && p0 == 0 && p1 == 0 &&
                          d0 == 1 && d1 == 1 && 2 * g.Ho <= g.H && 2 * g.Wo <= g.W;
  if (two_by_two) {
#if defined(__AVX2__)
    // A float32 plane in vectors; one that read a NaN is redone row by row below.
    if constexpr (std::is_same_v<T, float>) {
      if (!max_pool_2x2_plane_avx2(xc, yc, ic, g.W, g.Ho, g.Wo)) return;
    }
#endif
    for (int64_t i = 0; i < g.Ho; ++i) {
      const T* r0 = xc + 2 * i * g.W;
      const T* r1 = r0 + g.W;
      T* yr = yc + i * g.Wo;
      int64_t* ir = ic + i * g.Wo;
      const int64_t base = 2 * i * g.W, W = g.W;
      // Straight-line code: the maximum, then the first position holding it. NaN breaks both
      // (it compares false); a row with one is redone one window at a time below.
      int nan = 0;
      int64_t j = 0;
      for (; j < g.Wo; ++j) {
        const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
        const T ab = b > a ? b : a, cd = d > c ? d : c;
        const T m = cd > ab ? cd : ab;
        // The first of a, b, c, d equal to m, by 0/1 arithmetic: a branch on which one it
        // is would mispredict about half the time.
        const int64_t not_a = a != m, is_b = b == m, is_c = c == m;
        const int64_t k = not_a * (is_b + (1 - is_b) * (W + 1 - is_c));
        yr[j] = m;
        ir[j] = base + 2 * j + k;
        nan |= (a != a) | (b != b) | (c != c) | (d != d);
      }
      if (nan == 0) continue;
      for (j = 0; j < g.Wo; ++j) {
        T best = r0[2 * j];
        int64_t at = base + 2 * j;
        auto take = [&](T v, int64_t index) {
          if (v > best || v != v) best = v, at = index;
        };
        take(r0[2 * j + 1], base + 2 * j + 1);
        take(r1[2 * j], base + W + 2 * j);
        take(r1[2 * j + 1], base + W + 2 * j + 1);
        yr[j] = best;
        ir[j] = at;
      }
    }
    return;
  }
  for (int64_t i = 0; i < g.Ho; ++i) {
    int64_t h0 = i * s0 - p0;
    const int64_t h1 = std::min(h0 + (k0 - 1) * d0 + 1, g.H);
    while (h0 < 0) h0 += d0;
    for (int64_t j = 0; j < g.Wo; ++j) {
      int64_t w0 = j * s1 - p1;
      const int64_t w1 = std::min(w0 + (k1 - 1) * d1 + 1, g.W);
      while (w0 < 0) w0 += d1;
      T best = -std::numeric_limits<T>::infinity();
      int64_t at = h0 * g.W + w0;
      for (int64_t h = h0; h < h1; h += d0) {
        for (int64_t w = w0; w < w1; w += d1) {
          const T v = xc[h * g.W + w];
          if (v > best || std::isnan(v)) {
            best = v;
            at = h * g.W + w;
          }
        }
      }
      yc[i * g.Wo + j] = best;
      ic[i * g.Wo + j] = at;
    }
  }
}

// One plane of max_pool2d_backward: dxc [H, W] = 0, then dxc[ic[k]] += dyc[k].
template <typename T>
void max_pool_backward_plane(const T* dyc, const int64_t* ic, T* dxc, int64_t plane_size,
                             int64_t pooled_size) {
  std::fill(dxc, dxc + plane_size, T{0});
  for (int64_t k = 0; k < pooled_size; ++k) {
    // A window lying wholly in the padding (possible only with dilation) has no input.
    if (ic[k] >= 0 && ic[k] < plane_size) dxc[ic[k]] += dyc[k];
  }
}

}  // namespace

void max_pool2d_plane(const float* x, float* y, int64_t* indices, const Shape& x_plane,
                      const Shape& y_plane, const Pool2dParams& p) {
  max_pool_plane(x, y, indices, Planes{1, x_plane[0], x_plane[1], y_plane[0], y_plane[1]}, p);
}

void max_pool2d_backward_plane(const float* dy, const int64_t* indices, float* dx,
                               int64_t plane_size, int64_t pooled_size) {
  max_pool_backward_plane(dy, indices, dx, plane_size, pooled_size);
}

void max_pool2d(const View& x, const View& y, const View& indices, const Pool2dParams& p) {
  const Planes g = planes(x, y);
  ATHANOR_ASSERT(indices.dtype == kInt64 && indices.shape == y.shape);
  visit_floating(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data);
    T* yp = static_cast<T*>(y.data);
    auto* ip = static_cast<int64_t*>(indices.data);
    for_each_plane(g.count, g.Ho * g.Wo * p.kernel_size[0] * p.kernel_size[1], [&](int64_t plane) {
      max_pool_plane(xp + plane * g.H * g.W, yp + plane * g.Ho * g.Wo, ip + plane * g.Ho * g.Wo, g,
                     p);
    });
  });
}

void max_pool2d_backward(const View& dy, const View& indices, const View& dx) {
  const Planes g = planes(dx, dy);
  visit_floating(dx.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* dyp = static_cast<const T*>(dy.data);
    const auto* ip = static_cast<const int64_t*>(indices.data);
    T* dxp = static_cast<T*>(dx.data);
    for_each_plane(g.count, g.H * g.W + g.Ho * g.Wo, [&](int64_t plane) {
      max_pool_backward_plane(dyp + plane * g.Ho * g.Wo, ip + plane * g.Ho * g.Wo,
                              dxp + plane * g.H * g.W, g.H * g.W, g.Ho * g.Wo);
    });
  });
}

void avg_pool2d(const View& x, const View& y, const Pool2dParams& p) {
  const Planes g = planes(x, y);
  visit_floating(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data);
    T* yp = static_cast<T*>(y.data);
    for_each_plane(g.count, g.Ho * g.Wo * p.kernel_size[0] * p.kernel_size[1], [&](int64_t plane) {
      const T* xc = xp + plane * g.H * g.W;
      T* yc = yp + plane * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const AvgWindow wh = avg_window(i, g.H, p.kernel_size[0], p.stride[0], p.padding[0]);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const AvgWindow ww = avg_window(j, g.W, p.kernel_size[1], p.stride[1], p.padding[1]);
          double sum = 0;
          for (int64_t h = wh.begin; h < wh.end; ++h) {
            for (int64_t w = ww.begin; w < ww.end; ++w) sum += xc[h * g.W + w];
          }
          yc[i * g.Wo + j] =
              static_cast<T>(sum / static_cast<double>(avg_divisor(wh, ww, p.count_include_pad)));
        }
      }
    });
  });
}

void avg_pool2d_backward(const View& dy, const View& dx, const Pool2dParams& p) {
  const Planes g = planes(dx, dy);
  visit_floating(dx.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* dyp = static_cast<const T*>(dy.data);
    T* dxp = static_cast<T*>(dx.data);
    for_each_plane(
        g.count, g.H * g.W + g.Ho * g.Wo * p.kernel_size[0] * p.kernel_size[1], [&](int64_t plane) {
          T* dxc = dxp + plane * g.H * g.W;
          std::fill(dxc, dxc + g.H * g.W, T{0});
          const T* dyc = dyp + plane * g.Ho * g.Wo;
          for (int64_t i = 0; i < g.Ho; ++i) {
            const AvgWindow wh = avg_window(i, g.H, p.kernel_size[0], p.stride[0], p.padding[0]);
            for (int64_t j = 0; j < g.Wo; ++j) {
              const AvgWindow ww = avg_window(j, g.W, p.kernel_size[1], p.stride[1], p.padding[1]);
              // y = sum(window) / divisor, so each input in the window gets dy / divisor.
              const T share =
                  dyc[i * g.Wo + j] / static_cast<T>(avg_divisor(wh, ww, p.count_include_pad));
              for (int64_t h = wh.begin; h < wh.end; ++h) {
                for (int64_t w = ww.begin; w < ww.end; ++w) dxc[h * g.W + w] += share;
              }
            }
          }
        });
  });
}

void adaptive_avg_pool2d(const View& x, const View& y) {
  const Planes g = planes(x, y);
  visit_floating(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data);
    T* yp = static_cast<T*>(y.data);
    for_each_plane(g.count, g.H * g.W + g.Ho * g.Wo, [&](int64_t plane) {
      const T* xc = xp + plane * g.H * g.W;
      T* yc = yp + plane * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = bin_begin(i, g.H, g.Ho), h1 = bin_end(i, g.H, g.Ho);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = bin_begin(j, g.W, g.Wo), w1 = bin_end(j, g.W, g.Wo);
          double sum = 0;
          for (int64_t h = h0; h < h1; ++h) {
            for (int64_t w = w0; w < w1; ++w) sum += xc[h * g.W + w];
          }
          yc[i * g.Wo + j] = static_cast<T>(sum / static_cast<double>((h1 - h0) * (w1 - w0)));
        }
      }
    });
  });
}

void adaptive_avg_pool2d_backward(const View& dy, const View& dx) {
  const Planes g = planes(dx, dy);
  visit_floating(dx.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* dyp = static_cast<const T*>(dy.data);
    T* dxp = static_cast<T*>(dx.data);
    for_each_plane(g.count, g.H * g.W + g.Ho * g.Wo, [&](int64_t plane) {
      T* dxc = dxp + plane * g.H * g.W;
      std::fill(dxc, dxc + g.H * g.W, T{0});
      const T* dyc = dyp + plane * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = bin_begin(i, g.H, g.Ho), h1 = bin_end(i, g.H, g.Ho);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = bin_begin(j, g.W, g.Wo), w1 = bin_end(j, g.W, g.Wo);
          const T share = dyc[i * g.Wo + j] / static_cast<T>((h1 - h0) * (w1 - w0));
          for (int64_t h = h0; h < h1; ++h) {
            for (int64_t w = w0; w < w1; ++w) dxc[h * g.W + w] += share;
          }
        }
      }
    });
  });
}

}  // namespace athanor::cpu
