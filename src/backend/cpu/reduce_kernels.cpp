// src/backend/cpu/reduce_kernels.cpp: sum, max and min over a block of dimensions on the CPU.
//
// x is viewed as [O, R, I]: O outer (kept) elements, R reduced, I inner (kept). Every output
// element is computed by one thread in a fixed order, and very long full reductions are split into
// chunks of a fixed size combined in order, so results do not depend on the thread count.
// Floating sums accumulate in double; integer sums in int64.
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

constexpr int64_t kInnerBlock = 256;
constexpr int64_t kChunk = 32768;

template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double,
                               std::conditional_t<std::is_same_v<T, bool>, int64_t, T>>;

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return false;
}

// Extreme of x[0], x[stride], ... x[(n-1)*stride]: value and position; NaN wins at first sight.
template <typename T, bool kMax>
std::pair<T, int64_t> extreme(const T* x, int64_t n, int64_t stride) {
  T best = x[0];
  int64_t at = 0;
  if (is_nan(best)) return {best, 0};
  for (int64_t r = 1; r < n; ++r) {
    const T v = x[r * stride];
    if (is_nan(v)) return {v, r};
    if (kMax ? v > best : v < best) best = v, at = r;
  }
  return {best, at};
}

template <typename T>
Acc<T> sum_run(const T* x, int64_t n) {
  Acc<T> lanes[8] = {};
  int64_t r = 0;
  for (; r + 8 <= n; r += 8)
    for (int l = 0; l < 8; ++l) lanes[l] += static_cast<Acc<T>>(x[r + l]);
  Acc<T> total = 0;
  for (; r < n; ++r) total += static_cast<Acc<T>>(x[r]);
  for (int l = 0; l < 8; ++l) total += lanes[l];
  return total;
}

// dst[i] = sum over r < R of x[r * I + i], for i < n: each in one sequential sum over r. Strips
// of kRegisterBlock columns keep their sums in registers for the whole of r (an array indexed by
// a run-time bound stays in memory: a load and a store per element and row).
template <typename T>
void sum_columns(const T* x, int64_t R, int64_t I, int64_t n, T* dst) {
  constexpr int64_t kRegisterBlock = 16;
  int64_t i0 = 0;
  for (; i0 + kRegisterBlock <= n; i0 += kRegisterBlock) {
    Acc<T> acc[kRegisterBlock] = {};
    for (int64_t r = 0; r < R; ++r) {
      const T* src = x + r * I + i0;
      for (int64_t i = 0; i < kRegisterBlock; ++i) acc[i] += static_cast<Acc<T>>(src[i]);
    }
    for (int64_t i = 0; i < kRegisterBlock; ++i) dst[i0 + i] = static_cast<T>(acc[i]);
  }
  for (int64_t i = i0; i < n; ++i) {
    Acc<T> acc = 0;
    for (int64_t r = 0; r < R; ++r) acc += static_cast<Acc<T>>(x[r * I + i]);
    dst[i] = static_cast<T>(acc);
  }
}

template <typename T>
void reduce_typed(ReduceOp op, const T* x, int64_t O, int64_t R, int64_t I, T* out,
                  int64_t* indices) {
  const bool is_sum = op == ReduceOp::kSum;
  if (O * I == 1 && R > 2 * kChunk) {
    // One long reduction: fixed chunks in parallel, combined in order.
    const int64_t chunks = (R + kChunk - 1) / kChunk;
    std::vector<Acc<T>> sums(static_cast<size_t>(chunks));
    std::vector<std::pair<T, int64_t>> ext(static_cast<size_t>(chunks));
    parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) {
        const int64_t b = c * kChunk, n = std::min(kChunk, R - b);
        if (is_sum) {
          sums[static_cast<size_t>(c)] = sum_run(x + b, n);
        } else {
          auto e =
              op == ReduceOp::kMax ? extreme<T, true>(x + b, n, 1) : extreme<T, false>(x + b, n, 1);
          ext[static_cast<size_t>(c)] = {e.first, e.second + b};
        }
      }
    });
    if (is_sum) {
      Acc<T> total = 0;
      for (auto s : sums) total += s;
      out[0] = static_cast<T>(total);
      return;
    }
    auto best = ext[0];
    for (size_t c = 1; c < ext.size() && !is_nan(best.first); ++c) {
      const auto& e = ext[c];
      if (is_nan(e.first) || (op == ReduceOp::kMax ? e.first > best.first : e.first < best.first))
        best = e;
    }
    out[0] = best.first;
    if (indices) indices[0] = best.second;
    return;
  }

  if (I == 1) {
    parallel_for(0, O, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(R, 1)),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t o = lo; o < hi; ++o) {
                     const T* row = x + o * R;
                     if (is_sum) {
                       out[o] = static_cast<T>(sum_run(row, R));
                     } else {
                       auto e = op == ReduceOp::kMax ? extreme<T, true>(row, R, 1)
                                                     : extreme<T, false>(row, R, 1);
                       out[o] = e.first;
                       if (indices) indices[o] = e.second;
                     }
                   }
                 });
    return;
  }

  // I > 1: accumulate blocks of inner elements across r, so reads stay contiguous.
  const int64_t blocks = (I + kInnerBlock - 1) / kInnerBlock;
  parallel_for(0, O * blocks, std::max<int64_t>(1, kElementwiseGrain / (R * kInnerBlock)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t job = lo; job < hi; ++job) {
                   const int64_t o = job / blocks, i0 = (job % blocks) * kInnerBlock;
                   const int64_t n = std::min(kInnerBlock, I - i0);
                   const T* base = x + o * R * I + i0;
                   T* dst = out + o * I + i0;
                   if (is_sum) {
                     sum_columns(base, R, I, n, dst);
                   } else {
                     for (int64_t i = 0; i < n; ++i) {
                       auto e = op == ReduceOp::kMax ? extreme<T, true>(base + i, R, I)
                                                     : extreme<T, false>(base + i, R, I);
                       dst[i] = e.first;
                       if (indices) indices[o * I + i0 + i] = e.second;
                     }
                   }
                 }
               });
}

}  // namespace

void reduce(ReduceOp op, const View& x, int begin_dim, int end_dim, const View& out,
            const View* indices) {
  int64_t O = 1, R = 1, I = 1;
  for (int d = 0; d < x.shape.rank(); ++d) {
    (d < begin_dim ? O : d < end_dim ? R : I) *= x.shape[d];
  }
  if (O * I == 0) return;
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    ATHANOR_ASSERT(R > 0 || op == ReduceOp::kSum);
    if (R == 0) {
      fill(out, 0.0);
      return;
    }
    reduce_typed<T>(op, static_cast<const T*>(x.data), O, R, I, static_cast<T*>(out.data),
                    indices ? static_cast<int64_t*>(indices->data) : nullptr);
  });
}

}  // namespace athanor::cpu
