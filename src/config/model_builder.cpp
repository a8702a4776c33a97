// src/config/model_builder.cpp: build_model: [model].layers -> nn::Sequential, sizing each layer
// from the shape a probe batch has when it reaches it (Keras's shape inference).
#include <athanor/autograd/grad_mode.h>
#include <athanor/config/builders.h>
#include <athanor/core/error.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/dropout.h>
#include <athanor/nn/flatten.h>
#include <athanor/nn/init.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/normalization.h>
#include <athanor/nn/pooling.h>
#include <athanor/nn/rnn.h>
#include <athanor/ops/shape.h>

namespace athanor::config {

namespace {

/// One example's shape: the probe's shape without its batch dim.
Shape example_of(const Tensor& probe) {
  Shape s = probe.shape();
  s.erase(0);
  return s;
}

void init_weight(const Tensor& weight, const Tensor& bias, const std::string& init) {
  if (init == "default") return;
  if (init == "xavier_uniform") {
    nn::init::xavier_uniform_(weight);
  } else if (init == "xavier_normal") {
    nn::init::xavier_normal_(weight);
  } else if (init == "kaiming_uniform") {
    nn::init::kaiming_uniform_(weight, {.nonlinearity = "relu"});
  } else if (init == "kaiming_normal") {
    nn::init::kaiming_normal_(weight, {.nonlinearity = "relu"});
  } else if (init == "orthogonal") {
    nn::init::orthogonal_(weight);
  } else if (init == "zeros") {
    nn::init::zeros_(weight);
  }
  // Keras and the usual recipes start biases at zero with an explicit initializer.
  if (bias.defined()) nn::init::zeros_(bias);
}

/// A recurrent layer reading [N, T, features] (batch first) that returns, as Keras's
/// return_sequences = false, only its final hidden state [N, D H]: the last step of the forward
/// direction and, when bidirectional, the first step of the backward one. Its parameters keep
/// PyTorch's names (weight_ih_l0, ...).
template <typename Rnn>
class FinalState : public Rnn {
 public:
  using Rnn::Rnn;
  Tensor forward(const Tensor& x) override {
    const Tensor h_n = this->forward_with_state(x).h_n;  // [L D, N, H]
    const int64_t directions = this->options().bidirectional ? 2 : 1;
    const Tensor last = narrow(h_n, 0, h_n.shape(0) - directions, directions);  // [D, N, H]
    return reshape(transpose(last, 0, 1), {last.shape(1), directions * this->hidden_size()});
  }
};

template <typename Rnn>
std::shared_ptr<nn::Module> make_recurrent(int64_t input_size, const Options& o,
                                           nn::RnnOptions options) {
  if (o.get_bool("return_sequences")) {
    return std::make_shared<Rnn>(input_size, o.get_int("units"), options);
  }
  return std::make_shared<FinalState<Rnn>>(input_size, o.get_int("units"), options);
}

/// A Conv1d or Conv2d with `in_channels` inputs from a layer's options, initialized by its `init`.
template <typename Conv, typename ConvOptions>
std::shared_ptr<nn::Module> conv(int64_t in_channels, const Options& o) {
  auto c = std::make_shared<Conv>(in_channels, o.get_int("filters"), o.get_int("kernel"),
                                  ConvOptions{.stride = o.get_int("stride"),
                                              .padding = o.get_int("padding"),
                                              .dilation = o.get_int("dilation"),
                                              .groups = o.get_int("groups"),
                                              .bias = o.get_bool("bias")});
  init_weight(c->weight, c->bias, o.get_string("init"));
  return c;
}

class Builder {
 public:
  explicit Builder(int64_t num_outputs) : num_outputs_(num_outputs) {}

  /// Appends the layers to `seq`, advancing `probe` through each.
  void build(const std::vector<LayerConfig>& layers, const std::string& prefix, nn::Sequential& seq,
             Tensor& probe) {
    for (size_t i = 0; i < layers.size(); ++i) {
      const std::string name = fmt::format("{}[{}]", prefix, i);
      std::shared_ptr<nn::Module> module = make(layers[i], name, probe);
      module->eval();
      try {
        NoGradGuard no_grad;
        probe = (*module)(probe);
      } catch (const Error& e) {
        throw Error(fmt::format("{} ({}): does not fit input shape {}: {}", name, layers[i].type,
                                example_of(probe), e.what()));
      }
      seq.push_back(module);
    }
  }

 private:
  [[noreturn]] void misfit(const std::string& name, const LayerConfig& layer,
                           const std::string& expects, const Tensor& probe,
                           const std::string& hint = "") const {
    throw Error(fmt::format("{} ({}): expects input {}, got input shape {}{}", name, layer.type,
                            expects, example_of(probe), hint));
  }

  int64_t units(const std::string& name, const LayerConfig& layer) const {
    const OptionValue& v = layer.options.values().at("units");
    if (const auto* n = std::get_if<int64_t>(&v)) return *n;
    ATHANOR_CHECK(num_outputs_ > 0,
                  "{} ({}): units = \"{}\" needs the data's output size, which is unknown here",
                  name, layer.type, std::get<std::string>(v));
    return num_outputs_;
  }

  std::shared_ptr<nn::Module> make(const LayerConfig& layer, const std::string& name,
                                   const Tensor& probe) {
    const Options& o = layer.options;
    const std::string& type = layer.type;
    const Shape in = example_of(probe);
    const int rank = in.rank();
    if (type == "linear") {
      if (rank != 1) {
        misfit(name, layer, "[features]", probe,
               rank > 1 ? "; add { type = \"flatten\" } before it" : "");
      }
      auto m = std::make_shared<nn::Linear>(in[0], units(name, layer), o.get_bool("bias"));
      init_weight(m->weight, m->bias, o.get_string("init"));
      return m;
    }
    if (type == "conv1d" || type == "conv2d") {
      const bool two_d = type == "conv2d";
      if (rank != (two_d ? 3 : 2)) {
        misfit(name, layer, two_d ? "[channels, height, width]" : "[channels, length]", probe);
      }
      if (two_d) return conv<nn::Conv2d, nn::Conv2dOptions>(in[0], o);
      return conv<nn::Conv1d, nn::Conv1dOptions>(in[0], o);
    }
    if (type == "maxpool2d" || type == "avgpool2d" || type == "adaptive_avgpool2d") {
      if (rank != 3) misfit(name, layer, "[channels, height, width]", probe);
      if (type == "adaptive_avgpool2d") {
        return std::make_shared<nn::AdaptiveAvgPool2d>(o.get_int("output_size"));
      }
      if (type == "maxpool2d") {
        return std::make_shared<nn::MaxPool2d>(
            o.get_int("kernel"),
            nn::MaxPool2dOptions{.stride = o.get_int("stride"), .padding = o.get_int("padding")});
      }
      return std::make_shared<nn::AvgPool2d>(
          o.get_int("kernel"),
          nn::AvgPool2dOptions{.stride = o.get_int("stride"), .padding = o.get_int("padding")});
    }
    if (type == "batchnorm") {
      const nn::BatchNormOptions options{.eps = o.get_double("eps"),
                                         .momentum = o.get_double("momentum")};
      // As Keras's BatchNormalization: features of [F], channels of [C, L] or [C, H, W].
      if (rank == 1 || rank == 2) return std::make_shared<nn::BatchNorm1d>(in[0], options);
      if (rank == 3) return std::make_shared<nn::BatchNorm2d>(in[0], options);
      misfit(name, layer, "[features], [channels, length] or [channels, height, width]", probe);
    }
    if (type == "layernorm") {
      if (rank < 1) misfit(name, layer, "[..., features]", probe);
      return std::make_shared<nn::LayerNorm>(Shape{in[rank - 1]},
                                             nn::LayerNormOptions{.eps = o.get_double("eps")});
    }
    if (type == "rnn" || type == "lstm" || type == "gru") {
      if (rank != 2) {
        misfit(name, layer, "[steps, features]", probe,
               rank == 3 && in[0] == 1
                   ? fmt::format("; add {{ type = \"reshape\", shape = [{}, {}] }} before it",
                                 in[1], in[2])
                   : std::string());
      }
      const nn::RnnOptions options{
          .num_layers = o.get_int("num_layers"),
          .batch_first = true,
          .dropout = o.get_double("dropout"),
          .bidirectional = o.get_bool("bidirectional"),
          .nonlinearity = type == "rnn" ? o.get_string("nonlinearity") : std::string("tanh")};
      if (type == "lstm") return make_recurrent<nn::LSTM>(in[1], o, options);
      if (type == "gru") return make_recurrent<nn::GRU>(in[1], o, options);
      return make_recurrent<nn::RNN>(in[1], o, options);
    }
    if (type == "reshape") {
      const std::vector<double>& dims = o.get_list("shape");
      Shape shape;
      for (double d : dims) shape.push_back(static_cast<int64_t>(d));
      return std::make_shared<nn::Reshape>(shape);
    }
    if (type == "dropout") return std::make_shared<nn::Dropout>(o.get_double("p"));
    if (type == "flatten") return std::make_shared<nn::Flatten>();
    if (type == "identity") return std::make_shared<nn::Identity>();
    if (type == "relu") return std::make_shared<nn::ReLU>();
    if (type == "leaky_relu") {
      return std::make_shared<nn::LeakyReLU>(o.get_double("negative_slope"));
    }
    if (type == "elu") return std::make_shared<nn::ELU>(o.get_double("alpha"));
    if (type == "gelu") return std::make_shared<nn::GELU>(o.get_string("approximate"));
    if (type == "sigmoid") return std::make_shared<nn::Sigmoid>();
    if (type == "tanh") return std::make_shared<nn::Tanh>();
    if (type == "softplus") {
      return std::make_shared<nn::Softplus>(o.get_double("beta"), o.get_double("threshold"));
    }
    if (type == "softmax" || type == "log_softmax") {
      // The layer's dim counts the batch dim as PyTorch's does; -1 is the features.
      const int dim = static_cast<int>(o.get_int("dim"));
      if (type == "softmax") return std::make_shared<nn::Softmax>(dim);
      return std::make_shared<nn::LogSoftmax>(dim);
    }
    if (type == "residual") return residual(layer, name, probe);
    throw Error(fmt::format("{}: unknown layer type '{}'", name, type));
  }

  /// y = body(x) + shortcut(x): the identity when the body keeps the shape, else a projection
  /// (a strided 1x1 convolution with batch norm for images, a linear map for features), as
  /// ResNet's.
  std::shared_ptr<nn::Module> residual(const LayerConfig& layer, const std::string& name,
                                       const Tensor& probe) {
    nn::Sequential body;
    Tensor out = probe;
    build(layer.layers, name + ".layers", body, out);
    const Shape in_shape = example_of(probe);
    const Shape out_shape = example_of(out);
    if (in_shape == out_shape) return std::make_shared<nn::Residual>(std::move(body));
    if (in_shape.rank() == 3 && out_shape.rank() == 3 && out_shape[1] > 0 && out_shape[2] > 0 &&
        in_shape[1] % out_shape[1] == 0 &&
        in_shape[1] / out_shape[1] == in_shape[2] / out_shape[2]) {
      const int64_t stride = in_shape[1] / out_shape[1];
      nn::Sequential shortcut{
          nn::Conv2d(in_shape[0], out_shape[0], 1, {.stride = stride, .bias = false}),
          nn::BatchNorm2d(out_shape[0])};
      Tensor check;
      {
        NoGradGuard no_grad;
        shortcut.eval();
        check = shortcut(probe);
      }
      if (check.shape() == out.shape()) {
        return std::make_shared<nn::Residual>(std::move(body), std::move(shortcut));
      }
    }
    if (in_shape.rank() == 1 && out_shape.rank() == 1) {
      return std::make_shared<nn::Residual>(std::move(body),
                                            nn::Linear(in_shape[0], out_shape[0], false));
    }
    throw Error(
        fmt::format("{} (residual): its layers turn input shape {} into {}, which no "
                    "shortcut (identity, strided 1x1 convolution, linear) can match",
                    name, in_shape, out_shape));
  }

  int64_t num_outputs_;
};

}  // namespace

std::shared_ptr<nn::Module> build_model(const ModelConfig& config, const Shape& example_shape,
                                        int64_t num_outputs) {
  ATHANOR_CHECK(!config.layers.empty(), "model.layers: expected at least one layer");
  Shape batch_shape = example_shape;
  // Two examples: batch norm in training mode needs more than one value per channel.
  batch_shape.insert(0, 2);
  Tensor probe = zeros(batch_shape);
  auto model = std::make_shared<nn::Sequential>();
  Builder(num_outputs).build(config.layers, "model.layers", *model, probe);
  model->train();
  const Shape out = example_of(probe);
  if (num_outputs > 0) {
    ATHANOR_CHECK(out == Shape({num_outputs}),
                  "model: the last layer gives output shape {} per example, but the data and "
                  "loss need [{}]; end the model with {{ type = \"linear\", units = \"outputs\" }}",
                  out, num_outputs);
  }
  return model;
}

}  // namespace athanor::config
