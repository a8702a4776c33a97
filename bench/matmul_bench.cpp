// bench/matmul_bench.cpp: athanor's matmul against oneDNN's matmul primitive called directly
// (created once, executed on preallocated buffers), at the shapes of an MLP's forward and
// backward passes and a large square product. float32; threads from ATHANOR_NUM_THREADS.
//
//   make bench    or    ./build/release/bench/bench_matmul --benchmark_filter=64x784
#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.hpp>

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

// Interleaved per shape so both sides see the same machine state.
void register_all() {
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
