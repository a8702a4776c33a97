// src/backend/cpu/matmul_kernels.cpp: batched matrix products on the CPU: oneDNN for float32,
// a blocked reference loop for the other types.
//
// oneDNN primitives are created once per (shapes, strides) and cached per thread with their
// memory objects, so a call in steady state only swaps data pointers and executes. Operands are
// passed with their strides (a transposed view costs nothing); an operand broadcast over the batch
// (stride 0) is described to oneDNN as batch size 1, which its matmul broadcasts.
//
// At 2 threads, where oneDNN does not multiply by brgemm (AVX2 machines), a medium product is split
// by columns of the output into two one-thread products, the split following the two cores'
// speeds (see split_by_columns).
//
// A linear layer's forward takes linear_narrow (up to 16 outputs) or linear_wide (a training
// batch of a wider layer, with AVX-512) before oneDNN.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <athanor/core/random.h>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/linear_narrow.h"
#include "backend/cpu/linear_wide.h"
#include "backend/cpu/loops.h"
#include "backend/cpu/omp_threads.h"
#include "backend/cpu/two_threads.h"

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
  int64_t ldc = 0;  // the output's row stride
  int threads = 0;  // oneDNN's threads when created (1 in a parallel region): it may size by them
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
    mix(k.ldc);
    mix(k.threads);
    return h;
  }
};

struct MatmulEntry {
  dnnl::matmul primitive;
  dnnl::memory a, w, c, bias;
  bool brgemm = false;  // oneDNN chose its brgemm implementation (AVX-512 and later)
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

// This thread's primitive for out = a @ w (+ bias), created at its first use, for this thread's
// OpenMP setting (one thread inside a parallel region, where oneDNN runs serially).
MatmulEntry& matmul_entry(const Operand& a, const Operand& w, const View& out, bool bias) {
  thread_local std::unordered_map<MatmulKey, MatmulEntry, MatmulKeyHash> cache;
  const int64_t ldc = out.strides[1];
  const MatmulKey key{a, w, bias, ldc, omp_in_parallel() ? 1 : omp_get_max_threads()};
  auto it = cache.find(key);
  if (it == cache.end()) {
    const int64_t B = out.shape[0], M = out.shape[1], N = out.shape[2];
    dnnl::memory::desc c_md({B, M, N}, dnnl::memory::data_type::f32,
                            {B == 1 ? M * ldc : out.strides[0], ldc, 1});
    dnnl::memory::desc bias_md({1, 1, N}, dnnl::memory::data_type::f32, {N, N, 1});
    dnnl::matmul::primitive_desc pd =
        bias ? dnnl::matmul::primitive_desc(
                   dnnl::matmul::desc(desc_of(a), desc_of(w), bias_md, c_md), cpu_engine())
             : dnnl::matmul::primitive_desc(dnnl::matmul::desc(desc_of(a), desc_of(w), c_md),
                                            cpu_engine());
    MatmulEntry e{dnnl::matmul(pd),
                  dnnl::memory(pd.src_desc(), cpu_engine(), nullptr),
                  dnnl::memory(pd.weights_desc(), cpu_engine(), nullptr),
                  dnnl::memory(pd.dst_desc(), cpu_engine(), nullptr),
                  dnnl::memory(bias_md, cpu_engine(), nullptr),
                  std::string_view(pd.impl_info_str()).starts_with("brg")};
    it = cache.emplace(key, std::move(e)).first;
  }
  return it->second;
}

// out = a @ w (+ bias [N] broadcast over the rows when not null), on this thread's OpenMP
// setting. out's rows are dense; its row stride is free.
void execute_dnnl(const Operand& a, const Operand& w, const View& va, const View& vw,
                  const View& out, const View* bias) {
  thread_local dnnl::stream stream(cpu_engine());
  MatmulEntry& e = matmul_entry(a, w, out, bias != nullptr);
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

// Columns [n0, n0 + n) of a product: w's and out's (and bias's) columns from n0.
struct Columns {
  Operand w;
  View vw, out, bias;
};

Columns columns(const Operand& w, const View& vw, const View& out, const View* bias, int64_t n0,
                int64_t n) {
  Columns c{w, vw, out, bias ? *bias : View{}};
  c.w.dims[2] = n;
  c.vw.data = static_cast<float*>(vw.data) + n0 * vw.strides[2];
  c.vw.shape[2] = n;
  c.out.data = static_cast<float*>(out.data) + n0 * out.strides[2];
  c.out.shape[2] = n;
  if (bias) c.bias.data = static_cast<float*>(bias->data) + n0 * bias->strides[0];
  return c;
}

// The split of one product shape at 2 threads: whether it gives the whole product's bits, and
// the share of the columns that thread 0 takes.
struct SplitPlan {
  bool checked = false, exact = false;
  int64_t lo = 0, hi = 0, step = 0;  // the split points checked: lo, lo + step, ... <= hi
  double share = 0.5;                // thread 0's, following the cores' speeds
};

constexpr int64_t kSplitAlign = 16;   // oneDNN's column blocks: a split inside one changes bits
constexpr int64_t kSplitPoints = 12;  // about; each is checked once, at a product's cost
constexpr int64_t kSplitLeast = int64_t{1} << 20;  // multiply-adds; below, one thread's
constexpr int64_t kSplitMost = int64_t{1} << 26;   // above, oneDNN's split (A packed once)
// How far a call moves the share towards the one its times call for. A single call's two times
// are noisy (they differ by about 10 % from call to call in the mlp) while the cores' speeds drift
// over hundreds of milliseconds: an eighth follows the drift within tens of calls, and in one
// process took 0.94 of the mlp's 2-thread step that a half did (shorter in 11 of 12 rounds).
constexpr double kShareStep = 0.125;

// Runs out = a @ w as columns [0, s) on thread 0 and [s, N) on thread 1, each a one-thread
// oneDNN product; returns each part's seconds.
std::array<double, 2> run_split(const Operand& a, const Operand& w, const View& va, const View& vw,
                                const View& out, const View* bias, int64_t s) {
  const int64_t N = out.shape[2];
  std::array<double, 2> seconds{0.0, 0.0};
  on_two_threads([&](int t) {
    const int64_t n0 = t == 0 ? 0 : s, n = t == 0 ? s : N - s;
    const auto start = std::chrono::steady_clock::now();
    const Columns c = columns(w, vw, out, bias, n0, n);
    execute_dnnl(a, c.w, va, c.vw, c.out, bias ? &c.bias : nullptr);
    seconds[static_cast<size_t>(t)] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  });
  return seconds;
}

// A buffer holding every element a view reaches, filled with values in [-1, 1), and the view
// onto it with the same strides.
struct Trial {
  std::vector<float> data;
  View view;
};

Trial trial_of(const View& v, uint64_t seed) {
  int64_t extent = 1;
  for (int d = 0; d < v.shape.rank(); ++d) extent += (v.shape[d] - 1) * v.strides[d];
  Trial t{std::vector<float>(static_cast<size_t>(extent)), v};
  for (size_t i = 0; i < t.data.size(); ++i) {
    const uint32_t bits = philox4x32(seed, i / 4)[i % 4];
    t.data[i] = static_cast<float>(bits >> 8) / 8388608.0f - 1.0f;  // 24 bits to [-1, 1)
  }
  t.view.data = t.data.data();
  return t;
}

// Checks, once per shape, that every split point a plan may use gives the bits of the whole
// one-thread product, on random operands of the same layout (oneDNN computes an element the same
// way whatever the product's width when the split falls on a column block, but that is its
// choice, not a promise). The split points, multiples of kSplitAlign about kSplitPoints apart,
// stay within the middle half, so that a core may be up to 3x slower than the other.
void check_split(SplitPlan& plan, const Operand& a, const Operand& w, const View& va,
                 const View& vw, const View& out, const View* bias) {
  const int64_t N = out.shape[2];
  plan.checked = true;
  plan.lo = (N / 4 + kSplitAlign - 1) / kSplitAlign * kSplitAlign;
  plan.hi = 3 * N / 4 / kSplitAlign * kSplitAlign;
  const int64_t per_point = (plan.hi - plan.lo) / kSplitPoints;
  plan.step = std::max<int64_t>(1, (per_point + kSplitAlign - 1) / kSplitAlign) * kSplitAlign;
  plan.hi = plan.lo + (plan.hi - plan.lo) / plan.step * plan.step;
  if (plan.lo > plan.hi) return;
  const Trial ta = trial_of(va, 1), tw = trial_of(vw, 2);
  const Trial tb = bias ? trial_of(*bias, 3) : Trial{};
  Trial whole = trial_of(out, 4), parts = trial_of(out, 4);
  {
    OmpThreads one(1);
    execute_dnnl(a, w, ta.view, tw.view, whole.view, bias ? &tb.view : nullptr);
  }
  for (int64_t s = plan.lo; s <= plan.hi; s += plan.step) {
    run_split(a, w, ta.view, tw.view, parts.view, bias ? &tb.view : nullptr, s);
    if (parts.data != whole.data) return;
  }
  plan.exact = true;
}

// At 2 threads, a product of kSplitLeast to kSplitMost multiply-adds runs as two one-thread
// products over columns of the output. oneDNN's own 2-thread product gives each thread half the
// work; on the benchmark machine the two cores' speeds drift apart, independently, from one
// half-second to the next (by up to 1.7x), and a half-and-half split waits for the slower core.
// Here thread 0's share of the columns follows the two parts' times, so both finish together;
// the results are the one-thread product's bits wherever the split falls (checked by check_split,
// else oneDNN's own split runs). Returns whether it ran the product.
bool split_by_columns(const Operand& a, const Operand& w, const View& va, const View& vw,
                      const View& out, const View* bias) {
  const int64_t M = out.shape[1], N = out.shape[2], K = a.dims[2];
  if (get_num_threads() != 2 || in_parallel_region() || out.shape[0] != 1 || a.dims[0] != 1 ||
      w.dims[0] != 1 || N < 4 * kSplitAlign || M * N * K < kSplitLeast || M * N * K > kSplitMost) {
    return false;
  }
  // Where oneDNN multiplies by brgemm (AVX-512), its own 2-thread product beats two one-thread
  // halves, for which it picks its older JIT sgemm (strided columns): on an Intel Xeon the mlp's
  // 2-thread epoch took 0.85 of the split's time (0.39-0.41 s against 0.45-0.49 s, four
  // alternating pairs), and its first step 3 ms instead of 38 (the sgemm's kernels generated on
  // each thread). The AVX2 machine the split was measured on has no brgemm for float32.
  if (matmul_entry(a, w, out, bias != nullptr).brgemm) return false;
  thread_local std::unordered_map<MatmulKey, SplitPlan, MatmulKeyHash> plans;
  SplitPlan& plan = plans[MatmulKey{a, w, bias != nullptr, out.strides[1]}];
  if (!plan.checked) check_split(plan, a, w, va, vw, out, bias);
  if (!plan.exact) return false;
  const double ideal = (static_cast<double>(N) * plan.share - static_cast<double>(plan.lo)) /
                       static_cast<double>(plan.step);
  const int64_t s =
      std::clamp(plan.lo + static_cast<int64_t>(std::lround(ideal)) * plan.step, plan.lo, plan.hi);
  const auto [t0, t1] = run_split(a, w, va, vw, out, bias, s);
  // The share at which both parts would have taken equally long, at the speeds just seen.
  const double speed0 = static_cast<double>(s) / std::max(t0, 1e-9);
  const double speed1 = static_cast<double>(N - s) / std::max(t1, 1e-9);
  plan.share += kShareStep * (speed0 / (speed0 + speed1) - plan.share);
  return true;
}

// Below this many multiply-adds a product runs on one thread: oneDNN would still open a parallel
// region for it, which costs more than the second core gives. In one process alternating blocks
// of 200 steps, the mlp's 2-thread step (its last layer 64 x 128 x 10, 82K multiply-adds each
// way) was shorter with this in 8 of 10 rounds (median 444 against 460 us).
constexpr int64_t kOneThreadMost = int64_t{1} << 18;

void matmul_dnnl(const Operand& a, const Operand& w, const View& va, const View& vw,
                 const View& out, const View* bias = nullptr) {
  get_num_threads();  // align this thread's OpenMP setting, which oneDNN reads, with athanor's
  if (out.shape[0] * out.shape[1] * out.shape[2] * a.dims[2] < kOneThreadMost &&
      !omp_in_parallel()) {
    const OmpThreads one(1);
    execute_dnnl(a, w, va, vw, out, bias);
    return;
  }
  if (split_by_columns(a, w, va, vw, out, bias)) return;
  execute_dnnl(a, w, va, vw, out, bias);
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

// cpu::linear without its ReLU, where linear_wide does not apply.
void linear_product(const View& x, const View& w, const View* bias, const View& out) {
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

void linear(const View& x, const View& w, const View* bias, const View& out, bool relu) {
  ATHANOR_ASSERT(x.shape.rank() == 2 && w.shape.rank() == 2 && out.shape.rank() == 2);
  if (linear_wide_applies(x, w, out)) return linear_wide(x, w, bias, out, relu);
  linear_product(x, w, bias, out);
  if (relu) unary(UnaryOp::kRelu, out, out);
}

}  // namespace athanor::cpu
