// src/nn/golden_test.cpp: every nn layer and loss against PyTorch: each fixture of tests/golden/nn
// (written by tests/golden/make_nn.py) rebuilt as an athanor module, run forward and backward, and
// compared (output, input and parameter gradients, BatchNorm's running statistics); a table of the
// largest deviation per layer family ends the run.
#include "testing/golden.h"

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

namespace athanor {
namespace {

using testing::Deviation;
using testing::Golden;

// The bar: 1e-5 relative in float32, 1e-10 in float64, with the absolute floor rtol / 10
// of src/ops/activation_golden_test.cpp for small values that both libraries reach through a
// cancellation, so that their error is relative to the terms, not to the result. E.g.
// layer_norm_last_dim's grad.weight[4] sums six dy * x_hat terms of up to 2.9 that cancel to
// -4.6318e-3 (exact, in float64): PyTorch's float32 gives -4.63193e-3 and ours -4.63217e-3, 2.5e-5
// and 7.6e-5 off in relative terms, but each under one float32 epsilon of the terms' size.
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
          return layer(
              nn::MaxPool2d(a.size2("kernel_size", 0), {.stride = a.size2("stride", 0),
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

// ---- The deviation table ------------------------------------------------------------------------

// The largest deviations of one family in one dtype, with the comparison where each occurred
// (empty while every comparison was exact).
struct Worst {
  Deviation deviation;
  std::string rel_at;
  std::string used_at;
};

// (family, dtype) -> its largest deviations over the tests run in this process.
std::map<std::pair<std::string, DType>, Worst>& worst() {
  static std::map<std::pair<std::string, DType>, Worst> table;
  return table;
}

void record(const std::string& family, DType dtype, const std::string& where, const Deviation& d) {
  Worst& w = worst()[{family, dtype}];
  if (d.rel > w.deviation.rel) {
    w.deviation.rel = d.rel;
    w.rel_at = where;
  }
  if (d.tolerance_used > w.deviation.tolerance_used) {
    w.deviation.tolerance_used = d.tolerance_used;
    w.used_at = where;
  }
  w.deviation.abs = std::max(w.deviation.abs, d.abs);
}

std::string deviation_table() {
  std::string out = fmt::format(
      "[golden] nn layers and losses vs PyTorch 1.13 (tests/golden/nn): largest deviation per "
      "family. Passing means |ours - torch| <= atol + rtol |torch| per element, rtol {:g} / atol "
      "{:g} in float32 and {:g} / {:g} in float64; \"tol used\" is the largest share of that bound "
      "(1 = at the limit).\n",
      rtol_for(kFloat32), atol_for(kFloat32), rtol_for(kFloat64), atol_for(kFloat64));
  out += fmt::format("{:<18} {:<8} {:>9}  {:<44} {:>9} {:>9}  {}\n", "family", "dtype", "max rel",
                     "(where)", "max abs", "tol used", "(where)");
  for (const auto& [key, w] : worst()) {
    out +=
        fmt::format("{:<18} {:<8} {:>9.3g}  {:<44} {:>9.3g} {:>9.3g}  {}\n", key.first, key.second,
                    w.deviation.rel, w.rel_at.empty() ? "-" : w.rel_at, w.deviation.abs,
                    w.deviation.tolerance_used, w.used_at.empty() ? "-" : w.used_at);
  }
  return out;
}

// Prints the table after the last test (and writes it to $ATHANOR_GOLDEN_REPORT when set). It
// covers the golden tests of this process: run the binary with --gtest_filter='*Golden*' for all.
class DeviationReport : public ::testing::Environment {
 public:
  void TearDown() override {
    if (worst().empty()) return;
    const std::string table = deviation_table();
    fmt::print("{}", table);
    const char* path = std::getenv("ATHANOR_GOLDEN_REPORT");
    if (path == nullptr || *path == '\0') return;
    std::ofstream file(path);
    file << table;
    if (!file) {
      ADD_FAILURE() << "cannot write the golden report to '" << path << "'";
    }
  }
};
[[maybe_unused]] ::testing::Environment* const kDeviationReport =
    ::testing::AddGlobalTestEnvironment(new DeviationReport);

// ---- Running a fixture --------------------------------------------------------------------------

// Compares the tensors of one fixture, folding each deviation into its family's row.
struct Checker {
  const Golden& g;
  const std::string& family;

  void close(const std::string& what, const Tensor& actual, const Tensor& expected) const {
    if (!actual.defined()) {
      ADD_FAILURE() << what << " is undefined (no gradient reached it?)";
      return;
    }
    Deviation d;
    EXPECT_TRUE(
        testing::tensors_close_rel(actual, expected, rtol_for(g.dtype()), atol_for(g.dtype()), &d))
        << what;
    record(family, g.dtype(), fmt::format("{} {}", g.case_name(), what), d);
  }
  void equal(const std::string& what, const Tensor& actual, const Tensor& expected) const {
    EXPECT_TRUE(testing::tensors_close_rel(actual, expected, 0, 0)) << what;
  }
};

// Dropout in training: the fixture holds no mask, only the one value a kept 1 may become.
void check_dropout_train(const Golden& g, const Tensor& x, const Tensor& y) {
  ASSERT_EQ(y.dtype(), g.dtype());
  ASSERT_EQ(y.shape(), x.shape());
  const double scale = g.tensor("expected_nonzero").item<double>();
  int64_t dropped = 0, kept = 0, other = 0;
  double other_value = 0;
  for (double v : y.to_vector<double>()) {
    if (v == 0) {
      ++dropped;
    } else if (v == scale) {
      ++kept;
    } else {
      ++other;
      other_value = v;
    }
  }
  EXPECT_EQ(other, 0) << "outputs of an all-ones input must be 0 or exactly " << scale << "; "
                      << other << " are not, e.g. " << other_value;
  EXPECT_GT(dropped, 0) << "no element was dropped";
  EXPECT_GT(kept, 0) << "no element was kept";
  // The gradient applies the same mask and scale, so dy = 1 gives back y.
  y.backward(ones_like(y));
  ASSERT_TRUE(x.grad().defined());
  EXPECT_TRUE(testing::tensors_close_rel(x.grad(), y.detach(), 0, 0)) << "grad_input";
}

void run_layer(const Golden& g, nn::Module& m, const Checker& check) {
  EXPECT_EQ(m.type_name(), g.module());
  // The module must already hold the fixture's dtype: load_state_dict would convert silently.
  for (const auto& [key, t] : m.state_dict()) {
    if (t.is_floating_point()) {
      EXPECT_EQ(t.dtype(), g.dtype()) << key;
    }
  }
  TensorDict state;
  for (const std::string& name : g.tensor_names("state.")) {
    state.insert(name.substr(6), g.tensor(name));
  }
  m.load_state_dict(state);  // strict: throws naming every missing or unexpected key
  m.train(g.training());

  const Tensor x = g.tensor("input").set_requires_grad();
  const Tensor y = m(x);
  if (g.module() == "Dropout" && g.training()) return check_dropout_train(g, x, y);
  check.close("output", y, g.tensor("output"));
  if (g.module() == "Dropout") check.equal("output == input", y, g.tensor("input"));
  y.backward(g.tensor("grad_output"));
  check.close("grad_input", x.grad(), g.tensor("grad_input"));

  const std::vector<std::string> grads = g.tensor_names("grad.");
  std::set<std::string> grads_left(grads.begin(), grads.end());
  for (const auto& [key, p] : m.named_parameters()) {
    if (grads_left.erase("grad." + key) == 0) {
      ADD_FAILURE() << "parameter " << key << " has no grad." << key << " in the fixture";
      continue;
    }
    check.close("grad." + key, p.grad(), g.tensor("grad." + key));
  }
  EXPECT_TRUE(grads_left.empty()) << "the fixture has gradients of parameters the module lacks: "
                                  << fmt::format("{}", fmt::join(grads_left, ", "));

  // BatchNorm in training updates its running statistics (state_after.*); every other parameter
  // and buffer must keep the value loaded, bit for bit (BatchNorm in eval mode included).
  const std::vector<std::string> afters = g.tensor_names("state_after.");
  std::set<std::string> afters_left(afters.begin(), afters.end());
  for (const auto& [key, t] : m.state_dict()) {
    const std::string after = "state_after." + key;
    if (afters_left.erase(after) > 0) {
      check.close(after, t, g.tensor(after));
    } else {
      check.equal(key + " unchanged by forward and backward", t, g.tensor("state." + key));
    }
  }
  EXPECT_TRUE(afters_left.empty()) << "the fixture has buffers the module lacks: "
                                   << fmt::format("{}", fmt::join(afters_left, ", "));
}

void run_loss(const Golden& g, const nn::Loss& l, const Args& args, const Checker& check) {
  EXPECT_EQ(l.name(), g.module());
  for (const std::string& name : g.tensor_names("state.")) {
    EXPECT_TRUE(args.used().contains(name)) << name << " is not read by the factory";
  }
  const Tensor x = g.tensor("input").set_requires_grad();
  const Tensor y = l(x, g.tensor("target"));
  check.close("output", y, g.tensor("output"));
  y.backward(g.tensor("grad_output"));
  check.close("grad_input", x.grad(), g.tensor("grad_input"));
  EXPECT_TRUE(g.tensor_names("grad.").empty()) << "a loss has no parameters";
}

// The keys of the fixture's "kwargs" (Golden reads them by name only).
std::vector<std::string> kwarg_keys(const std::string& file) {
  std::ifstream in(testing::golden_dir() / file);
  const nlohmann::json json = nlohmann::json::parse(in);
  std::vector<std::string> keys;
  for (const auto& item : json.at("kwargs").items()) keys.push_back(item.key());
  return keys;
}

// Every fixture file. Runs while tests are registered, so it must not throw: a missing directory
// gives no cases, and EveryModuleIsBuiltAndEveryCaseHasBothDtypes fails instead.
std::vector<std::string> nn_fixtures() {
  try {
    return testing::golden_files("nn");
  } catch (const Error&) {
    return {};
  }
}

class NNGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(NNGolden, MatchesPyTorch) {
  const Golden g = Golden::load(GetParam());
  const auto factory = factories().find(g.module());
  ASSERT_NE(factory, factories().end())
      << GetParam() << ": no factory for PyTorch's " << g.module() << "; add one to factories()";
  Args args(g);
  const Subject subject = factory->second.make(args);
  for (const std::string& key : kwarg_keys(GetParam())) {
    EXPECT_TRUE(args.used().contains(key)) << "kwarg " << key << " is not read by the factory";
  }
  const Checker check{g, factory->second.family};
  if (subject.module) {
    run_layer(g, *subject.module, check);
  } else {
    run_loss(g, *subject.loss, args, check);
  }
}

// "nn/huber_loss_delta1.0_float32.json" -> "huber_loss_delta1_0_float32".
INSTANTIATE_TEST_SUITE_P(NN, NNGolden, ::testing::ValuesIn(nn_fixtures()),
                         [](const auto& param_info) {
                           std::string name = param_info.param.substr(3);
                           name.resize(name.size() - 5);
                           for (char& c : name) {
                             if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
                           }
                           return name;
                         });

TEST(NNGoldenFixtures, EveryModuleIsBuiltAndEveryCaseHasBothDtypes) {
  const std::vector<std::string> files = nn_fixtures();
  ASSERT_FALSE(files.empty()) << "no fixtures under " << testing::golden_dir()
                              << "/nn; run /usr/bin/python3 tests/golden/make_nn.py";
  std::map<std::string, std::set<DType>> dtypes;  // case -> the dtypes it has a file for
  std::map<std::string, int> files_per_module;
  for (const std::string& file : files) {
    const Golden g = Golden::load(file);
    EXPECT_TRUE(factories().contains(g.module()))
        << file << ": no factory for PyTorch's " << g.module();
    EXPECT_EQ(file, fmt::format("nn/{}_{}.json", g.case_name(), g.dtype()));
    dtypes[g.case_name()].insert(g.dtype());
    ++files_per_module[g.module()];
  }
  for (const auto& [name, seen] : dtypes) {
    EXPECT_TRUE(seen.contains(kFloat32)) << name << ": no float32 fixture";
    EXPECT_TRUE(seen.contains(kFloat64)) << name << ": no float64 fixture";
  }
  for (const auto& [module, factory] : factories()) {
    EXPECT_GE(files_per_module[module], 2) << module << ": a factory without fixtures";
  }
}

}  // namespace
}  // namespace athanor
