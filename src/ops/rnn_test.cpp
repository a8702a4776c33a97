// src/ops/rnn_test.cpp: rnn_layer for every cell: values against step-by-step compositions of
// matmul / sigmoid / tanh (and hand-computed ones), both directions, gradient checks through every
// input (x, h0, c0, weights, biases) and every output (sequence, h_n, c_n), thread-count
// independence of forward and backward, and argument errors.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/rnn.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

constexpr RnnMode kModes[] = {RnnMode::kRnnTanh, RnnMode::kRnnRelu, RnnMode::kLstm, RnnMode::kGru};

struct Weights {
  Tensor w_ih, w_hh, b_ih, b_hh;
};

Weights weights(RnnMode mode, int64_t in, int64_t hidden, uint64_t seed, DType dtype = kFloat64) {
  const int64_t g = rnn_gate_count(mode) * hidden;
  return {to(random_normal({g, in}, seed) * 0.5, dtype),
          to(random_normal({g, hidden}, seed + 1) * 0.5, dtype),
          to(random_normal({g}, seed + 2) * 0.5, dtype),
          to(random_normal({g}, seed + 3) * 0.5, dtype)};
}

// The same layer written with ops, one step at a time (PyTorch's formulas).
RnnLayerOutput reference(RnnMode mode, const Tensor& x, Tensor h, Tensor c, const Weights& w,
                         bool reverse) {
  const int64_t T = x.shape(0), H = w.w_hh.shape(1);
  std::vector<Tensor> outputs(static_cast<size_t>(T));
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    const Tensor gi = matmul(x.select(0, t), w.w_ih.t()) + w.b_ih;
    const Tensor gh = matmul(h, w.w_hh.t()) + w.b_hh;
    auto gate = [H](const Tensor& g, int64_t k) { return g.narrow(1, k * H, H); };
    switch (mode) {
      case RnnMode::kRnnTanh:
        h = tanh(gi + gh);
        break;
      case RnnMode::kRnnRelu:
        h = relu(gi + gh);
        break;
      case RnnMode::kLstm: {
        const Tensor a = gi + gh;
        c = sigmoid(gate(a, 1)) * c + sigmoid(gate(a, 0)) * tanh(gate(a, 2));
        h = sigmoid(gate(a, 3)) * tanh(c);
        break;
      }
      case RnnMode::kGru: {
        const Tensor r = sigmoid(gate(gi, 0) + gate(gh, 0));
        const Tensor z = sigmoid(gate(gi, 1) + gate(gh, 1));
        const Tensor n = tanh(gate(gi, 2) + r * gate(gh, 2));
        h = (1.0 - z) * n + z * h;
        break;
      }
    }
    outputs[static_cast<size_t>(t)] = h;
  }
  return {stack(outputs, 0), h, mode == RnnMode::kLstm ? c : Tensor()};
}

// output, h_n and c_n flattened into one vector, so one gradient check covers all three.
Tensor joined(const RnnLayerOutput& r) {
  std::vector<Tensor> parts{reshape(r.output, {-1}), reshape(r.h_n, {-1})};
  if (r.c_n.defined()) parts.push_back(reshape(r.c_n, {-1}));
  return concat(parts, 0);
}

class RnnLayerTest : public ::testing::TestWithParam<RnnMode> {};

TEST_P(RnnLayerTest, MatchesAStepByStepCompositionInBothDirections) {
  const RnnMode mode = GetParam();
  const Tensor x = random_normal({5, 3, 4}, 11);
  const Tensor h0 = random_normal({3, 6}, 12), c0 = random_normal({3, 6}, 13);
  const Weights w = weights(mode, 4, 6, 20);
  const bool lstm = mode == RnnMode::kLstm;
  for (bool reverse : {false, true}) {
    SCOPED_TRACE(reverse ? "reverse" : "forward");
    const RnnLayerOutput got =
        rnn_layer(mode, x, h0, lstm ? c0 : Tensor(), w.w_ih, w.w_hh, w.b_ih, w.b_hh, reverse);
    const RnnLayerOutput want = reference(mode, x, h0, c0, w, reverse);
    EXPECT_TENSOR_NEAR(got.output, want.output, 1e-13);
    EXPECT_TENSOR_NEAR(got.h_n, want.h_n, 1e-13);
    EXPECT_TENSOR_NEAR(got.h_n, got.output.select(0, reverse ? 0 : 4), 0.0);
    EXPECT_EQ(got.c_n.defined(), lstm);
    if (lstm) {
      EXPECT_TENSOR_NEAR(got.c_n, want.c_n, 1e-13);
    }
  }
}

TEST_P(RnnLayerTest, AbsentStatesAreZerosAndAbsentBiasesZero) {
  const RnnMode mode = GetParam();
  const Tensor x = random_normal({3, 2, 4}, 31);
  const Weights w = weights(mode, 4, 5, 40);
  const Tensor zero = zeros({2, 5}, kFloat64),
               no_bias = zeros({rnn_gate_count(mode) * 5}, kFloat64);
  const bool lstm = mode == RnnMode::kLstm;
  const RnnLayerOutput got = rnn_layer(mode, x, {}, {}, w.w_ih, w.w_hh, {}, {});
  const RnnLayerOutput want =
      rnn_layer(mode, x, zero, lstm ? zero : Tensor(), w.w_ih, w.w_hh, no_bias, no_bias);
  EXPECT_TENSOR_EQ(got.output, want.output);
}

TEST_P(RnnLayerTest, BackwardMatchesFiniteDifferencesThroughEveryInputAndOutput) {
  const RnnMode mode = GetParam();
  const bool lstm = mode == RnnMode::kLstm;
  const Weights w = weights(mode, 3, 2, 50);
  std::vector<Tensor> inputs{random_normal({3, 2, 3}, 51),
                             random_normal({2, 2}, 52),
                             random_normal({2, 2}, 53),
                             w.w_ih,
                             w.w_hh,
                             w.b_ih,
                             w.b_hh};
  if (mode == RnnMode::kRnnRelu) {
    // A positive bias keeps the pre-activations away from relu's kink at 0 (and mostly above).
    inputs[5] = abs(inputs[5]) + 1.0;
  }
  for (bool reverse : {false, true}) {
    SCOPED_TRACE(reverse ? "reverse" : "forward");
    expect_gradients_match_finite_differences(
        [&](const std::vector<Tensor>& in) {
          return joined(rnn_layer(mode, in[0], in[1], lstm ? in[2] : Tensor(), in[3], in[4], in[5],
                                  in[6], reverse));
        },
        inputs);
  }
}

TEST_P(RnnLayerTest, BackwardWithoutInitialStatesOrBiasesMatchesFiniteDifferences) {
  const RnnMode mode = GetParam();
  const Weights w = weights(mode, 2, 3, 60);
  expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) {
        return joined(rnn_layer(mode, in[0], {}, {}, in[1], in[2], {}, {}, true));
      },
      {random_normal({2, 1, 2}, 61) + 0.5, w.w_ih, w.w_hh});
}

// On 3 threads a batch of 70 runs in three chunks of rows (24, 24, 22): outputs and every
// gradient agree with the step-by-step composition, whose autograd sees the batch whole.
TEST_P(RnnLayerTest, ChunkedBatchMatchesTheCompositionForwardAndBackward) {
  const RnnMode mode = GetParam();
  ScopedNumThreads threads(3);
  const bool lstm = mode == RnnMode::kLstm;
  const Weights w = weights(mode, 4, 5, 80);
  const Tensor x = random_normal({3, 70, 4}, 81), dy = random_normal({3, 70, 5}, 84);
  const Tensor h0 = random_normal({70, 5}, 82), c0 = random_normal({70, 5}, 83);
  for (bool reverse : {false, true}) {
    SCOPED_TRACE(reverse ? "reverse" : "forward");
    auto run = [&](bool composed) {
      std::vector<Tensor> leaves{x.clone(),      h0.clone(),     c0.clone(),    w.w_ih.clone(),
                                 w.w_hh.clone(), w.b_ih.clone(), w.b_hh.clone()};
      for (Tensor& t : leaves) t.set_requires_grad();
      const Tensor c = lstm ? leaves[2] : Tensor();
      const RnnLayerOutput r =
          composed ? reference(mode, leaves[0], leaves[1], leaves[2],
                               {leaves[3], leaves[4], leaves[5], leaves[6]}, reverse)
                   : rnn_layer(mode, leaves[0], leaves[1], c, leaves[3], leaves[4], leaves[5],
                               leaves[6], reverse);
      Tensor loss = sum(r.output * dy) + sum(r.h_n * r.h_n);
      if (lstm) loss = loss + sum(r.c_n * r.c_n);
      loss.backward();
      std::vector<Tensor> results{r.output.detach()};
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (i != 2 || lstm) results.push_back(leaves[i].grad());
      }
      return results;
    };
    const std::vector<Tensor> got = run(false), want = run(true);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_TENSOR_NEAR(got[i], want[i], 1e-11) << i;
  }
}

// A batch of no rows: empty outputs, and zero gradients for the weights.
TEST_P(RnnLayerTest, EmptyBatchGivesEmptyOutputsAndZeroWeightGradients) {
  const RnnMode mode = GetParam();
  for (DType dtype : {kFloat32, kFloat64}) {
    const Weights w = weights(mode, 4, 5, 90, dtype);
    Tensor w_hh = w.w_hh.clone().set_requires_grad();
    const RnnLayerOutput r =
        rnn_layer(mode, zeros({3, 0, 4}, dtype), {}, {}, w.w_ih, w_hh, w.b_ih, w.b_hh, false);
    EXPECT_EQ(r.output.shape(), Shape({3, 0, 5}));
    EXPECT_EQ(r.h_n.shape(), Shape({0, 5}));
    sum(r.output).backward();
    EXPECT_TENSOR_EQ(w_hh.grad(), zeros(w_hh.shape(), dtype));
  }
}

TEST_P(RnnLayerTest, IsBitIdenticalForAnyThreadCount) {
  const RnnMode mode = GetParam();
  const bool lstm = mode == RnnMode::kLstm;
  const Weights w = weights(mode, 30, 48, 70, kFloat32);
  const Tensor x = to(random_normal({7, 67, 30}, 71), kFloat32);
  const Tensor h0 = to(random_normal({67, 48}, 72), kFloat32);
  const Tensor c0 = to(random_normal({67, 48}, 73), kFloat32);
  const Tensor dy = to(random_normal({7, 67, 48}, 74), kFloat32);
  auto run = [&](int threads) {
    ScopedNumThreads guard(threads);
    std::vector<Tensor> leaves{x.clone(),      h0.clone(),     c0.clone(),    w.w_ih.clone(),
                               w.w_hh.clone(), w.b_ih.clone(), w.b_hh.clone()};
    for (Tensor& t : leaves) t.set_requires_grad();
    const RnnLayerOutput r = rnn_layer(mode, leaves[0], leaves[1], lstm ? leaves[2] : Tensor(),
                                       leaves[3], leaves[4], leaves[5], leaves[6]);
    Tensor loss = sum(r.output * dy) + sum(r.h_n * r.h_n);
    if (lstm) loss = loss + sum(r.c_n);
    loss.backward();
    std::vector<Tensor> results{r.output.detach()};
    for (const Tensor& t : leaves) {
      if (t.grad().defined()) results.push_back(t.grad());
    }
    return results;
  };
  const std::vector<Tensor> one = run(1);
  EXPECT_EQ(one.size(), lstm ? 8u : 7u);
  for (int threads : {2, 3}) {
    const std::vector<Tensor> many = run(threads);
    ASSERT_EQ(many.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i)
      EXPECT_TENSOR_EQ(many[i], one[i]) << threads << " " << i;
  }
}

// The bias gradients come from W_hh's gradient product when W_hh needs one (the column sums of
// the gate gradients, added while the product packs them) and from sum otherwise: the same bits,
// through gemm_tn (float32, H >= 64) and through the other products.
TEST_P(RnnLayerTest, BiasGradientsAreTheSameBitsWithOrWithoutTheWeightGradient) {
  const RnnMode mode = GetParam();
  for (DType dtype : {kFloat32, kFloat64}) {
    for (int64_t H : {5, 64}) {
      SCOPED_TRACE(::testing::Message() << name(dtype) << " H " << H);
      const Weights w = weights(mode, 7, H, 95, dtype);
      const Tensor x = to(random_normal({5, 11, 7}, 96), dtype);
      const Tensor dy = to(random_normal({5, 11, H}, 97), dtype);
      auto bias_grads = [&](bool w_hh_grad, bool b_ih_grad) {
        Tensor w_hh = w.w_hh.clone(), b_ih = w.b_ih.clone(), b_hh = w.b_hh.clone();
        w_hh.set_requires_grad(w_hh_grad);
        b_ih.set_requires_grad(b_ih_grad);
        b_hh.set_requires_grad();
        sum(rnn_layer(mode, x, {}, {}, w.w_ih, w_hh, b_ih, b_hh).output * dy).backward();
        return std::vector<Tensor>{b_ih_grad ? b_ih.grad() : Tensor(), b_hh.grad()};
      };
      const std::vector<Tensor> fused = bias_grads(true, true), apart = bias_grads(false, true);
      EXPECT_TENSOR_EQ(fused[0], apart[0]);
      EXPECT_TENSOR_EQ(fused[1], apart[1]);
      EXPECT_TENSOR_EQ(bias_grads(true, false)[1], apart[1]);
      // Two gradients, two buffers: a step on one must not move the other.
      EXPECT_NE(fused[0].raw_data(), fused[1].raw_data());
    }
  }
}

// float32 through the fast products (packed per-step products, k-major weight gradients for
// H >= 64) agrees with float64 through the reference ones, forward and backward.
TEST_P(RnnLayerTest, Float32AgreesWithFloat64AtAWideHiddenSize) {
  const RnnMode mode = GetParam();
  const bool lstm = mode == RnnMode::kLstm;
  const Weights w = weights(mode, 30, 64, 75);
  const Tensor x = random_normal({6, 37, 30}, 76), h0 = random_normal({37, 64}, 77);
  const Tensor c0 = random_normal({37, 64}, 78), dy = random_normal({6, 37, 64}, 79);
  auto run = [&](DType dtype) {
    std::vector<Tensor> leaves{to(x, dtype),      to(h0, dtype),     to(c0, dtype),
                               to(w.w_ih, dtype), to(w.w_hh, dtype), to(w.b_ih, dtype),
                               to(w.b_hh, dtype)};
    for (Tensor& t : leaves) t.set_requires_grad();
    const RnnLayerOutput r = rnn_layer(mode, leaves[0], leaves[1], lstm ? leaves[2] : Tensor(),
                                       leaves[3], leaves[4], leaves[5], leaves[6]);
    sum(r.output * to(dy, dtype)).backward();
    std::vector<Tensor> results{to(r.output.detach(), kFloat64)};
    for (const Tensor& t : leaves) {
      if (t.grad().defined()) results.push_back(to(t.grad(), kFloat64));
    }
    return results;
  };
  const std::vector<Tensor> single = run(kFloat32), twice = run(kFloat64);
  ASSERT_EQ(single.size(), twice.size());
  for (size_t i = 0; i < single.size(); ++i) {
    const double scale = max(abs(twice[i])).item();
    EXPECT_LT(max(abs(single[i] - twice[i])).item(), 1e-4 * scale) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, RnnLayerTest, ::testing::ValuesIn(kModes),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case RnnMode::kRnnTanh:
                               return "RnnTanh";
                             case RnnMode::kRnnRelu:
                               return "RnnRelu";
                             case RnnMode::kLstm:
                               return "Lstm";
                             default:
                               return "Gru";
                           }
                         });

TEST(RnnLayer, OneUnitTanhRnnByHand) {
  // h1 = tanh(0.5 * 1 + 0.1 + 0.2), h2 = tanh(0.5 * -2 + 0.1 + 0.2 + 0.8 h1).
  const Tensor x = Tensor::from(std::vector<double>{1.0, -2.0}, Shape{2, 1, 1});
  const RnnLayerOutput r =
      rnn_layer(RnnMode::kRnnTanh, x, {}, {}, Tensor::from({{0.5}}), Tensor::from({{0.8}}),
                Tensor::from({0.1}), Tensor::from({0.2}));
  const double h1 = std::tanh(0.8), h2 = std::tanh(-0.7 + 0.8 * h1);
  EXPECT_TENSOR_NEAR(r.output, Tensor::from(std::vector<double>{h1, h2}, Shape{2, 1, 1}), 1e-15);
}

TEST(RnnLayer, OneUnitLstmByHand) {
  // Every gate's weights 0 and biases give i = f = o = sigmoid(1), g = tanh(1), so
  // c1 = sig(1) c0 + sig(1) tanh(1) and h1 = sig(1) tanh(c1).
  const Tensor x = Tensor::from(std::vector<double>{3.0}, Shape{1, 1, 1});
  const RnnLayerOutput r = rnn_layer(
      RnnMode::kLstm, x, Tensor::from({{0.0}}), Tensor::from({{2.0}}), zeros({4, 1}, kFloat64),
      zeros({4, 1}, kFloat64), Tensor::from({1.0, 1.0, 1.0, 1.0}), {});
  const double s = 1.0 / (1.0 + std::exp(-1.0));
  const double c1 = s * 2.0 + s * std::tanh(1.0);
  EXPECT_NEAR(r.c_n.item(), c1, 1e-15);
  EXPECT_NEAR(r.h_n.item(), s * std::tanh(c1), 1e-15);
}

// float32 gates use the kernel's own vectorizable exp and tanh: compare them with libm in double
// over saturation, the middle range and tiny arguments (one step, one unit, so h = tanh(x) for an
// RNN and h = z = sigmoid(x) for a GRU with h0 = 1 and only the z gate's weight set).
TEST(RnnLayer, Float32NonlinearitiesMatchLibmAcrossTheRange) {
  std::vector<double> xs{-100.0, -88.5, 88.5, 100.0, 1e-3, -1e-3, 1e-6, -1e-7, 0.0, 0.6249, 0.6251};
  for (int i = 0; i <= 4000; ++i) xs.push_back(-40.0 + 0.02 * i);
  const int64_t n = std::ssize(xs);
  const Tensor x = Tensor::from(xs, Shape{1, n, 1}, kFloat32);
  const Tensor h =
      rnn_layer(RnnMode::kRnnTanh, x, {}, {}, ones({1, 1}), zeros({1, 1}), {}, {}).output;
  const Tensor z = rnn_layer(RnnMode::kGru, x, ones({n, 1}), {},
                             Tensor::from({{0.0f}, {1.0f}, {0.0f}}), zeros({3, 1}), {}, {})
                       .output;
  const auto tanh_values = h.to_vector<float>(), sigmoid_values = z.to_vector<float>();
  for (int64_t i = 0; i < n; ++i) {
    const double v = static_cast<float>(xs[static_cast<size_t>(i)]);
    const double t = std::tanh(v), sg = 1.0 / (1.0 + std::exp(-v));
    EXPECT_NEAR(tanh_values[static_cast<size_t>(i)], t, 3e-7 * std::fabs(t) + 1e-37) << v;
    EXPECT_NEAR(sigmoid_values[static_cast<size_t>(i)], sg, 3e-7 * sg + 1e-37) << v;
  }
}

// A float32 LSTM step runs 8 units at a time, the units past the last multiple of 8 through a
// padded vector: with every unit given the same pre-activations, both give the same bits, across
// the gates' whole range (and a NaN stays a NaN); and both agree with float64.
TEST(RnnLayer, Float32LstmGatesAgreeBetweenVectorAndTailUnits) {
  std::vector<double> pre{-100.0, -30.0,  -5.0,   -0.6251, -0.6249, -1e-3, 0.0,  1e-6,
                          0.3,    0.6249, 0.6251, 2.0,     9.0,     40.0,  100.0};
  for (int i = 0; i <= 200; ++i) pre.push_back(-20.0 + 0.2 * i);
  const int64_t n = std::ssize(pre), H = 9;  // units 0-7 as a vector, unit 8 in the tail
  // Batch row r: every gate of every unit has pre-activation pre[r] (x = pre[r], w_ih = 1); c0
  // varies with the row so that c = f c0 + i g mixes both terms.
  const Tensor x = Tensor::from(pre, Shape{1, n, 1}, kFloat64);
  const Tensor c0 =
      expand(reshape(arange(0.0, double(n), 1.0, kFloat64) * 0.1 - 7.0, {n, 1}), {n, H});
  const Tensor w_ih = ones({4 * H, 1}, kFloat64), w_hh = zeros({4 * H, H}, kFloat64);
  auto run = [&](DType dtype) {
    const RnnLayerOutput r = rnn_layer(RnnMode::kLstm, to(x, dtype), zeros({n, H}, dtype),
                                       to(c0, dtype), to(w_ih, dtype), to(w_hh, dtype), {}, {});
    return std::vector<Tensor>{r.h_n, r.c_n};
  };
  const std::vector<Tensor> single = run(kFloat32), twice = run(kFloat64);
  for (size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE(k == 0 ? "h" : "c");
    const Tensor tail = single[k].narrow(1, H - 1, 1);
    EXPECT_TENSOR_EQ(single[k].narrow(1, 0, H - 1), expand(tail, {n, H - 1}));
    // Within 4e-7 relative (absolute below 1): c = f c0 + i g reaches 14.
    EXPECT_LT(max(abs(to(single[k], kFloat64) - twice[k]) / (abs(twice[k]) + 1.0)).item<double>(),
              4e-7);
  }
  const Tensor nan = Tensor::from(std::vector<double>{std::nan(""), 1.0}, Shape{1, 2, 1}, kFloat32);
  const Tensor h =
      rnn_layer(RnnMode::kLstm, nan, {}, {}, ones({4 * H, 1}), zeros({4 * H, H}), {}, {}).h_n;
  const std::vector<float> hv = h.to_vector<float>();
  EXPECT_TRUE(std::isnan(hv[0]));
  EXPECT_TRUE(std::isnan(hv[H - 1]));
  EXPECT_FALSE(std::isnan(hv[H]));
}

TEST(RnnLayer, NamesWhatIsWrongInItsArguments) {
  const Weights w = weights(RnnMode::kLstm, 4, 3, 80);
  const Tensor x = random_normal({5, 2, 4});
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, random_normal({5, 4}), {}, {}, w.w_ih, w.w_hh, {}, {}),
      "lstm: expected an input of shape [T, N, I] with T >= 1, got [5, 4]");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, random_normal({0, 2, 4}), {}, {}, w.w_ih, w.w_hh, {}, {}),
      "lstm: expected an input of shape [T, N, I] with T >= 1, got [0, 2, 4]");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, random_normal({5, 2, 3}), {}, {}, w.w_ih, w.w_hh, {}, {}),
      "lstm: w_ih has shape [12, 4]; expected [12, 3] (gates x hidden size, input features)");
  EXPECT_THROW_WITH_MESSAGE(rnn_layer(RnnMode::kGru, x, {}, {}, w.w_ih, w.w_hh, {}, {}),
                            "gru: w_hh has shape [12, 3]; expected [3 H, H] for hidden size H");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, x, random_normal({3, 3}), {}, w.w_ih, w.w_hh, {}, {}),
      "lstm: h0 has shape [3, 3]; expected [2, 3] (batch, hidden size)");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, x, {}, {}, w.w_ih, w.w_hh, random_normal({3}), {}),
      "lstm: b_ih has shape [3]; expected [12] (gates x hidden size)");
  const Weights g = weights(RnnMode::kGru, 4, 3, 81);
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kGru, x, {}, random_normal({2, 3}), g.w_ih, g.w_hh, {}, {}),
      "gru: c0 was given but only an LSTM has a cell state");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kLstm, to(x, kFloat32), {}, {}, w.w_ih, w.w_hh, {}, {}),
      "lstm: w_hh is float64 but the input is float32; expected the same dtype");
  EXPECT_THROW_WITH_MESSAGE(
      rnn_layer(RnnMode::kRnnTanh, Tensor::from({{{1}}}), {}, {}, w.w_ih, w.w_hh, {}, {}),
      "rnn_tanh: expected a float32 or float64 input, got int64");
}

}  // namespace
}  // namespace athanor
