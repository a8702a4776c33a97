// src/backend/cpu/index_kernels.cpp: index_select, index_add, gather and scatter_add on the CPU.
//
// index_select / index_add view contiguous tensors as [O, D, I] around `dim`. gather and
// scatter_add walk the index tensor's elements with a multi-index. scatter_add runs serially so
// that colliding indices accumulate in a fixed order.
#include <cstring>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

struct Dims {
  int64_t O = 1, D = 1, I = 1;
};

Dims split(const Shape& shape, int dim) {
  Dims d;
  for (int k = 0; k < shape.rank(); ++k) (k < dim ? d.O : k == dim ? d.D : d.I) *= shape[k];
  return d;
}

// Calls fn(index_value, offset_in_x_without_dim, offset_in_other) for every element of `index`,
// where `other` shares index's shape and strides are in elements.
template <typename Fn>
void walk_index(const View& index, const View& x, const View& other, int dim, Fn&& fn) {
  const int rank = index.shape.rank();
  const int64_t n = index.shape.numel();
  const auto* idx = static_cast<const int64_t*>(index.data);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, ix = 0, xo = 0, oo = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t i = rem % index.shape[d];
      rem /= index.shape[d];
      ix += i * index.strides[d];
      oo += i * other.strides[d];
      if (d != dim) xo += i * x.strides[d];
    }
    fn(idx[ix], xo, oo);
  }
}

}  // namespace

void index_select(const View& x, int dim, const View& index, const View& out) {
  const Dims d = split(x.shape, dim);
  const int64_t L = index.shape.numel();
  const auto* idx = static_cast<const int64_t*>(index.data);
  const int64_t bytes = d.I * itemsize(x.dtype);
  const auto* src = static_cast<const char*>(x.data);
  auto* dst = static_cast<char*>(out.data);
  parallel_for(0, d.O * L, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(d.I, 1)),
               [&](int64_t lo, int64_t hi) {
                 for (int64_t r = lo; r < hi; ++r) {
                   const int64_t o = r / L, l = r % L;
                   std::memcpy(dst + r * bytes, src + (o * d.D + idx[l]) * bytes,
                               static_cast<size_t>(bytes));
                 }
               });
}

void index_add(const View& out, int dim, const View& index, const View& src) {
  const Dims d = split(out.shape, dim);
  const int64_t L = index.shape.numel();
  const auto* idx = static_cast<const int64_t*>(index.data);
  visit_dtype(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      ATHANOR_ASSERT(false && "index_add kernel: not defined for bool");
    } else {
      T* o_ptr = static_cast<T*>(out.data);
      const T* s_ptr = static_cast<const T*>(src.data);
      // Each outer slice belongs to one thread; rows within it accumulate in index order.
      parallel_for(0, d.O, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(L * d.I, 1)),
                   [&](int64_t lo, int64_t hi) {
                     for (int64_t o = lo; o < hi; ++o)
                       for (int64_t l = 0; l < L; ++l) {
                         T* dst = o_ptr + (o * d.D + idx[l]) * d.I;
                         const T* s = s_ptr + (o * L + l) * d.I;
                         for (int64_t i = 0; i < d.I; ++i) dst[i] += s[i];
                       }
                   });
    }
  });
}

void gather(const View& x, int dim, const View& index, const View& out) {
  visit_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* xp = static_cast<const T*>(x.data);
    T* op = static_cast<T*>(out.data);
    walk_index(index, x, out, dim,
               [&](int64_t i, int64_t xo, int64_t oo) { op[oo] = xp[xo + i * x.strides[dim]]; });
  });
}

void scatter_add(const View& out, int dim, const View& index, const View& src) {
  visit_dtype(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      ATHANOR_ASSERT(false && "scatter_add kernel: not defined for bool");
    } else {
      T* op = static_cast<T*>(out.data);
      const T* sp = static_cast<const T*>(src.data);
      walk_index(index, out, src, dim, [&](int64_t i, int64_t oo, int64_t so) {
        op[oo + i * out.strides[dim]] += sp[so];
      });
    }
  });
}

}  // namespace athanor::cpu
