// src/backend/cpu/conv_reference.cpp: direct-loop 2-D convolution, forward and backward.
//
// N batch, C input channels (Cg per group), H x W input; O output channels (Og per group),
// kH x kW kernel, Ho x Wo output; s stride, p padding, d dilation. Forward:
//   y[n, o, i, j] = bias[o] + sum_{c, a, b} x[n, g Cg + c, i s0 - p0 + a d0, j s1 - p1 + b d1]
//                                          * w[o, c, a, b],      g = o / Og,
// with out-of-range x taken as 0. Its gradients are the same sum read the other ways round:
//   dx[n, g Cg + c, ih, iw] = sum over (o in group g, a, b, i, j) landing on (ih, iw) of dy * w,
//   dw[o, c, a, b] = sum_{n, i, j} dy[n, o, i, j] * x[n, g Cg + c, ...],  dbias[o] = sum dy[:, o].
// Each loop nest owns whole output planes (or whole weight rows), so one thread accumulates every
// element in a fixed order.
#include "backend/cpu/conv_reference.h"

#include <algorithm>
#include <utility>

#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

struct Geometry {
  int64_t N, C, H, W;      // input
  int64_t O, kH, kW;       // weight
  int64_t Ho, Wo;          // output
  int64_t G, Cg, Og;       // groups and channels per group
  int64_t s0, s1, p0, p1;  // stride, padding
  int64_t d0, d1;          // dilation
};

Geometry geometry(const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p) {
  ATHANOR_ASSERT(x.rank() == 4 && w.rank() == 4 && y.rank() == 4);
  const int64_t G = p.groups;
  ATHANOR_ASSERT(G > 0 && x[1] % G == 0 && w[0] % G == 0 && w[1] * G == x[1]);
  ATHANOR_ASSERT(y[0] == x[0] && y[1] == w[0]);
  return {x[0],         x[1],          x[2],         x[3],        w[0],
          w[2],         w[3],          y[2],         y[3],        G,
          x[1] / G,     w[0] / G,      p.stride[0],  p.stride[1], p.padding[0],
          p.padding[1], p.dilation[0], p.dilation[1]};
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The output positions [lo, hi) whose kernel tap at offset `tap` (= k * dilation) reads inside
// the input: 0 <= o * stride - pad + tap < in.
std::pair<int64_t, int64_t> tap_range(int64_t in, int64_t out, int64_t stride, int64_t pad,
                                      int64_t tap) {
  const int64_t lo = std::max<int64_t>(0, -floor_div(tap - pad, stride));
  const int64_t hi = std::min(out, floor_div(in - 1 + pad - tap, stride) + 1);
  return {lo, std::max(lo, hi)};
}

// Items (planes) per thread chunk: enough that a chunk is worth a thread.
int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(work_per_item, 1));
}

template <typename T>
void forward(const View& x, const View& w, const View* bias, const View& y, const Geometry& g) {
  const T* xp = static_cast<const T*>(x.data);
  const T* wp = static_cast<const T*>(w.data);
  const T* bp = bias ? static_cast<const T*>(bias->data) : nullptr;
  T* yp = static_cast<T*>(y.data);
  parallel_for(0, g.N * g.O, grain_for(g.Ho * g.Wo * g.Cg * g.kH * g.kW),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t no = lo; no < hi; ++no) {
                   const int64_t n = no / g.O, o = no % g.O, group = o / g.Og;
                   T* yo = yp + no * g.Ho * g.Wo;
                   std::fill(yo, yo + g.Ho * g.Wo, bp ? bp[o] : T{0});
                   for (int64_t c = 0; c < g.Cg; ++c) {
                     const T* xc = xp + (n * g.C + group * g.Cg + c) * g.H * g.W;
                     const T* wc = wp + (o * g.Cg + c) * g.kH * g.kW;
                     for (int64_t a = 0; a < g.kH; ++a) {
                       const auto [i0, i1] = tap_range(g.H, g.Ho, g.s0, g.p0, a * g.d0);
                       for (int64_t b = 0; b < g.kW; ++b) {
                         const auto [j0, j1] = tap_range(g.W, g.Wo, g.s1, g.p1, b * g.d1);
                         const T wv = wc[a * g.kW + b];
                         for (int64_t i = i0; i < i1; ++i) {
                           const int64_t at = (i * g.s0 - g.p0 + a * g.d0) * g.W - g.p1 + b * g.d1;
                           T* yr = yo + i * g.Wo;
                           for (int64_t j = j0; j < j1; ++j) yr[j] += wv * xc[at + j * g.s1];
                         }
                       }
                     }
                   }
                 }
               });
}

template <typename T>
void backward_data(const View& dy, const View& w, const View& dx, const Geometry& g) {
  const T* dyp = static_cast<const T*>(dy.data);
  const T* wp = static_cast<const T*>(w.data);
  T* dxp = static_cast<T*>(dx.data);
  parallel_for(0, g.N * g.C, grain_for(g.Ho * g.Wo * g.Og * g.kH * g.kW),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t nc = lo; nc < hi; ++nc) {
                   const int64_t n = nc / g.C, c = nc % g.C, group = c / g.Cg, cl = c % g.Cg;
                   T* dxc = dxp + nc * g.H * g.W;
                   std::fill(dxc, dxc + g.H * g.W, T{0});
                   for (int64_t o = group * g.Og; o < (group + 1) * g.Og; ++o) {
                     const T* dyo = dyp + (n * g.O + o) * g.Ho * g.Wo;
                     const T* wc = wp + (o * g.Cg + cl) * g.kH * g.kW;
                     for (int64_t a = 0; a < g.kH; ++a) {
                       const auto [i0, i1] = tap_range(g.H, g.Ho, g.s0, g.p0, a * g.d0);
                       for (int64_t b = 0; b < g.kW; ++b) {
                         const auto [j0, j1] = tap_range(g.W, g.Wo, g.s1, g.p1, b * g.d1);
                         const T wv = wc[a * g.kW + b];
                         for (int64_t i = i0; i < i1; ++i) {
                           const int64_t at = (i * g.s0 - g.p0 + a * g.d0) * g.W - g.p1 + b * g.d1;
                           const T* dyr = dyo + i * g.Wo;
                           for (int64_t j = j0; j < j1; ++j) dxc[at + j * g.s1] += wv * dyr[j];
                         }
                       }
                     }
                   }
                 }
               });
}

template <typename T>
void backward_weights(const View& x, const View& dy, const View& dw, const View* dbias,
                      const Geometry& g) {
  const T* xp = static_cast<const T*>(x.data);
  const T* dyp = static_cast<const T*>(dy.data);
  T* dwp = static_cast<T*>(dw.data);
  T* dbp = dbias ? static_cast<T*>(dbias->data) : nullptr;
  parallel_for(
      0, g.O, grain_for(g.N * g.Ho * g.Wo * g.Cg * g.kH * g.kW), [&](int64_t lo, int64_t hi) {
        for (int64_t o = lo; o < hi; ++o) {
          const int64_t group = o / g.Og;
          for (int64_t c = 0; c < g.Cg; ++c) {
            for (int64_t a = 0; a < g.kH; ++a) {
              const auto [i0, i1] = tap_range(g.H, g.Ho, g.s0, g.p0, a * g.d0);
              for (int64_t b = 0; b < g.kW; ++b) {
                const auto [j0, j1] = tap_range(g.W, g.Wo, g.s1, g.p1, b * g.d1);
                T acc{0};
                for (int64_t n = 0; n < g.N; ++n) {
                  const T* xc = xp + (n * g.C + group * g.Cg + c) * g.H * g.W;
                  const T* dyo = dyp + (n * g.O + o) * g.Ho * g.Wo;
                  for (int64_t i = i0; i < i1; ++i) {
                    const int64_t at = (i * g.s0 - g.p0 + a * g.d0) * g.W - g.p1 + b * g.d1;
                    const T* dyr = dyo + i * g.Wo;
                    for (int64_t j = j0; j < j1; ++j) acc += dyr[j] * xc[at + j * g.s1];
                  }
                }
                dwp[((o * g.Cg + c) * g.kH + a) * g.kW + b] = acc;
              }
            }
          }
          if (dbp) {
            T acc{0};
            for (int64_t n = 0; n < g.N; ++n) {
              const T* dyo = dyp + (n * g.O + o) * g.Ho * g.Wo;
              for (int64_t k = 0; k < g.Ho * g.Wo; ++k) acc += dyo[k];
            }
            dbp[o] = acc;
          }
        }
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

}  // namespace

void conv2d_reference(const View& x, const View& w, const View* bias, const View& y,
                      const Conv2dParams& p) {
  const Geometry g = geometry(x.shape, w.shape, y.shape, p);
  visit_floating(x.dtype, [&](auto tag) { forward<decltype(tag)>(x, w, bias, y, g); });
}

void conv2d_backward_data_reference(const View& dy, const View& w, const View& dx,
                                    const Conv2dParams& p) {
  const Geometry g = geometry(dx.shape, w.shape, dy.shape, p);
  visit_floating(dy.dtype, [&](auto tag) { backward_data<decltype(tag)>(dy, w, dx, g); });
}

void conv2d_backward_weights_reference(const View& x, const View& dy, const View& dw,
                                       const View* dbias, const Conv2dParams& p) {
  const Geometry g = geometry(x.shape, dw.shape, dy.shape, p);
  visit_floating(x.dtype, [&](auto tag) { backward_weights<decltype(tag)>(x, dy, dw, dbias, g); });
}

}  // namespace athanor::cpu
