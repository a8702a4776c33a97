// src/nn/rnn.cpp: RNN, LSTM and GRU: layers and directions of rnn_layer stacked as PyTorch's.
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/nn/init.h>
#include <athanor/nn/rnn.h>
#include <athanor/ops/dropout.h>
#include <athanor/ops/join.h>
#include <athanor/ops/shape.h>

namespace athanor::nn {
namespace {

RnnMode rnn_mode_of(const std::string& nonlinearity) {
  ATHANOR_CHECK(nonlinearity == "tanh" || nonlinearity == "relu",
                "RNN: unknown nonlinearity '{}'; expected \"tanh\" or \"relu\"", nonlinearity);
  return nonlinearity == "tanh" ? RnnMode::kRnnTanh : RnnMode::kRnnRelu;
}

}  // namespace

RnnBase::RnnBase(RnnMode mode, int64_t input_size, int64_t hidden_size, const RnnOptions& options)
    : mode_(mode), input_size_(input_size), hidden_size_(hidden_size), options_(options) {
  const char* n = name();
  ATHANOR_CHECK(input_size > 0 && hidden_size > 0,
                "{}: input_size and hidden_size must be positive, got {} and {}", n, input_size,
                hidden_size);
  ATHANOR_CHECK(options_.num_layers >= 1, "{}: num_layers must be at least 1, got {}", n,
                options_.num_layers);
  ATHANOR_CHECK(options_.dropout >= 0.0 && options_.dropout <= 1.0,
                "{}: dropout must be in [0, 1], got {}", n, options_.dropout);
  ATHANOR_CHECK(
      mode == RnnMode::kRnnTanh || mode == RnnMode::kRnnRelu || options_.nonlinearity == "tanh",
      "{}: nonlinearity is an option of RNN only, got '{}'", n, options_.nonlinearity);
  ATHANOR_CHECK(is_floating(options_.dtype), "{}: expected a floating-point dtype, got {}", n,
                options_.dtype);
  if (options_.seed) generator_.emplace(*options_.seed);

  const int64_t gates = rnn_gate_count(mode) * hidden_size;
  const int64_t directions = options_.bidirectional ? 2 : 1;
  for (int64_t layer = 0; layer < options_.num_layers; ++layer) {
    const int64_t in = layer == 0 ? input_size : directions * hidden_size;
    for (int64_t d = 0; d < directions; ++d) {
      const std::string suffix = fmt::format("_l{}{}", layer, d == 1 ? "_reverse" : "");
      Weights w;
      w.w_ih = register_parameter("weight_ih" + suffix, empty(Shape{gates, in}, options_.dtype));
      w.w_hh = register_parameter("weight_hh" + suffix,
                                  empty(Shape{gates, hidden_size}, options_.dtype));
      if (options_.bias) {
        w.b_ih = register_parameter("bias_ih" + suffix, empty(Shape{gates}, options_.dtype));
        w.b_hh = register_parameter("bias_hh" + suffix, empty(Shape{gates}, options_.dtype));
      }
      weights_.push_back(w);
    }
  }
  // PyTorch's reset_parameters: every weight and bias U(-1/sqrt(H), 1/sqrt(H)), in order.
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (const Tensor& p : parameters()) init::uniform_(p, -bound, bound);
}

const char* RnnBase::name() const {
  switch (mode_) {
    case RnnMode::kLstm:
      return "LSTM";
    case RnnMode::kGru:
      return "GRU";
    default:
      return "RNN";
  }
}

void RnnBase::check_state(const char* what, const Tensor& state, bool batched, int64_t batch,
                          const Tensor& x) const {
  if (!state.defined()) return;
  const int64_t states = options_.num_layers * (options_.bidirectional ? 2 : 1);
  const Shape expected = batched ? Shape{states, batch, hidden_size_} : Shape{states, hidden_size_};
  ATHANOR_CHECK(state.shape() == expected,
                "{}: {} has shape {} for input shape {}; expected {} (num_layers * directions, "
                "{}hidden_size)",
                name(), what, state.shape(), x.shape(), expected, batched ? "batch, " : "");
  const DType dtype = weights_[0].w_ih.dtype();  // options_.dtype unless converted by to()
  ATHANOR_CHECK(state.dtype() == dtype,
                "{}: {} is {} but the layer's parameters are {}; expected the same dtype", name(),
                what, state.dtype(), dtype);
}

RnnOutput RnnBase::run(const Tensor& x, const Tensor& h0, const Tensor& c0) {
  const char* n = name();
  ATHANOR_CHECK(x.dim() == 2 || x.dim() == 3,
                "{}: expected an input of shape {} or [T, {}] (unbatched), got {}", n,
                options_.batch_first ? "[N, T, input_size]" : "[T, N, input_size]", input_size_,
                x.shape());
  ATHANOR_CHECK(x.shape(-1) == input_size_,
                "{}: input has {} features, layer expects input_size {} (input shape {})", n,
                x.shape(-1), input_size_, x.shape());
  const DType dtype = weights_[0].w_ih.dtype();  // options_.dtype unless converted by to()
  ATHANOR_CHECK(x.dtype() == dtype,
                "{}: input is {} but the layer's parameters are {}; expected the same dtype "
                "(convert one with to())",
                n, x.dtype(), dtype);
  const bool batched = x.dim() == 3;
  // Time-major [T, N, I] from here on.
  const Tensor seq = !batched ? unsqueeze(x, 1) : options_.batch_first ? transpose(x, 0, 1) : x;
  ATHANOR_CHECK(seq.shape(0) >= 1,
                "{}: expected a sequence of at least one step, got input shape {}", n, x.shape());
  const int64_t batch = seq.shape(1);
  check_state("h0", h0, batched, batch, x);
  check_state("c0", c0, batched, batch, x);
  const Tensor h0s = h0.defined() && !batched ? unsqueeze(h0, 1) : h0;
  const Tensor c0s = c0.defined() && !batched ? unsqueeze(c0, 1) : c0;

  const int64_t directions = options_.bidirectional ? 2 : 1;
  Tensor layer_input = seq;
  std::vector<Tensor> h_n, c_n;
  for (int64_t layer = 0; layer < options_.num_layers; ++layer) {
    std::vector<Tensor> outputs;
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t k = layer * directions + d;
      const Weights& w = weights_[static_cast<size_t>(k)];
      const RnnLayerOutput r = rnn_layer(
          mode_, layer_input, h0s.defined() ? h0s.select(0, k) : Tensor(),
          c0s.defined() ? c0s.select(0, k) : Tensor(), w.w_ih, w.w_hh, w.b_ih, w.b_hh, d == 1);
      outputs.push_back(r.output);
      h_n.push_back(r.h_n);
      if (r.c_n.defined()) c_n.push_back(r.c_n);
    }
    layer_input = directions == 1 ? outputs[0] : concat(outputs, 2);
    if (layer + 1 < options_.num_layers) {
      layer_input = dropout(layer_input, options_.dropout, is_training(), own_generator());
    }
  }
  RnnOutput out;
  out.output = !batched               ? squeeze(layer_input, 1)
               : options_.batch_first ? transpose(layer_input, 0, 1)
                                      : layer_input;
  out.h_n = stack(h_n, 0);
  if (!c_n.empty()) out.c_n = stack(c_n, 0);
  if (!batched) {
    out.h_n = squeeze(out.h_n, 1);
    if (out.c_n.defined()) out.c_n = squeeze(out.c_n, 1);
  }
  return out;
}

Tensor RnnBase::forward(const Tensor& x) { return run(x, {}, {}).output; }

std::string RnnBase::extra_repr() const {
  std::string s = fmt::format("{}, {}", input_size_, hidden_size_);
  if (options_.num_layers != 1) s += fmt::format(", num_layers={}", options_.num_layers);
  if (!options_.bias) s += ", bias=False";
  if (options_.batch_first) s += ", batch_first=True";
  if (options_.dropout != 0.0) s += fmt::format(", dropout={}", options_.dropout);
  if (options_.bidirectional) s += ", bidirectional=True";
  return s;
}

RNN::RNN(int64_t input_size, int64_t hidden_size, RnnOptions options)
    : RnnBase(rnn_mode_of(options.nonlinearity), input_size, hidden_size, options) {}

LSTM::LSTM(int64_t input_size, int64_t hidden_size, RnnOptions options)
    : RnnBase(RnnMode::kLstm, input_size, hidden_size, options) {}

GRU::GRU(int64_t input_size, int64_t hidden_size, RnnOptions options)
    : RnnBase(RnnMode::kGru, input_size, hidden_size, options) {}

}  // namespace athanor::nn
