// bench/layers_bench.cpp: the benchmark CNN's layers one CPU kernel at a time (its two
// convolutions' three passes, max pooling and ReLU, batch 64), to see where a training step's
// time goes and what a kernel change buys. float32; threads from ATHANOR_NUM_THREADS.
//
//   ./build/release/bench/bench_layers --benchmark_filter=conv1
#include <benchmark/benchmark.h>

#include <athanor/athanor.h>

#include "backend/cpu/cpu_kernels.h"
#include "tensor/kernel_view.h"

namespace {

using athanor::kernel_view;
using athanor::Shape;
using athanor::Tensor;
namespace cpu = athanor::cpu;

Tensor random(const Shape& shape, uint64_t seed) {
  athanor::Generator gen(seed);
  return athanor::randn(shape, athanor::kFloat32, &gen);
}

// Conv2d(C, O, 3, padding 1) on [64, C, S, S]: conv1 is (1, 32, 28), conv2 (32, 64, 14).
struct ConvLayer {
  Tensor x, w, b, y;
  cpu::Conv2dParams p{.padding = {1, 1}};
  ConvLayer(int64_t C, int64_t O, int64_t S)
      : x(random({64, C, S, S}, 1)),
        w(random({O, C, 3, 3}, 2)),
        b(random({O}, 3)),
        y(random({64, O, S, S}, 4)) {}
  double flops() const { return 2.0 * double(y.numel()) * double(w.numel() / w.shape(0)); }
};

void count(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * double(state.iterations()), benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.SetLabel(fmt::format("threads={}", athanor::get_num_threads()));
}

void BM_conv_forward(benchmark::State& state) {
  const ConvLayer l(state.range(0), state.range(1), state.range(2));
  const auto bv = kernel_view(l.b);
  for (auto _ : state) cpu::conv2d(kernel_view(l.x), kernel_view(l.w), &bv, kernel_view(l.y), l.p);
  count(state, l.flops());
}

void BM_conv_backward_data(benchmark::State& state) {
  const ConvLayer l(state.range(0), state.range(1), state.range(2));
  for (auto _ : state)
    cpu::conv2d_backward_data(kernel_view(l.y), kernel_view(l.w), kernel_view(l.x), l.p);
  count(state, l.flops());
}

void BM_conv_backward_weights(benchmark::State& state) {
  const ConvLayer l(state.range(0), state.range(1), state.range(2));
  const auto bv = kernel_view(l.b);
  for (auto _ : state)
    cpu::conv2d_backward_weights(kernel_view(l.x), kernel_view(l.y), kernel_view(l.w), &bv, l.p);
  count(state, l.flops());
}

BENCHMARK(BM_conv_forward)->ArgNames({"C", "O", "S"})->Args({1, 32, 28})->Args({32, 64, 14});
BENCHMARK(BM_conv_backward_data)->ArgNames({"C", "O", "S"})->Args({32, 64, 14});
BENCHMARK(BM_conv_backward_weights)
    ->ArgNames({"C", "O", "S"})
    ->Args({1, 32, 28})
    ->Args({32, 64, 14});

// MaxPool2d(2) forward and backward on [64, C, S, S].
void BM_max_pool(benchmark::State& state) {
  const Tensor x = random({64, state.range(0), state.range(1), state.range(1)}, 5);
  const Shape out{64, state.range(0), state.range(1) / 2, state.range(1) / 2};
  const Tensor y = athanor::empty(out), indices = athanor::empty(out, athanor::kInt64);
  const cpu::Pool2dParams p{.kernel_size = {2, 2}, .stride = {2, 2}};
  for (auto _ : state) cpu::max_pool2d(kernel_view(x), kernel_view(y), kernel_view(indices), p);
  state.SetBytesProcessed(int64_t(state.iterations()) * x.numel() * 4);
}
BENCHMARK(BM_max_pool)->ArgNames({"C", "S"})->Args({32, 28})->Args({64, 14});

void BM_relu(benchmark::State& state) {
  const Tensor x = random({64, state.range(0), state.range(1), state.range(1)}, 6);
  const Tensor y = athanor::empty(x.shape());
  for (auto _ : state) cpu::unary(cpu::UnaryOp::kRelu, kernel_view(x), kernel_view(y));
  state.SetBytesProcessed(int64_t(state.iterations()) * x.numel() * 4);
}
BENCHMARK(BM_relu)->ArgNames({"C", "S"})->Args({32, 28})->Args({64, 14});

}  // namespace

BENCHMARK_MAIN();
