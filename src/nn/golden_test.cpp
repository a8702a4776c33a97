// src/nn/golden_test.cpp: every nn layer and loss against PyTorch: each fixture of tests/golden/nn
// (written by tests/golden/make_nn.py) rebuilt as an athanor module, run forward and backward, and
// compared (output, input and parameter gradients, BatchNorm's running statistics); a table of the
// largest deviation per layer family ends the run.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <athanor/nn/activation.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/dropout.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/loss.h>
#include <athanor/nn/normalization.h>
#include <athanor/nn/pooling.h>

#include "testing/golden.h"

namespace athanor {
namespace {

using testing::Deviation;
using testing::Golden;

// The bar: 1e-5 relative in float32, 1e-10 in float64, with the absolute floor rtol / 10
// of src/ops/activation_golden_test.cpp for values near 0, which both libraries reach through a
// cancellation (a sum of a mean-subtracted gradient, a difference of nearly equal terms) and so
// carry an error relative to the larger terms, not to the small result.
double rtol_for(DType dtype) { return dtype == kFloat32 ? 1e-5 : 1e-10; }
double atol_for(DType dtype) { return rtol_for(dtype) / 10; }

// ---- Building a module from a fixture -----------------------------------------------------------

// A fixture's kwargs (with PyTorch's defaults where absent) and loss-weight tensors, remembering
// what was read: a kwarg or state tensor that no factory reads fails the test instead of being
// silently ignored.
class Args {
 public:
  explicit Args(const Golden& g) : g_(g) {}

  int64_t integer(const std::string& key) {
    use(key);
    return g_.integer(key);
  }
  int64_t integer(const std::string& key, int64_t fallback) {
    return use(key) ? g_.integer(key) : fallback;
  }
  double number(const std::string& key, double fallback) {
    return use(key) ? g_.number(key) : fallback;
  }
  /// None (null) is nullopt.
  std::optional<double> optional_number(const std::string& key, double fallback) {
    if (!use(key)) return fallback;
    if (g_.is_null(key)) return std::nullopt;
    return g_.number(key);
  }
  bool flag(const std::string& key, bool fallback) { return use(key) ? g_.flag(key) : fallback; }
  std::string text(const std::string& key, std::string fallback) {
    return use(key) ? g_.text(key) : fallback;
  }
  std::vector<int64_t> integers(const std::string& key) {
    use(key);
    return g_.integers(key);
  }
  /// An int or a pair; None (a pooling stride) is 0, our options' "same as kernel_size".
  nn::Size2 size2(const std::string& key, nn::Size2 fallback) {
    if (!use(key)) return fallback;
    if (g_.is_null(key)) return 0;
    const std::vector<int64_t> v = g_.integers(key, 2);
    return {v[0], v[1]};
  }
  /// An int or a one-element list (a 1-D convolution's sizes).
  int64_t size1(const std::string& key, int64_t fallback) {
    return use(key) ? g_.integers(key, 1)[0] : fallback;
  }
  Reduction reduction() {
    const std::string r = text("reduction", "mean");
    if (r == "none") return Reduction::kNone;
    if (r == "sum") return Reduction::kSum;
    if (r == "mean") return Reduction::kMean;
    throw std::invalid_argument(fmt::format("{}: unknown reduction '{}'", g_.path(), r));
  }
  /// A loss's tensor argument, stored as "state.<name>"; undefined when absent (None).
  Tensor state(const std::string& name) {
    used_.insert("state." + name);
    return g_.has("state." + name) ? g_.tensor("state." + name) : Tensor();
  }
  DType dtype() const { return g_.dtype(); }
  const std::set<std::string>& used() const { return used_; }

 private:
  bool use(const std::string& key) {
    used_.insert(key);
    return g_.has_kwarg(key);
  }
  const Golden& g_;
  std::set<std::string> used_;
};

// What a fixture runs: a layer or a loss.
struct Subject {
  std::shared_ptr<nn::Module> module;
  std::shared_ptr<nn::Loss> loss;
};
struct Factory {
  std::string family;  // the row of the deviation table
  std::function<Subject(Args&)> make;
};

template <typename M>
Subject layer(M m) {
  return {std::make_shared<M>(std::move(m)), nullptr};
}
template <typename L>
Subject loss(L l) {
  return {nullptr, std::make_shared<L>(std::move(l))};
}

// BatchNorm's kwargs; momentum None is the cumulative average.
nn::BatchNormOptions bn_options(Args& a) {
  return {.eps = a.number("eps", 1e-5),
          .momentum = a.optional_number("momentum", 0.1),
          .affine = a.flag("affine", true),
          .track_running_stats = a.flag("track_running_stats", true),
          .dtype = a.dtype()};
}

// PyTorch class name -> the athanor module built from the fixture's kwargs, in its dtype.
const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table = {
      {"Linear",
       {"Linear",
        [](Args& a) {
          return layer(nn::Linear(a.integer("in_features"), a.integer("out_features"),
                                  a.flag("bias", true), a.dtype()));
        }}},
      {"Conv1d",
       {"Conv",
        [](Args& a) {
          return layer(nn::Conv1d(a.integer("in_channels"), a.integer("out_channels"),
                                  a.size1("kernel_size", 0),
                                  {.stride = a.size1("stride", 1),
                                   .padding = a.size1("padding", 0),
                                   .dilation = a.size1("dilation", 1),
                                   .groups = a.integer("groups", 1),
                                   .bias = a.flag("bias", true),
                                   .dtype = a.dtype()}));
        }}},
      {"Conv2d",
       {"Conv",
        [](Args& a) {
          return layer(nn::Conv2d(a.integer("in_channels"), a.integer("out_channels"),
                                  a.size2("kernel_size", 0),
                                  {.stride = a.size2("stride", 1),
                                   .padding = a.size2("padding", 0),
                                   .dilation = a.size2("dilation", 1),
                                   .groups = a.integer("groups", 1),
                                   .bias = a.flag("bias", true),
                                   .dtype = a.dtype()}));
        }}},
      {"MaxPool2d",
       {"Pool",
        [](Args& a) {
          return layer(nn::MaxPool2d(a.size2("kernel_size", 0),
                                     {.stride = a.size2("stride", 0),
                                      .padding = a.size2("padding", 0),
                                      .dilation = a.size2("dilation", 1),
                                      .ceil_mode = a.flag("ceil_mode", false)}));
        }}},
      {"AvgPool2d",
       {"Pool",
        [](Args& a) {
          return layer(nn::AvgPool2d(a.size2("kernel_size", 0),
                                     {.stride = a.size2("stride", 0),
                                      .padding = a.size2("padding", 0),
                                      .ceil_mode = a.flag("ceil_mode", false),
                                      .count_include_pad = a.flag("count_include_pad", true)}));
        }}},
      {"AdaptiveAvgPool2d",
       {"Pool", [](Args& a) { return layer(nn::AdaptiveAvgPool2d(a.size2("output_size", 0))); }}},
      {"BatchNorm1d",
       {"BatchNorm",
        [](Args& a) { return layer(nn::BatchNorm1d(a.integer("num_features"), bn_options(a))); }}},
      {"BatchNorm2d",
       {"BatchNorm",
        [](Args& a) { return layer(nn::BatchNorm2d(a.integer("num_features"), bn_options(a))); }}},
      {"LayerNorm",
       {"LayerNorm",
        [](Args& a) {
          return layer(nn::LayerNorm(Shape(a.integers("normalized_shape")),
                                     {.eps = a.number("eps", 1e-5),
                                      .elementwise_affine = a.flag("elementwise_affine", true),
                                      .dtype = a.dtype()}));
        }}},
      // A fixed seed: the fixture holds no mask, and the test should not depend on test order.
      {"Dropout", {"Dropout", [](Args& a) { return layer(nn::Dropout(a.number("p", 0.5), 7)); }}},
      {"ReLU", {"Activations", [](Args&) { return layer(nn::ReLU()); }}},
      {"LeakyReLU",
       {"Activations",
        [](Args& a) { return layer(nn::LeakyReLU(a.number("negative_slope", 0.01))); }}},
      {"ELU", {"Activations", [](Args& a) { return layer(nn::ELU(a.number("alpha", 1.0))); }}},
      {"GELU",
       {"Activations", [](Args& a) { return layer(nn::GELU(a.text("approximate", "none"))); }}},
      {"Sigmoid", {"Activations", [](Args&) { return layer(nn::Sigmoid()); }}},
      {"Tanh", {"Activations", [](Args&) { return layer(nn::Tanh()); }}},
      {"Softplus",
       {"Activations",
        [](Args& a) {
          return layer(nn::Softplus(a.number("beta", 1.0), a.number("threshold", 20.0)));
        }}},
      {"Softmax",
       {"Activations",
        [](Args& a) { return layer(nn::Softmax(static_cast<int>(a.integer("dim")))); }}},
      {"LogSoftmax",
       {"Activations",
        [](Args& a) { return layer(nn::LogSoftmax(static_cast<int>(a.integer("dim")))); }}},
      {"MSELoss", {"MSELoss", [](Args& a) { return loss(nn::MSELoss(a.reduction())); }}},
      {"L1Loss", {"L1Loss", [](Args& a) { return loss(nn::L1Loss(a.reduction())); }}},
      {"SmoothL1Loss",
       {"SmoothL1Loss",
        [](Args& a) {
          return loss(nn::SmoothL1Loss({.reduction = a.reduction(), .beta = a.number("beta", 1)}));
        }}},
      {"HuberLoss",
       {"HuberLoss",
        [](Args& a) {
          return loss(nn::HuberLoss({.reduction = a.reduction(), .delta = a.number("delta", 1)}));
        }}},
      {"BCELoss",
       {"BCELoss",
        [](Args& a) {
          return loss(nn::BCELoss({.weight = a.state("weight"), .reduction = a.reduction()}));
        }}},
      {"BCEWithLogitsLoss",
       {"BCEWithLogitsLoss",
        [](Args& a) {
          return loss(nn::BCEWithLogitsLoss({.weight = a.state("weight"),
                                             .pos_weight = a.state("pos_weight"),
                                             .reduction = a.reduction()}));
        }}},
      {"CrossEntropyLoss",
       {"CrossEntropyLoss",
        [](Args& a) {
          return loss(nn::CrossEntropyLoss({.weight = a.state("weight"),
                                            .ignore_index = a.integer("ignore_index", -100),
                                            .reduction = a.reduction(),
                                            .label_smoothing = a.number("label_smoothing", 0)}));
        }}},
      {"NLLLoss",
       {"NLLLoss",
        [](Args& a) {
          return loss(nn::NLLLoss({.weight = a.state("weight"),
                                   .ignore_index = a.integer("ignore_index", -100),
                                   .reduction = a.reduction()}));
        }}},
      {"MultiMarginLoss",
       {"MultiMarginLoss",
        [](Args& a) {
          return loss(nn::MultiMarginLoss({.p = static_cast<int>(a.integer("p", 1)),
                                           .margin = a.number("margin", 1),
                                           .weight = a.state("weight"),
                                           .reduction = a.reduction()}));
        }}},
      // make_nn.py's own module: max(0, 1 - y s), as ours with margin 1.
      {"HingeLoss",
       {"HingeLoss", [](Args& a) { return loss(nn::HingeLoss({.reduction = a.reduction()})); }}},
  };
  return table;
}

