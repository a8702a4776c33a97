// include/athanor/ops/rnn.h: one layer of a recurrent network (RNN, LSTM, GRU) in one direction
// over a whole sequence, recorded as a single autograd node.
#pragma once

#include <cstdint>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// The cell of a recurrent layer. Gate order in the weights is PyTorch's: LSTM i, f, g, o; GRU
/// r, z, n.
enum class RnnMode : uint8_t { kRnnTanh, kRnnRelu, kLstm, kGru };

/// Gates per hidden unit: 1 (RNN), 4 (LSTM), 3 (GRU).
int64_t rnn_gate_count(RnnMode mode);

/// The sequence of hidden states of a layer and its final states.
struct RnnLayerOutput {
  Tensor output;  // [T, N, H]: output[t] is the hidden state after reading x[t]
  Tensor h_n;     // [N, H]: the last hidden state (output[T - 1], or output[0] when reversed)
  Tensor c_n;     // [N, H]: the last cell state (LSTM; undefined otherwise)
};

/// One layer in one direction, time-major: x [T, N, I] (T >= 1), h0 and c0 [N, H] (undefined:
/// zeros; c0 for LSTM only), w_ih [G H, I], w_hh [G H, H], b_ih and b_hh [G H] (undefined: no
/// bias), G = rnn_gate_count(mode). `reverse` reads x from t = T - 1 down to 0.
///   RNN:  h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act tanh or relu;
///   LSTM: (i, f, g, o) = (sig, sig, tanh, sig)(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),
///         c_t = f c_{t-1} + i g, h_t = o tanh(c_t);
///   GRU:  (r, z) = sig(...), n = tanh(W_in x_t + b_in + r (W_hn h_{t-1} + b_hn)),
///         h_t = (1 - z) n + z h_{t-1}.
/// The input projection of all steps is one matrix product, each step one more (h W_hh^T) and a
/// fused gate kernel; backward (BPTT) reuses the saved gate activations. float32 or float64; every
/// floating argument must have x's dtype.
RnnLayerOutput rnn_layer(RnnMode mode, const Tensor& x, const Tensor& h0, const Tensor& c0,
                         const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                         const Tensor& b_hh, bool reverse = false);

}  // namespace athanor
