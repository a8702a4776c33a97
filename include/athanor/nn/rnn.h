// include/athanor/nn/rnn.h: the recurrent layers RNN, LSTM and GRU (several layers,
// bidirectional, batch_first, dropout between layers), with PyTorch's parameters and shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <athanor/core/random.h>
#include <athanor/nn/module.h>
#include <athanor/ops/rnn.h>

namespace athanor::nn {

struct RnnOptions {
  int64_t num_layers = 1;
  bool bias = true;
  /// Input and output as [N, T, features] instead of [T, N, features]; states keep [L D, N, H].
  bool batch_first = false;
  /// Dropout probability on each layer's output except the last, in training mode only.
  double dropout = 0.0;
  bool bidirectional = false;
  /// RNN only: "tanh" or "relu".
  std::string nonlinearity = "tanh";
  /// Seeds the layer's own dropout generator; without it dropout draws from the default one.
  std::optional<uint64_t> seed = std::nullopt;
  DType dtype = kFloat32;
};

/// The output sequence and final states of a recurrent layer.
struct RnnOutput {
  Tensor output;  // [T, N, D H] ([N, T, D H] with batch_first; [T, D H] for an unbatched input)
  Tensor h_n;     // [L D, N, H] ([L D, H] unbatched): each layer-direction's last hidden state
  Tensor c_n;     // LSTM only, like h_n: the last cell states
};

/// Shared machinery of RNN, LSTM and GRU. Input x: [T, N, input_size] (or [N, T, input_size] with
/// batch_first, or unbatched [T, input_size]); L = num_layers, D = 2 if bidirectional else 1.
/// Parameters, per layer k and direction (suffix "" or "_reverse"), in PyTorch's order and names:
/// weight_ih_l{k}{suffix} [G H, in] (in = input_size for k = 0, else D H), weight_hh_l{k}{suffix}
/// [G H, H], bias_ih_l{k}{suffix} and bias_hh_l{k}{suffix} [G H], G gates (RNN 1, LSTM 4 as
/// i, f, g, o, GRU 3 as r, z, n), all initialized U(-1/sqrt(H), 1/sqrt(H)) as PyTorch's.
class RnnBase : public Module {
 public:
  /// The output sequence (the last layer's hidden states, both directions concatenated).
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Generator* own_generator() override { return generator_ ? &*generator_ : nullptr; }

  int64_t input_size() const { return input_size_; }
  int64_t hidden_size() const { return hidden_size_; }
  const RnnOptions& options() const { return options_; }
  RnnMode mode() const { return mode_; }

 protected:
  RnnBase(RnnMode mode, int64_t input_size, int64_t hidden_size, const RnnOptions& options);
  /// h0, c0: [L D, N, H] ([L D, H] unbatched) or undefined (zeros).
  RnnOutput run(const Tensor& x, const Tensor& h0, const Tensor& c0);

 private:
  const char* name() const;
  void check_state(const char* what, const Tensor& state, bool batched, int64_t batch,
                   const Tensor& x) const;

  RnnMode mode_;
  int64_t input_size_;
  int64_t hidden_size_;
  RnnOptions options_;
  std::optional<Generator> generator_;
  struct Weights {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  std::vector<Weights> weights_;  // layer-major, direction-minor
};

/// Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu
/// (options.nonlinearity).
class RNN : public RnnBase {
 public:
  RNN(int64_t input_size, int64_t hidden_size, RnnOptions options = {});
  std::string type_name() const override { return "RNN"; }
  /// Output and final hidden states; h0 [L D, N, H] or undefined (zeros).
  RnnOutput forward_with_state(const Tensor& x, const Tensor& h0 = {}) { return run(x, h0, {}); }
};

/// LSTM (Hochreiter & Schmidhuber, 1997, with a forget gate): (i, f, g, o) = (sigmoid, sigmoid,
/// tanh, sigmoid)(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), c_t = f c_{t-1} + i g,
/// h_t = o tanh(c_t).
class LSTM : public RnnBase {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, RnnOptions options = {});
  std::string type_name() const override { return "LSTM"; }
  /// Output and final hidden and cell states; h0, c0 [L D, N, H] or undefined (zeros).
  RnnOutput forward_with_state(const Tensor& x, const Tensor& h0 = {}, const Tensor& c0 = {}) {
    return run(x, h0, c0);
  }
};

/// GRU (Cho et al., 2014), as PyTorch: (r, z) = sigmoid(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),
/// n = tanh(W_in x_t + b_in + r (W_hn h_{t-1} + b_hn)), h_t = (1 - z) n + z h_{t-1}.
class GRU : public RnnBase {
 public:
  GRU(int64_t input_size, int64_t hidden_size, RnnOptions options = {});
  std::string type_name() const override { return "GRU"; }
  /// Output and final hidden states; h0 [L D, N, H] or undefined (zeros).
  RnnOutput forward_with_state(const Tensor& x, const Tensor& h0 = {}) { return run(x, h0, {}); }
};

}  // namespace athanor::nn
