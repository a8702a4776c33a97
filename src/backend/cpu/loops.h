// src/backend/cpu/loops.h: strided N-operand iteration, shared by the elementwise CPU kernels.
//
// A loop runs over the common shape of N views (operand 0 is the output). Dimensions of size 1
// are dropped and adjacent dimensions merged when every operand's strides allow it, so a
// contiguous tensor becomes one flat run. The body receives byte pointers, byte strides and the
// length of the innermost run, and dispatches on whether the strides are unit (vectorizable).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

#include "backend/kernels.h"

namespace athanor::cpu {

using backend::View;

/// Elements below which a loop stays on one thread.
inline constexpr int64_t kElementwiseGrain = 32768;

template <int N>
struct StridedLoop {
  Shape shape;
  std::array<Shape, N> strides;  // bytes
  std::array<char*, N> base{};
};

template <int N>
StridedLoop<N> make_loop(const std::array<const View*, N>& views) {
  StridedLoop<N> loop;
  const Shape& shape = views[0]->shape;
  for (int k = 0; k < N; ++k) {
    ATHANOR_ASSERT(views[k]->shape == shape);
    loop.base[k] = static_cast<char*>(views[k]->data);
  }
  // Keep non-unit dims, outermost first, merging a dim into the previous kept one when possible.
  for (int d = 0; d < shape.rank(); ++d) {
    if (shape[d] == 1) continue;
    const int r = loop.shape.rank();
    bool merge = r > 0;
    for (int k = 0; k < N && merge; ++k) {
      const int64_t s = views[k]->strides[d] * itemsize(views[k]->dtype);
      merge = loop.strides[k][r - 1] == s * shape[d];
    }
    if (merge) {
      loop.shape[r - 1] *= shape[d];
      for (int k = 0; k < N; ++k)
        loop.strides[k][r - 1] = views[k]->strides[d] * itemsize(views[k]->dtype);
    } else {
      loop.shape.push_back(shape[d]);
      for (int k = 0; k < N; ++k)
        loop.strides[k].push_back(views[k]->strides[d] * itemsize(views[k]->dtype));
    }
  }
  return loop;
}

/// Calls body(ptrs, inner_strides, n) over every innermost run of the loop. A large loop is split
/// into equal chunks of elements (not of rows), so a contiguous tensor, which is one long run, is
/// shared between threads too; a chunk may start or end inside a run.
template <int N, typename Body>
void for_each_run(const StridedLoop<N>& loop, Body&& body, int64_t grain = kElementwiseGrain) {
  const int rank = loop.shape.rank();
  if (rank == 0) {
    std::array<int64_t, N> zero{};
    body(loop.base, zero, int64_t{1});
    return;
  }
  const int64_t inner = loop.shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= loop.shape[d];
  if (inner == 0 || rows == 0) return;
  std::array<int64_t, N> inner_strides;
  for (int k = 0; k < N; ++k) inner_strides[k] = loop.strides[k][rank - 1];

  parallel_for(0, rows * inner, std::max<int64_t>(1, grain), [&](int64_t lo, int64_t hi) {
    // Decompose the row of element lo into a multi-index, then advance it like an odometer.
    std::array<int64_t, Shape::kMaxDims> idx{};
    std::array<char*, N> row_ptr = loop.base;
    int64_t rem = lo / inner;
    for (int d = rank - 2; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = rem % loop.shape[d];
      rem /= loop.shape[d];
      for (int k = 0; k < N; ++k) row_ptr[k] += idx[static_cast<size_t>(d)] * loop.strides[k][d];
    }
    int64_t col = lo % inner;
    for (int64_t pos = lo; pos < hi;) {
      const int64_t n = std::min(inner - col, hi - pos);
      std::array<char*, N> ptr = row_ptr;
      for (int k = 0; k < N; ++k) ptr[k] += col * inner_strides[k];
      body(ptr, inner_strides, n);
      pos += n;
      col = 0;
      if (pos == hi) break;  // the chunk ends here: no next row to step to
      for (int d = rank - 2; d >= 0; --d) {
        auto& i = idx[static_cast<size_t>(d)];
        for (int k = 0; k < N; ++k) row_ptr[k] += loop.strides[k][d];
        if (++i < loop.shape[d]) break;
        for (int k = 0; k < N; ++k) row_ptr[k] -= i * loop.strides[k][d];
        i = 0;
      }
    }
  });
}

/// y[i] = f(x[i]) over one run, with a unit-stride fast path the compiler vectorizes.
template <typename Out, typename In, typename F>
inline void unary_run(const std::array<char*, 2>& p, const std::array<int64_t, 2>& s, int64_t n,
                      F&& f) {
  auto* y = reinterpret_cast<Out*>(p[0]);
  const auto* x = reinterpret_cast<const In*>(p[1]);
  if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
  } else if (s[0] == sizeof(Out) && s[1] == 0) {
    const Out v = f(x[0]);
    for (int64_t i = 0; i < n; ++i) y[i] = v;
  } else {
    for (int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]));
    }
  }
}

/// out[i] = f(a[i], b[i]) over one run, with fast paths for unit strides and a broadcast scalar.
template <typename Out, typename In, typename F>
inline void binary_run(const std::array<char*, 3>& p, const std::array<int64_t, 3>& s, int64_t n,
                       F&& f) {
  auto* out = reinterpret_cast<Out*>(p[0]);
  const auto* a = reinterpret_cast<const In*>(p[1]);
  const auto* b = reinterpret_cast<const In*>(p[2]);
  constexpr int64_t so = sizeof(Out), si = sizeof(In);
  if (s[0] == so && s[1] == si && s[2] == si) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (s[0] == so && s[1] == si && s[2] == 0) {
    const In bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (s[0] == so && s[1] == 0 && s[2] == si) {
    const In av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      *reinterpret_cast<Out*>(p[0] + i * s[0]) = f(*reinterpret_cast<const In*>(p[1] + i * s[1]),
                                                   *reinterpret_cast<const In*>(p[2] + i * s[2]));
    }
  }
}

}  // namespace athanor::cpu
