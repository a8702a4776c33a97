// src/backend/cpu/matmul_kernels.cpp: batched matrix products on the CPU: oneDNN for float32,
// a blocked reference loop for the other types.
//
// oneDNN primitives are created once per (shapes, strides) and cached per thread with their
// memory objects, so a call in steady state only swaps data pointers and executes. Operands are
// passed with their strides (a transposed view costs nothing); an operand broadcast over the batch
// (stride 0) is described to oneDNN as batch size 1, which its matmul broadcasts.
#include <array>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/linear_narrow.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

// The shape and strides of one 3-D operand as oneDNN sees it.
struct Operand {
  std::array<int64_t, 3> dims;
  std::array<int64_t, 3> strides;
  friend bool operator==(const Operand&, const Operand&) = default;
};

struct MatmulKey {
  Operand a, w;
  bool bias = false;
  friend bool operator==(const MatmulKey&, const MatmulKey&) = default;
};

struct MatmulKeyHash {
  size_t operator()(const MatmulKey& k) const {
    size_t h = 1469598103934665603ull;
    auto mix = [&h](int64_t v) { h = (h ^ static_cast<size_t>(v)) * 1099511628211ull; };
    for (const Operand* o : {&k.a, &k.w}) {
      for (int64_t v : o->dims) mix(v);
      for (int64_t v : o->strides) mix(v);
    }
    mix(k.bias);
    return h;
  }
};

struct MatmulEntry {
  dnnl::matmul primitive;
  dnnl::memory a, w, c, bias;
};

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

Operand describe(const View& v) {
  Operand o{{v.shape[0], v.shape[1], v.shape[2]}, {v.strides[0], v.strides[1], v.strides[2]}};
  if (o.strides[0] == 0 || o.dims[0] == 1) o.dims[0] = 1, o.strides[0] = o.dims[1] * o.dims[2];
  // A size-1 dimension's stride is arbitrary in a view; give oneDNN a dense-looking one.
  if (o.dims[2] == 1) o.strides[2] = 1;
  if (o.dims[1] == 1) o.strides[1] = o.strides[2] == 1 ? o.dims[2] : 1;
  return o;
}

// oneDNN's matmul needs one of the two matrix dimensions dense.
bool dnnl_supports(const Operand& o) { return o.strides[2] == 1 || o.strides[1] == 1; }

dnnl::memory::desc desc_of(const Operand& o) {
  return dnnl::memory::desc({o.dims[0], o.dims[1], o.dims[2]}, dnnl::memory::data_type::f32,
                            {o.strides[0], o.strides[1], o.strides[2]});
}

// out = a @ w (+ bias [N] broadcast over the rows when not null).
void matmul_dnnl(const Operand& a, const Operand& w, const View& va, const View& vw,
                 const View& out, const View* bias = nullptr) {
  get_num_threads();  // align this thread's OpenMP setting, which oneDNN reads, with athanor's
  thread_local std::unordered_map<MatmulKey, MatmulEntry, MatmulKeyHash> cache;
  thread_local dnnl::stream stream(cpu_engine());
  const MatmulKey key{a, w, bias != nullptr};
  auto it = cache.find(key);
  if (it == cache.end()) {
    const int64_t B = out.shape[0], M = out.shape[1], N = out.shape[2];
    dnnl::memory::desc c_md({B, M, N}, dnnl::memory::data_type::f32, {M * N, N, 1});
    dnnl::memory::desc bias_md({1, 1, N}, dnnl::memory::data_type::f32, {N, N, 1});
    dnnl::matmul::primitive_desc pd =
        bias ? dnnl::matmul::primitive_desc(
                   dnnl::matmul::desc(desc_of(a), desc_of(w), bias_md, c_md), cpu_engine())
             : dnnl::matmul::primitive_desc(dnnl::matmul::desc(desc_of(a), desc_of(w), c_md),
                                            cpu_engine());
    MatmulEntry e{dnnl::matmul(pd), dnnl::memory(pd.src_desc(), cpu_engine(), nullptr),
                  dnnl::memory(pd.weights_desc(), cpu_engine(), nullptr),
                  dnnl::memory(pd.dst_desc(), cpu_engine(), nullptr),
                  dnnl::memory(bias_md, cpu_engine(), nullptr)};
    it = cache.emplace(key, std::move(e)).first;
  }
  MatmulEntry& e = it->second;
  e.a.set_data_handle(va.data);
  e.w.set_data_handle(vw.data);
  e.c.set_data_handle(out.data);
  if (bias) {
    e.bias.set_data_handle(bias->data);
    e.primitive.execute(stream, {{DNNL_ARG_SRC, e.a},
                                 {DNNL_ARG_WEIGHTS, e.w},
                                 {DNNL_ARG_BIAS, e.bias},
                                 {DNNL_ARG_DST, e.c}});
  } else {
    e.primitive.execute(stream,
                        {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.w}, {DNNL_ARG_DST, e.c}});
  }
  stream.wait();
}

// Reference product: out[b, m, :] = sum_k a[b, m, k] * w[b, k, :], k outer so the n loop streams.
template <typename T>
void matmul_reference(const View& a, const View& w, const View& out) {
  const int64_t B = out.shape[0], M = out.shape[1], N = out.shape[2], K = a.shape[2];
  const T* ap = static_cast<const T*>(a.data);
  const T* wp = static_cast<const T*>(w.data);
  T* cp = static_cast<T*>(out.data);
  parallel_for(0, B * M, std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(N * K, 1)),
               [&](int64_t lo, int64_t hi) {
                 std::vector<T> row(static_cast<size_t>(N));
                 for (int64_t bm = lo; bm < hi; ++bm) {
                   const int64_t b = bm / M, m = bm % M;
                   std::fill(row.begin(), row.end(), T{});
                   for (int64_t k = 0; k < K; ++k) {
                     const T av = ap[b * a.strides[0] + m * a.strides[1] + k * a.strides[2]];
                     const T* wr = wp + b * w.strides[0] + k * w.strides[1];
                     if (w.strides[2] == 1) {
                       for (int64_t n = 0; n < N; ++n) row[static_cast<size_t>(n)] += av * wr[n];
                     } else {
                       for (int64_t n = 0; n < N; ++n)
                         row[static_cast<size_t>(n)] += av * wr[n * w.strides[2]];
                     }
                   }
                   std::copy(row.begin(), row.end(), cp + bm * N);
                 }
               });
}

}  // namespace

void matmul(const View& a, const View& w, const View& out) {
  ATHANOR_ASSERT(a.dtype == w.dtype && a.dtype == out.dtype && a.shape.rank() == 3 &&
                 w.shape.rank() == 3 && out.shape.rank() == 3);
  if (out.shape.numel() == 0) return;
  if (a.shape[2] == 0) {
    fill(out, 0.0);
    return;
  }
  if (a.dtype == kFloat32) {
    const Operand oa = describe(a), ow = describe(w);
    if (oa.dims[0] == 1 && ow.dims[0] == 1 && out.shape[0] > 1) {
      // Both operands broadcast over the batch: every product is the same. oneDNN cannot write a
      // batch larger than its inputs', so compute the first and copy it to the others.
      View a1 = a, w1 = w, first = out;
      a1.shape[0] = w1.shape[0] = first.shape[0] = 1;
      matmul(a1, w1, first);
      View rest = out;
      rest.shape[0] = out.shape[0] - 1;
      rest.data = static_cast<float*>(out.data) + out.strides[0];
      View src = first;
      src.shape[0] = rest.shape[0];
      src.strides[0] = 0;
      copy(src, rest);
      return;
    }
    if (dnnl_supports(oa) && dnnl_supports(ow)) {
      matmul_dnnl(oa, ow, a, w, out);
      return;
    }
    // Neither matrix dimension dense: copy the operands to row-major buffers first.
    auto dense = [](const View& v, std::vector<float>& buf) {
      buf.resize(static_cast<size_t>(v.shape.numel()));
      View d{buf.data(), kFloat32, v.shape, contiguous_strides(v.shape)};
      copy(v, d);
      return d;
    };
    std::vector<float> abuf, wbuf;
    const View da = dense(a, abuf), dw = dense(w, wbuf);
    matmul_dnnl(describe(da), describe(dw), da, dw, out);
    return;
  }
  visit_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      ATHANOR_ASSERT(false && "matmul kernel: not defined for bool");
    } else {
      matmul_reference<T>(a, w, out);
    }
  });
}

void linear(const View& x, const View& w, const View* bias, const View& out) {
  ATHANOR_ASSERT(x.shape.rank() == 2 && w.shape.rank() == 2 && out.shape.rank() == 2);
  const int64_t M = x.shape[0], K = x.shape[1], N = w.shape[0];
  if (linear_narrow_applies(x, w, out)) {
    linear_narrow(x, w, bias, out);
    return;
  }
  // As the batched product [1, M, K] x [1, K, N]: w^T is w's view with its strides swapped.
  const View a{x.data, x.dtype, Shape{1, M, K}, Shape{M * K, x.strides[0], x.strides[1]}};
  const View wt{w.data, w.dtype, Shape{1, K, N}, Shape{K * N, w.strides[1], w.strides[0]}};
  const View c{out.data, out.dtype, Shape{1, M, N}, Shape{M * N, N, 1}};
  if (bias != nullptr && x.dtype == kFloat32 && M > 0 && N > 0 && K > 0 && bias->strides[0] == 1) {
    const Operand oa = describe(a), ow = describe(wt);
    if (dnnl_supports(oa) && dnnl_supports(ow)) {
      matmul_dnnl(oa, ow, a, wt, c, bias);
      return;
    }
  }
  matmul(a, wt, c);
  if (bias != nullptr) {
    const View row{bias->data, bias->dtype, Shape{M, N}, Shape{0, bias->strides[0]}};
    binary(BinaryOp::kAdd, out, row, out);
  }
}

}  // namespace athanor::cpu
