// bench/layers_bench.cpp: the benchmark models' layers one CPU kernel at a time (the CNN's two
// convolutions' three passes, max pooling and ReLU; the LSTM's per-step product and gate
// kernels), batch 64, to see where a training step's time goes and what a kernel change buys.
// float32; threads from ATHANOR_NUM_THREADS.
//
//   ./build/release/bench/bench_layers --benchmark_filter=conv1
#include <array>

#include <benchmark/benchmark.h>

#include <athanor/athanor.h>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/panel_gemm.h"
#include "backend/rnn_kernels.h"
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

// The LSTM's per-step products on a chunk of 32 rows: forward h W_hh^T (32x128 by 128x512) and
// backward dgates W_hh (32x512 by 512x128), through oneDNN (rnn.matmul, which packs W_hh at
// every call) and from W_hh packed once (rnn.matmul_packed).
void step_product(benchmark::State& state, bool packed) {
  const int64_t M = 32, K = state.range(0), N = state.range(1);
  const Tensor a = random({M, K}, 7), b = random({K, N}, 8), out = athanor::empty({M, N});
  const auto& rnn = athanor::backend::rnn_kernels(athanor::Device(), "bench");
  const Tensor panels = athanor::empty({rnn.packed_size(K, N)});
  rnn.pack(kernel_view(b), panels.raw_data());
  for (auto _ : state) {
    if (packed) {
      rnn.matmul_packed(kernel_view(a), panels.raw_data(), kernel_view(out));
    } else {
      rnn.matmul(kernel_view(a), kernel_view(b), kernel_view(out));
    }
  }
  count(state, 2.0 * double(M * K * N));
}
void BM_step_product_onednn(benchmark::State& state) { step_product(state, false); }
void BM_step_product_packed(benchmark::State& state) { step_product(state, true); }
BENCHMARK(BM_step_product_onednn)->ArgNames({"K", "N"})->Args({128, 512})->Args({512, 128});
BENCHMARK(BM_step_product_packed)->ArgNames({"K", "N"})->Args({128, 512})->Args({512, 128});

// The LSTM's fused gate kernels on one step of the benchmark's 64 rows of 128 units: forward
// (sigmoid, tanh, the cell update; writes h, c and the saved gates) and backward.
struct LstmStep {
  static constexpr int64_t N = 64, H = 128;
  Tensor gh = random({N, 4 * H}, 20), b = random({4 * H}, 21), c_prev = random({N, H}, 22);
  Tensor h = random({N, H}, 23), c = random({N, H}, 24), saved = random({N, 4 * H}, 25);
  Tensor dy = random({N, H}, 26), rec = random({N, H}, 27), dc = random({N, H}, 28);
  Tensor dgi = random({N, 4 * H}, 29);
};

void BM_lstm_step_forward(benchmark::State& state) {
  LstmStep l;
  const auto& rnn = athanor::backend::rnn_kernels(athanor::Device(), "bench");
  athanor::backend::RnnStepForward s{.batch = l.N, .hidden = l.H};
  s.gh = l.gh.raw_data();
  s.b_ih = s.b_hh = l.b.raw_data();
  s.c_prev = l.c_prev.raw_data();
  s.h = l.h.raw_data();
  s.c = l.c.raw_data();
  s.saved = l.saved.raw_data();
  for (auto _ : state) rnn.step_forward(s);
  state.SetItemsProcessed(state.iterations() * l.N * l.H);
}
BENCHMARK(BM_lstm_step_forward);

void BM_lstm_step_backward(benchmark::State& state) {
  LstmStep l;
  // Gates as the forward leaves them, in (0, 1) (g in (-1, 1)).
  l.saved = athanor::sigmoid(l.saved);
  const auto& rnn = athanor::backend::rnn_kernels(athanor::Device(), "bench");
  athanor::backend::RnnStepBackward s{.batch = l.N, .hidden = l.H};
  s.saved = l.saved.raw_data();
  s.c = l.c.raw_data();
  s.c_prev = l.c_prev.raw_data();
  s.dy = l.dy.raw_data();
  s.dh_rec = l.rec.raw_data();
  s.dc = l.dc.raw_data();
  s.dgi = l.dgi.raw_data();
  // dc is in and out: it settles at f a / (1 - f) for each unit's fixed inflow a, never denormal.
  for (auto _ : state) rnn.step_backward(s);
  state.SetItemsProcessed(state.iterations() * l.N * l.H);
}
BENCHMARK(BM_lstm_step_backward);

// A linear layer's three products, y = x W^T + b, dW = dy^T x and dx = dy W, on x [M, K] and
// W [N, K]: the logreg model's (128, 784, 10), the mlp's three layers and the cnn's fully
// connected ones.
struct LinearLayer {
  Tensor x, w, b, dy;
  LinearLayer(int64_t M, int64_t K, int64_t N)
      : x(random({M, K}, 9)), w(random({N, K}, 10)), b(random({N}, 11)), dy(random({M, N}, 12)) {}
  double flops() const { return 2.0 * double(x.numel()) * double(w.shape(0)); }
};

void BM_linear_forward(benchmark::State& state) {
  const LinearLayer l(state.range(0), state.range(1), state.range(2));
  const Tensor y = athanor::empty({l.x.shape(0), l.w.shape(0)});
  const auto bv = kernel_view(l.b);
  for (auto _ : state) cpu::linear(kernel_view(l.x), kernel_view(l.w), &bv, kernel_view(y), false);
  count(state, l.flops());
}

void BM_linear_weight_grad(benchmark::State& state) {
  const LinearLayer l(state.range(0), state.range(1), state.range(2));
  const Tensor dw = athanor::empty({1, l.w.shape(0), l.w.shape(1)});
  const Tensor dyt = athanor::transpose(l.dy, 0, 1).unsqueeze(0), x = l.x.unsqueeze(0);
  for (auto _ : state) cpu::matmul(kernel_view(dyt), kernel_view(x), kernel_view(dw));
  count(state, l.flops());
}

void BM_linear_input_grad(benchmark::State& state) {
  const LinearLayer l(state.range(0), state.range(1), state.range(2));
  const Tensor dx = athanor::empty({1, l.x.shape(0), l.x.shape(1)});
  const Tensor dy = l.dy.unsqueeze(0), w = l.w.unsqueeze(0);
  for (auto _ : state) cpu::matmul(kernel_view(dy), kernel_view(w), kernel_view(dx));
  count(state, l.flops());
}
// Every linear layer of the benchmark models.
void linear_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "K", "N"});
  for (auto [m, k, n] : {std::array<int64_t, 3>{128, 784, 10},
                         {64, 784, 256},
                         {64, 256, 128},
                         {64, 128, 10},
                         {64, 3136, 128}}) {
    b->Args({m, k, n});
  }
}
BENCHMARK(BM_linear_forward)->Apply(linear_shapes);
BENCHMARK(BM_linear_weight_grad)->Apply(linear_shapes);
BENCHMARK(BM_linear_input_grad)->Apply(linear_shapes);

// Cross-entropy on [M, 10] logits and its gradient, through autograd (the loss of every model).
void BM_cross_entropy(benchmark::State& state) {
  Tensor logits = random({state.range(0), 10}, 13);
  logits.set_requires_grad();
  const Tensor target = athanor::randint(0, 10, {state.range(0)});
  for (auto _ : state) {
    logits.set_grad(Tensor());
    athanor::cross_entropy(logits, target).backward();
  }
  state.SetLabel(fmt::format("threads={}", athanor::get_num_threads()));
}
BENCHMARK(BM_cross_entropy)->ArgNames({"M"})->Arg(128)->Arg(64);

// Column sums of [R, I] (a bias gradient over the rows of a batch: the LSTM's b_ih over T N =
// 1792 rows of 4 H = 512 gates).
void BM_sum_rows(benchmark::State& state) {
  const Tensor x = random({state.range(0), state.range(1)}, 16);
  for (auto _ : state) benchmark::DoNotOptimize(athanor::sum(x, {0}));
  state.SetBytesProcessed(state.iterations() * x.numel() * 4);
}
BENCHMARK(BM_sum_rows)->ArgNames({"R", "I"})->Args({1792, 512})->Args({64, 128});

// The LSTM's weight gradients over a batch's T N = 1792 rows: dW_hh = dgates^T h_prev (K = 1792,
// [512, 128]) and dW_ih = dgates^T x ([512, 28]), both operands stored by rows of k.
void BM_rnn_weight_grad(benchmark::State& state) {
  const int64_t M = state.range(0), K = state.range(1), N = state.range(2);
  const Tensor dgates = random({K, M}, 14), inputs = random({K, N}, 15),
               dw = athanor::empty({M, N});
  const auto& rnn = athanor::backend::rnn_kernels(athanor::Device(), "bench");
  const athanor::backend::View a{dgates.raw_data(), athanor::kFloat32, {M, K}, {1, M}};
  for (auto _ : state) rnn.matmul(a, kernel_view(inputs), kernel_view(dw));
  count(state, 2.0 * double(M * K * N));
}
BENCHMARK(BM_rnn_weight_grad)
    ->ArgNames({"M", "K", "N"})
    ->Args({512, 1792, 128})
    ->Args({512, 1792, 28});

}  // namespace

BENCHMARK_MAIN();
