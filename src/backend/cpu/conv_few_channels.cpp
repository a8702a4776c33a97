// src/backend/cpu/conv_few_channels.cpp: the first layer's convolution (1 to 4 input channels,
// stride 1) as direct AVX2 loops over a zero-padded copy of the input.
//
// On the benchmark CNN (batch 64, 1 -> 32 channels, 28x28, 3x3) oneDNN's direct kernel ran the
// forward pass at about 29 GFLOP/s plus a reorder of its 6.4 MB output back to NCHW, and its
// weight gradient (GEMM-based, the faster of its two) at about 7 GFLOP/s on one thread. Here an
// output row is a few 8-wide vectors, each the sum of C * KH * KW shifted input rows times a
// broadcast weight; the weight gradient is the same loop with the products summed into KH * KW
// accumulators instead.
//
// Followed by max pooling (conv2d_max_pool2d), a plane is convolved into an L1-sized buffer and
// pooled from there, and its gradient rebuilt there from the pooled one: the 6.4 MB convolution
// output of the benchmark's first layer is never written, read back, or zeroed for the scatter.
#include "backend/cpu/conv_few_channels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <athanor/core/parallel.h>

#include "backend/cpu/avx2_lanes.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {

#if defined(__AVX2__) && defined(__FMA__)

namespace {

constexpr int64_t kMostChannels = 4;

struct Dims {
  int64_t N, C, H, W, O, KH, KW, Ho, Wo;
};

Dims dims(const View& x, const View& w, const Conv2dParams& p) {
  const int64_t H = x.shape[2], W = x.shape[3], KH = w.shape[2], KW = w.shape[3];
  return {x.shape[0],
          x.shape[1],
          H,
          W,
          w.shape[0],
          KH,
          KW,
          H + 2 * p.padding[0] - KH + 1,
          W + 2 * p.padding[1] - KW + 1};
}

// x's planes with the padding written as zeros around them and 8 more zero columns on the right,
// so that an 8-wide load anywhere in an output row's window stays inside the buffer.
struct Padded {
  const float* data;
  int64_t rows, row;  // per plane; floats per row
  const float* plane(int64_t i) const { return data + i * rows * row; }
};

// The calling thread's padded copy of x (reused between calls; read by every thread).
Padded pad(const View& x, const Conv2dParams& p) {
  thread_local std::vector<float> buffer;
  const int64_t planes = x.shape[0] * x.shape[1], H = x.shape[2], W = x.shape[3];
  const int64_t ph = p.padding[0], pw = p.padding[1];
  const Padded out{nullptr, H + 2 * ph, W + 2 * pw + 8};
  buffer.assign(static_cast<size_t>(planes * out.rows * out.row), 0.0f);
  const auto* src = static_cast<const float*>(x.data);
  float* dst = buffer.data();
  parallel_for(0, planes, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, H * W)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t i = lo; i < hi; ++i) {
                   for (int64_t h = 0; h < H; ++h) {
                     std::memcpy(dst + (i * out.rows + h + ph) * out.row + pw,
                                 src + (i * H + h) * W, static_cast<size_t>(W) * sizeof(float));
                   }
                 }
               });
  return {buffer.data(), out.rows, out.row};
}

// Stores lanes [0, n) of v, n < 8; the lanes past them are dropped. (A masked store is microcoded
// and slow on AMD's Zen: it took a third of the forward loop's time.)
void store_first(float* p, __m256 v, int64_t n) {
  __m128 part = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(p, part);
    p += 4, n -= 4;
    part = _mm256_extractf128_ps(v, 1);
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), part);
    p += 2, n -= 2;
    part = _mm_movehl_ps(part, part);
  }
  if (n == 1) _mm_store_ss(p, part);
}

// 8 floats at p, or with `mask` only the lanes it sets (the others read as 0).
struct FullLoad {
  __m256 operator()(const float* p) const { return _mm256_loadu_ps(p); }
};
struct MaskedLoad {
  __m256i mask;
  __m256 operator()(const float* p) const { return _mm256_maskload_ps(p, mask); }
};

// One output vector: `init` plus the KH * KW taps of the rows from xr on, each kernel row's taps
// summed apart (KH short chains of dependent FMAs rather than one long one), then added in order.
template <int KH, int KW>
__m256 taps(const __m256 (&wv)[KH][KW], const float* xr, int64_t row, __m256 init) {
  __m256 sum[KH];
  for (int kh = 0; kh < KH; ++kh) {
    sum[kh] = kh == 0 ? init : _mm256_setzero_ps();
    for (int kw = 0; kw < KW; ++kw) {
      sum[kh] = _mm256_fmadd_ps(wv[kh][kw], _mm256_loadu_ps(xr + kh * row + kw), sum[kh]);
    }
  }
  for (int kh = 1; kh < KH; ++kh) sum[0] = _mm256_add_ps(sum[0], sum[kh]);
  return sum[0];
}

// Output plane (n, o): y = bias + the sum over channels and taps, one 8-wide vector at a time.
template <int KH, int KW>
void forward_plane(const Dims& d, const Padded& x, int64_t n, const float* w, float bias,
                   float* y) {
  const int64_t full = d.Wo / 8 * 8;
  const MaskedLoad tail{first_lanes(d.Wo - full)};
  for (int64_t c = 0; c < d.C; ++c) {
    __m256 wv[KH][KW];
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) wv[kh][kw] = _mm256_set1_ps(w[(c * KH + kh) * KW + kw]);
    const float* xc = x.plane(n * d.C + c);
    for (int64_t h = 0; h < d.Ho; ++h) {
      float* yr = y + h * d.Wo;
      const float* xr = xc + h * x.row;
      for (int64_t j = 0; j < full; j += 8) {
        const __m256 init = c == 0 ? _mm256_set1_ps(bias) : _mm256_loadu_ps(yr + j);
        _mm256_storeu_ps(yr + j, taps(wv, xr + j, x.row, init));
      }
      if (full < d.Wo) {
        const __m256 init = c == 0 ? _mm256_set1_ps(bias) : tail(yr + full);
        store_first(yr + full, taps(wv, xr + full, x.row, init), d.Wo - full);
      }
    }
  }
}

// acc[kh][kw] += g * the tap (kh, kw) of the rows from xr on.
template <int KH, int KW, typename Load>
void accumulate(__m256 (&acc)[KH][KW], __m256 g, const float* xr, int64_t row, Load load) {
  for (int kh = 0; kh < KH; ++kh) {
    for (int kw = 0; kw < KW; ++kw) {
      acc[kh][kw] = _mm256_fmadd_ps(g, load(xr + kh * row + kw), acc[kh][kw]);
    }
  }
}

// The KH * KW weight gradients of (output channel o, input channel c), summed over the batch,
// and with kBias the bias gradient of o (the sum of its dy planes) from the same loads of dy.
// The last vector of a row loads dy and x through the same mask, so lanes past the row add
// 0 * 0 (never 0 * a NaN of the next column).
template <int KH, int KW, bool kBias, typename DyPlane>
void weight_gradient(const Dims& d, const Padded& x, const DyPlane& dy_plane, int64_t o, int64_t c,
                     float* dw, float* dbias) {
  const int64_t full = d.Wo / 8 * 8;
  const MaskedLoad tail{first_lanes(d.Wo - full)};
  __m256 acc[KH][KW];
  for (int kh = 0; kh < KH; ++kh)
    for (int kw = 0; kw < KW; ++kw) acc[kh][kw] = _mm256_setzero_ps();
  __m256 bias = _mm256_setzero_ps();
  for (int64_t n = 0; n < d.N; ++n) {
    const float* dp = dy_plane(n, o);
    const float* xc = x.plane(n * d.C + c);
    for (int64_t h = 0; h < d.Ho; ++h) {
      const float* gr = dp + h * d.Wo;
      const float* xr = xc + h * x.row;
      for (int64_t j = 0; j < full; j += 8) {
        const __m256 g = _mm256_loadu_ps(gr + j);
        accumulate(acc, g, xr + j, x.row, FullLoad{});
        if constexpr (kBias) bias = _mm256_add_ps(bias, g);
      }
      if (full < d.Wo) {
        const __m256 g = tail(gr + full);
        accumulate(acc, g, xr + full, x.row, tail);
        if constexpr (kBias) bias = _mm256_add_ps(bias, g);
      }
    }
  }
  for (int kh = 0; kh < KH; ++kh)
    for (int kw = 0; kw < KW; ++kw) dw[kh * KW + kw] = lane_sum(acc[kh][kw]);
  if constexpr (kBias) *dbias = lane_sum(bias);
}

// Calls fn.template operator()<KH, KW>() for the kernel size.
template <typename Fn>
void visit_kernel(const Dims& d, Fn&& fn) {
  if (d.KH == 3 && d.KW == 3) {
    fn.template operator()<3, 3>();
  } else if (d.KH == 5 && d.KW == 5) {
    fn.template operator()<5, 5>();
  } else {
    ATHANOR_ASSERT(d.KH == 7 && d.KW == 7);
    fn.template operator()<7, 7>();
  }
}

}  // namespace

bool few_channels_applies(const View& x, const View& w, const Conv2dParams& p) {
  const int64_t k = w.shape[2];
  return x.dtype == kFloat32 && p.groups == 1 && p.stride == std::array<int64_t, 2>{1, 1} &&
         p.dilation == std::array<int64_t, 2>{1, 1} && x.shape[1] >= 1 &&
         x.shape[1] <= kMostChannels && w.shape[3] == k && (k == 3 || k == 5 || k == 7);
}

void conv2d_few_channels(const View& x, const View& w, const View* bias, const View& y,
                         const Conv2dParams& p) {
  const Dims d = dims(x, w, p);
  const Padded padded = pad(x, p);
  const auto* wp = static_cast<const float*>(w.data);
  const auto* bp = bias ? static_cast<const float*>(bias->data) : nullptr;
  auto* yp = static_cast<float*>(y.data);
  const int64_t work = d.Ho * d.Wo * d.C * d.KH * d.KW;
  visit_kernel(d, [&]<int KH, int KW>() {
    parallel_for(0, d.N * d.O, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, work)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t i = lo; i < hi; ++i) {
                     const int64_t n = i / d.O, o = i % d.O;
                     forward_plane<KH, KW>(d, padded, n, wp + o * d.C * KH * KW, bp ? bp[o] : 0.0f,
                                           yp + i * d.Ho * d.Wo);
                   }
                 });
  });
}

namespace {

// The weight (and bias) gradients, with dy_plane(n, o) the dy plane of sample n and output
// channel o (valid until the next call on the same thread).
template <typename DyPlane>
void weight_gradients(const Dims& d, const Padded& x, const DyPlane& dy_plane, float* dwp,
                      float* dbp) {
  visit_kernel(d, [&]<int KH, int KW>() {
    parallel_for(0, d.O * d.C, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        const int64_t o = i / d.C, c = i % d.C;
        if (dbp && c == 0) {
          weight_gradient<KH, KW, true>(d, x, dy_plane, o, c, dwp + i * KH * KW, dbp + o);
        } else {
          weight_gradient<KH, KW, false>(d, x, dy_plane, o, c, dwp + i * KH * KW, nullptr);
        }
      }
    });
  });
}

}  // namespace

void conv2d_backward_weights_few_channels(const View& x, const View& dy, const View& dw,
                                          const View* dbias, const Conv2dParams& p) {
  const Dims d = dims(x, dw, p);
  const Padded padded = pad(x, p);
  const auto* dyp = static_cast<const float*>(dy.data);
  weight_gradients(
      d, padded, [&](int64_t n, int64_t o) { return dyp + (n * d.O + o) * d.Ho * d.Wo; },
      static_cast<float*>(dw.data), dbias ? static_cast<float*>(dbias->data) : nullptr);
}

bool conv2d_max_pool2d_few_channels(const View& x, const View& w, const View* bias, const View& y,
                                    const View& indices, const Conv2dParams& cp,
                                    const Pool2dParams& pp) {
  if (!few_channels_applies(x, w, cp)) return false;
  const Dims d = dims(x, w, cp);
  const Padded padded = pad(x, cp);
  const auto* wp = static_cast<const float*>(w.data);
  const auto* bp = bias ? static_cast<const float*>(bias->data) : nullptr;
  auto* yp = static_cast<float*>(y.data);
  auto* ip = static_cast<int64_t*>(indices.data);
  const Shape conv_plane{d.Ho, d.Wo}, pooled_plane{y.shape[2], y.shape[3]};
  const int64_t pooled = pooled_plane.numel();
  const int64_t work = d.Ho * d.Wo * d.C * d.KH * d.KW;
  visit_kernel(d, [&]<int KH, int KW>() {
    parallel_for(0, d.N * d.O, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, work)),
                 [&](int64_t lo, int64_t hi) {
                   // One convolution plane at a time, pooled while it is in the L1 cache.
                   thread_local std::vector<float> plane;
                   plane.resize(static_cast<size_t>(d.Ho * d.Wo));
                   for (int64_t i = lo; i < hi; ++i) {
                     const int64_t n = i / d.O, o = i % d.O;
                     forward_plane<KH, KW>(d, padded, n, wp + o * d.C * KH * KW, bp ? bp[o] : 0.0f,
                                           plane.data());
                     max_pool2d_plane(plane.data(), yp + i * pooled, ip + i * pooled, conv_plane,
                                      pooled_plane, pp);
                   }
                 });
  });
  return true;
}

bool conv2d_max_pool2d_backward_weights_few_channels(const View& x, const View& dy,
                                                     const View& indices, const View& dw,
                                                     const View* dbias, const Conv2dParams& p) {
  if (!few_channels_applies(x, dw, p)) return false;
  const Dims d = dims(x, dw, p);
  const Padded padded = pad(x, p);
  const auto* dyp = static_cast<const float*>(dy.data);
  const auto* ip = static_cast<const int64_t*>(indices.data);
  const int64_t pooled = dy.shape[2] * dy.shape[3];
  // The convolution's dy plane, rebuilt from the pooled one as max_pool2d_backward builds it.
  auto dy_plane = [&](int64_t n, int64_t o) {
    thread_local std::vector<float> plane;
    plane.resize(static_cast<size_t>(d.Ho * d.Wo));
    const int64_t at = (n * d.O + o) * pooled;
    max_pool2d_backward_plane(dyp + at, ip + at, plane.data(), d.Ho * d.Wo, pooled);
    return static_cast<const float*>(plane.data());
  };
  weight_gradients(d, padded, dy_plane, static_cast<float*>(dw.data),
                   dbias ? static_cast<float*>(dbias->data) : nullptr);
  return true;
}

#else  // without AVX2 and FMA oneDNN takes every convolution

bool conv2d_max_pool2d_few_channels(const View&, const View&, const View*, const View&, const View&,
                                    const Conv2dParams&, const Pool2dParams&) {
  return false;
}
bool conv2d_max_pool2d_backward_weights_few_channels(const View&, const View&, const View&,
                                                     const View&, const View*,
                                                     const Conv2dParams&) {
  return false;
}

bool few_channels_applies(const View&, const View&, const Conv2dParams&) { return false; }
void conv2d_few_channels(const View&, const View&, const View*, const View&, const Conv2dParams&) {
  ATHANOR_ASSERT(false);
}
void conv2d_backward_weights_few_channels(const View&, const View&, const View&, const View*,
                                          const Conv2dParams&) {
  ATHANOR_ASSERT(false);
}

#endif

}  // namespace athanor::cpu
