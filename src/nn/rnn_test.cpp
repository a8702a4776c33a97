// src/nn/rnn_test.cpp: RNN, LSTM and GRU as modules: PyTorch's state-dict names, shapes and
// initialization bounds, printing, batch_first and unbatched inputs against time-major ones, the
// final states of a bidirectional layer, dropout between layers (train only, seeded), gradient
// checks through inputs, initial states and parameters, dtype conversion, and errors.
// (Values against PyTorch: rnn_golden_test.cpp.)
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/nn/rnn.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::nn {
namespace {

using testing::random_normal;

TEST(RnnModules, StateDictNamesShapesAndOrderMatchPyTorch) {
  const LSTM lstm(5, 4, {.num_layers = 2, .bidirectional = true});
  std::vector<std::string> keys;
  for (const auto& [name, t] : lstm.state_dict()) keys.push_back(name + to_string(t.shape()));
  // torch.nn.LSTM(5, 4, num_layers=2, bidirectional=True).state_dict(), in order.
  EXPECT_EQ(
      keys,
      (std::vector<std::string>{
          "weight_ih_l0[16, 5]", "weight_hh_l0[16, 4]", "bias_ih_l0[16]", "bias_hh_l0[16]",
          "weight_ih_l0_reverse[16, 5]", "weight_hh_l0_reverse[16, 4]", "bias_ih_l0_reverse[16]",
          "bias_hh_l0_reverse[16]", "weight_ih_l1[16, 8]", "weight_hh_l1[16, 4]", "bias_ih_l1[16]",
          "bias_hh_l1[16]", "weight_ih_l1_reverse[16, 8]", "weight_hh_l1_reverse[16, 4]",
          "bias_ih_l1_reverse[16]", "bias_hh_l1_reverse[16]"}));
  EXPECT_EQ(lstm.num_parameters(), 800);  // as PyTorch counts
  const GRU gru(3, 4, {.bias = false});
  EXPECT_EQ(gru.state_dict().keys(), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0"}));
  EXPECT_EQ(gru.num_parameters(), 84);
  EXPECT_EQ(RNN(3, 4).state_dict().at("weight_ih_l0").shape(), (Shape{4, 3}));
}

TEST(RnnModules, InitializeEveryParameterUniformWithinOneOverSqrtHidden) {
  manual_seed(3);
  const LSTM lstm(10, 16, {.num_layers = 2});
  for (const auto& [name, p] : lstm.named_parameters()) {
    EXPECT_LE(max(abs(p)).item(), 0.25) << name;
    EXPECT_GT(max(abs(p)).item(), 0.2) << name;  // spread over the range, not all near 0
  }
}

TEST(RnnModules, PrintLikePyTorch) {
  EXPECT_EQ(
      LSTM(28, 128, {.num_layers = 2, .batch_first = true, .dropout = 0.5, .bidirectional = true})
          .to_string(),
      "LSTM(28, 128, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)");
  EXPECT_EQ(RNN(3, 4, {.bias = false, .nonlinearity = "relu"}).to_string(),
            "RNN(3, 4, bias=False)");
  EXPECT_EQ(GRU(3, 4).to_string(), "GRU(3, 4)");
}

TEST(RnnModules, BatchFirstAndUnbatchedInputsAgreeWithTimeMajor) {
  GRU time_major(3, 4, {.num_layers = 2, .bidirectional = true, .dtype = kFloat64});
  GRU batch_first(3, 4,
                  {.num_layers = 2, .batch_first = true, .bidirectional = true, .dtype = kFloat64});
  batch_first.load_state_dict(time_major.state_dict());
  const Tensor x = random_normal({5, 2, 3}), h0 = random_normal({4, 2, 4});
  const RnnOutput a = time_major.forward_with_state(x, h0);
  const RnnOutput b = batch_first.forward_with_state(transpose(x, 0, 1), h0);
  EXPECT_EQ(b.output.shape(), (Shape{2, 5, 8}));
  EXPECT_TENSOR_NEAR(transpose(b.output, 0, 1), a.output, 0.0);
  EXPECT_TENSOR_NEAR(b.h_n, a.h_n, 0.0);
  // Unbatched [T, I] with states [L D, H] is the batch of one.
  const RnnOutput one = time_major.forward_with_state(x.select(1, 1), h0.select(1, 1));
  EXPECT_EQ(one.output.shape(), (Shape{5, 8}));
  EXPECT_EQ(one.h_n.shape(), (Shape{4, 4}));
  EXPECT_TENSOR_NEAR(one.output, a.output.select(1, 1), 1e-15);
  EXPECT_TENSOR_NEAR(one.h_n, a.h_n.select(1, 1), 1e-15);
}

TEST(RnnModules, BidirectionalFinalStatesAreEachDirectionsLastStep) {
  LSTM lstm(3, 4, {.bidirectional = true, .dtype = kFloat64});
  const RnnOutput r = lstm.forward_with_state(random_normal({6, 2, 3}));
  EXPECT_EQ(r.output.shape(), (Shape{6, 2, 8}));
  EXPECT_EQ(r.h_n.shape(), (Shape{2, 2, 4}));
  EXPECT_EQ(r.c_n.shape(), (Shape{2, 2, 4}));
  // Forward direction: its state after t = 5 (first half); reverse: after t = 0 (second half).
  EXPECT_TENSOR_NEAR(r.h_n.select(0, 0), r.output.select(0, 5).narrow(1, 0, 4), 0.0);
  EXPECT_TENSOR_NEAR(r.h_n.select(0, 1), r.output.select(0, 0).narrow(1, 4, 4), 0.0);
  EXPECT_TENSOR_NEAR(lstm(random_normal({6, 2, 3}, 2)),
                     lstm.forward_with_state(random_normal({6, 2, 3}, 2)).output, 0.0);
}

TEST(RnnModules, DropoutActsBetweenLayersOnlyInTrainingAndIsSeeded) {
  const RnnOptions options{.num_layers = 2, .dropout = 0.5, .seed = 9, .dtype = kFloat64};
  LSTM a(3, 4, options), b(3, 4, options);
  LSTM plain(3, 4, {.num_layers = 2, .dtype = kFloat64});
  b.load_state_dict(a.state_dict());
  plain.load_state_dict(a.state_dict());
  const Tensor x = random_normal({5, 2, 3});
  const Tensor first = a(x);
  EXPECT_TENSOR_NEAR(b(x), first, 0.0);                    // same seed, same masks
  EXPECT_FALSE(testing::tensors_near(a(x), first, 1e-6));  // the generator moved on
  EXPECT_FALSE(testing::tensors_near(first, plain(x), 1e-6));
  a.eval();
  EXPECT_TENSOR_NEAR(a(x), plain(x), 0.0);
  // One layer: nothing lies between layers, so dropout changes nothing even when training.
  GRU single(3, 4, {.dropout = 0.5, .seed = 1, .dtype = kFloat64});
  const Tensor y = single(x);
  single.eval();
  EXPECT_TENSOR_NEAR(single(x), y, 0.0);
}

// output, h_n (and c_n) in one vector, so one gradient check covers them all.
Tensor joined(const RnnOutput& r) {
  std::vector<Tensor> parts{reshape(r.output, {-1}), reshape(r.h_n, {-1})};
  if (r.c_n.defined()) parts.push_back(reshape(r.c_n, {-1}));
  return concat(parts, 0);
}

TEST(RnnModules, LstmGradientsMatchFiniteDifferencesThroughStatesAndParameters) {
  LSTM lstm(2, 2, {.num_layers = 2, .batch_first = true, .bidirectional = true, .dtype = kFloat64});
  testing::expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) {
        return joined(lstm.forward_with_state(in[0], in[1], in[2]));
      },
      {random_normal({2, 3, 2}, 1), random_normal({4, 2, 2}, 2), random_normal({4, 2, 2}, 3)},
      lstm.parameters());
}

TEST(RnnModules, GruAndRnnGradientsMatchFiniteDifferences) {
  GRU gru(2, 3, {.num_layers = 2, .dtype = kFloat64});
  testing::expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) { return joined(gru.forward_with_state(in[0], in[1])); },
      {random_normal({3, 2, 2}, 4), random_normal({2, 2, 3}, 5)}, gru.parameters());
  RNN rnn(2, 3, {.bidirectional = true, .dtype = kFloat64});
  testing::expect_gradients_match_finite_differences(
      [&](const std::vector<Tensor>& in) { return joined(rnn.forward_with_state(in[0], in[1])); },
      {random_normal({3, 2, 2}, 6), random_normal({2, 2, 3}, 7)}, rnn.parameters());
}

TEST(RnnModules, RunInTheDtypeTheyWereConvertedTo) {
  LSTM lstm(3, 4);
  const Tensor x = random_normal({2, 1, 3});
  const Tensor y32 = lstm(to(x, kFloat32));
  lstm.to(kFloat64);
  EXPECT_EQ(lstm(x).dtype(), kFloat64);
  EXPECT_TENSOR_NEAR(to(lstm(x), kFloat32), y32, 1e-6);
}

TEST(RnnModules, NameWhatIsWrongWithTheirInputs) {
  LSTM lstm(3, 4, {.num_layers = 2});
  EXPECT_THROW_WITH_MESSAGE(lstm(zeros({2, 3, 3, 1})),
                            "LSTM: expected an input of shape [T, N, input_size] or [T, 3] "
                            "(unbatched), got [2, 3, 3, 1]");
  EXPECT_THROW_WITH_MESSAGE(lstm(zeros({5, 2, 4})),
                            "LSTM: input has 4 features, layer expects input_size 3 (input shape "
                            "[5, 2, 4])");
  EXPECT_THROW_WITH_MESSAGE(lstm(zeros({0, 2, 3})),
                            "LSTM: expected a sequence of at least one step, got input shape "
                            "[0, 2, 3]");
  EXPECT_THROW_WITH_MESSAGE(lstm(zeros({5, 2, 3}, kFloat64)),
                            "LSTM: input is float64 but the layer's parameters are float32");
  EXPECT_THROW_WITH_MESSAGE(
      lstm.forward_with_state(zeros({5, 2, 3}), zeros({2, 3, 4})),
      "LSTM: h0 has shape [2, 3, 4] for input shape [5, 2, 3]; expected [2, 2, 4] "
      "(num_layers * directions, batch, hidden_size)");
  EXPECT_THROW_WITH_MESSAGE(lstm.forward_with_state(zeros({5, 3}), zeros({2, 4}), zeros({1, 4})),
                            "LSTM: c0 has shape [1, 4] for input shape [5, 3]; expected [2, 4] "
                            "(num_layers * directions, hidden_size)");
  GRU gru(3, 4, {.batch_first = true});
  EXPECT_THROW_WITH_MESSAGE(gru(zeros({3})), "GRU: expected an input of shape [N, T, input_size]");
  EXPECT_THROW_WITH_MESSAGE(RNN(3, 4, {.nonlinearity = "sigmoid"}),
                            "RNN: unknown nonlinearity 'sigmoid'; expected \"tanh\" or \"relu\"");
  EXPECT_THROW_WITH_MESSAGE(GRU(3, 4, {.nonlinearity = "relu"}),
                            "GRU: nonlinearity is an option of RNN only, got 'relu'");
  EXPECT_THROW_WITH_MESSAGE(LSTM(3, 4, {.num_layers = 0}),
                            "LSTM: num_layers must be at least 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(LSTM(3, 4, {.dropout = 1.5}),
                            "LSTM: dropout must be in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(LSTM(0, 4), "LSTM: input_size and hidden_size must be positive");
}

}  // namespace
}  // namespace athanor::nn
