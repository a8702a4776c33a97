// src/backend/cpu/copy_kernels.cpp: copy with dtype conversion, fill and iota on the CPU.
#include <cstring>

#include "backend/cpu/convert.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {

void copy(const View& src, const View& dst) {
  auto loop = make_loop<2>({&dst, &src});
  visit_dtype(dst.dtype, [&](auto out_tag) {
    using Out = decltype(out_tag);
    visit_dtype(src.dtype, [&](auto in_tag) {
      using In = decltype(in_tag);
      for_each_run(loop,
                   [](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
                     if constexpr (std::is_same_v<In, Out>) {
                       if (s[0] == sizeof(Out) && s[1] == sizeof(In)) {
                         std::memcpy(p[0], p[1], static_cast<size_t>(n) * sizeof(Out));
                         return;
                       }
                     }
                     unary_run<Out, In>(p, s, n, [](In v) { return convert<Out>(v); });
                   });
    });
  });
}

void fill(const View& dst, double value) {
  auto loop = make_loop<1>({&dst});
  visit_dtype(dst.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T v = convert<T>(value);
    for_each_run(loop,
                 [v](const std::array<char*, 1>& p, const std::array<int64_t, 1>& s, int64_t n) {
                   if (s[0] == sizeof(T)) {
                     T* out = reinterpret_cast<T*>(p[0]);
                     for (int64_t i = 0; i < n; ++i) out[i] = v;
                   } else {
                     for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
                   }
                 });
  });
}

void iota(const View& dst, double start, double step) {
  const int64_t n = dst.shape.numel();
  visit_dtype(dst.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(dst.data);
    parallel_for(0, n, kElementwiseGrain, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) out[i] = convert<T>(start + static_cast<double>(i) * step);
    });
  });
}

}  // namespace athanor::cpu
