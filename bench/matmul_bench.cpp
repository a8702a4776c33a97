// bench/matmul_bench.cpp: athanor's matmul against oneDNN's matmul primitive called directly
// (created once, executed on preallocated buffers), at the shapes of an MLP's forward and
// backward passes and a large square product. float32; threads from ATHANOR_NUM_THREADS. Also
// fma_peak: one core's FP32 peak, from a loop of fused multiply-adds on registers only, at the
// widest vectors the build targets (bench/compare.py divides the models' FLOPs by it).
//
//   make bench    or    ./build/release/bench/bench_matmul --benchmark_filter=64x784
#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.hpp>
#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include <athanor/athanor.h>

namespace {

using athanor::Tensor;

struct Dims {
  int64_t m, k, n;
};

constexpr Dims kShapes[] = {{64, 784, 256}, {64, 256, 128}, {784, 64, 256}, {1024, 1024, 1024}};

void set_counters(benchmark::State& state, const Dims& d) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * static_cast<double>(d.m * d.k * d.n) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.SetLabel(
      fmt::format("[{},{}]x[{},{}] threads={}", d.m, d.k, d.k, d.n, athanor::get_num_threads()));
}

void BM_athanor_matmul(benchmark::State& state) {
  const Dims d = kShapes[state.range(0)];
  athanor::Generator gen(1);
  const Tensor a = athanor::randn({d.m, d.k}, athanor::kFloat32, &gen);
  const Tensor b = athanor::randn({d.k, d.n}, athanor::kFloat32, &gen);
  for (auto _ : state) {
    Tensor c = athanor::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_counters(state, d);
}

void BM_onednn_direct(benchmark::State& state) {
  const Dims d = kShapes[state.range(0)];
  athanor::get_num_threads();  // apply ATHANOR_NUM_THREADS to the OpenMP pool, as athanor does
  using dnnl::memory;
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream s(eng);
  memory::desc a_md({d.m, d.k}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc b_md({d.k, d.n}, memory::data_type::f32, memory::format_tag::ab);
  memory::desc c_md({d.m, d.n}, memory::data_type::f32, memory::format_tag::ab);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), eng);
  dnnl::matmul mm(pd);
  athanor::Generator gen(1);
  const Tensor a = athanor::randn({d.m, d.k}, athanor::kFloat32, &gen);
  const Tensor b = athanor::randn({d.k, d.n}, athanor::kFloat32, &gen);
  const Tensor c = athanor::empty({d.m, d.n});
  memory am(a_md, eng, a.raw_data()), bm(b_md, eng, b.raw_data()), cm(c_md, eng, c.raw_data());
  for (auto _ : state) {
    mm.execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    s.wait();
    benchmark::DoNotOptimize(c.raw_data());
  }
  set_counters(state, d);
}

#if defined(__AVX512F__)
using Vec = __m512;
inline Vec vec_fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec vec_set(float v) { return _mm512_set1_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
inline Vec vec_fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec vec_set(float v) { return _mm256_set1_ps(v); }
#endif

#if defined(__AVX2__) && defined(__FMA__)
// 12 independent chains of fused multiply-adds, enough to keep two FMA units busy through a
// 4-cycle latency; nothing but registers, so the figure is the core's arithmetic limit.
void BM_fma_peak(benchmark::State& state) {
  constexpr int kChains = 12;
  constexpr int64_t kRepeats = 4096;
  Vec acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = vec_set(0.001f * static_cast<float>(c));
  const Vec mul = vec_set(0.999999f), add = vec_set(1e-7f);
  for (auto _ : state) {
    for (int64_t r = 0; r < kRepeats; ++r) {
#pragma GCC unroll 12
      for (int c = 0; c < kChains; ++c) acc[c] = vec_fma(acc[c], mul, add);
    }
    for (int c = 0; c < kChains; ++c) benchmark::DoNotOptimize(acc[c]);
  }
  const double flops = 2.0 * (sizeof(Vec) / sizeof(float)) * kChains * kRepeats;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.SetLabel(fmt::format("{}-bit vectors, one thread", 8 * sizeof(Vec)));
}
#endif

// Interleaved per shape so both sides see the same machine state.
void register_all() {
#if defined(__AVX2__) && defined(__FMA__)
  benchmark::RegisterBenchmark("fma_peak", BM_fma_peak)->MinTime(0.5)->UseRealTime();
#endif
  for (int i = 0; i < static_cast<int>(std::size(kShapes)); ++i) {
    const Dims d = kShapes[i];
    const std::string shape = fmt::format("{}x{}x{}", d.m, d.k, d.n);
    benchmark::RegisterBenchmark(("onednn_direct/" + shape).c_str(), BM_onednn_direct)
        ->Arg(i)
        ->MinTime(0.5)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("athanor_matmul/" + shape).c_str(), BM_athanor_matmul)
        ->Arg(i)
        ->MinTime(0.5)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
