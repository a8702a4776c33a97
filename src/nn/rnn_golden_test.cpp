// src/nn/rnn_golden_test.cpp: RNN, LSTM and GRU against PyTorch: each fixture of tests/golden/rnn
// (written by tests/golden/make_rnn.py) loaded into an athanor layer through its state dict, run
// forward and backward, and compared (output, final states, gradients of the input, the initial
// states and every parameter); a table of the largest deviation per cell type ends the run.
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <athanor/nn/rnn.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>

#include "testing/golden.h"

namespace athanor {
namespace {

using testing::Deviation;
using testing::Golden;

// The bar of src/nn/golden_test.cpp: 1e-5 relative in float32, 1e-10 in float64, atol = rtol / 10
// for values that come out of a cancellation.
double rtol_for(DType dtype) { return dtype == kFloat32 ? 1e-5 : 1e-10; }
double atol_for(DType dtype) { return rtol_for(dtype) / 10; }

std::vector<std::string> rnn_fixtures() { return testing::golden_files("rnn"); }

// The layer a fixture describes, with PyTorch's defaults for absent kwargs.
std::shared_ptr<nn::RnnBase> make_layer(const Golden& g) {
  const auto flag = [&g](const char* key, bool fallback) {
    return g.has_kwarg(key) ? g.flag(key) : fallback;
  };
  nn::RnnOptions o;
  o.num_layers = g.has_kwarg("num_layers") ? g.integer("num_layers") : 1;
  o.bias = flag("bias", true);
  o.batch_first = flag("batch_first", false);
  o.bidirectional = flag("bidirectional", false);
  o.dropout = g.has_kwarg("dropout") ? g.number("dropout") : 0.0;
  o.dtype = g.dtype();
  o.seed = 1;
  const int64_t in = g.integer("input_size"), hidden = g.integer("hidden_size");
  if (g.module() == "LSTM") return std::make_shared<nn::LSTM>(in, hidden, o);
  if (g.module() == "GRU") return std::make_shared<nn::GRU>(in, hidden, o);
  EXPECT_EQ(g.module(), "RNN");
  o.nonlinearity = g.text("nonlinearity");
  return std::make_shared<nn::RNN>(in, hidden, o);
}

// "rnn/lstm_l2_bidir_state_float64.json" -> "lstm" (RNNs by nonlinearity: "rnn_tanh").
std::string family_of(const Golden& g) {
  if (g.module() == "RNN") return "rnn_" + g.text("nonlinearity");
  std::string f = g.module();
  for (char& c : f) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return f;
}

struct Worst {
  Deviation deviation;
  std::string rel_at, used_at;
};

std::map<std::pair<std::string, DType>, Worst>& worst() {
  static std::map<std::pair<std::string, DType>, Worst> table;
  return table;
}

class DeviationReport : public ::testing::Environment {
 public:
  void TearDown() override {
    if (worst().empty()) return;
    std::string out = fmt::format(
        "[golden] RNN / LSTM / GRU vs PyTorch 1.13 (tests/golden/rnn): largest deviation per cell; "
        "rtol {:g} / atol {:g} in float32, {:g} / {:g} in float64; \"tol used\" 1 = at the limit\n",
        rtol_for(kFloat32), atol_for(kFloat32), rtol_for(kFloat64), atol_for(kFloat64));
    out += fmt::format("{:<10} {:<8} {:>9}  {:<52} {:>9} {:>9}  {}\n", "cell", "dtype", "max rel",
                       "(where)", "max abs", "tol used", "(where)");
    for (const auto& [key, w] : worst()) {
      out += fmt::format("{:<10} {:<8} {:>9.3g}  {:<52} {:>9.3g} {:>9.3g}  {}\n", key.first,
                         key.second, w.deviation.rel, w.rel_at.empty() ? "-" : w.rel_at,
                         w.deviation.abs, w.deviation.tolerance_used,
                         w.used_at.empty() ? "-" : w.used_at);
    }
    fmt::print("{}", out);
  }
};
[[maybe_unused]] ::testing::Environment* const kDeviationReport =
    ::testing::AddGlobalTestEnvironment(new DeviationReport);

class RnnGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RnnGolden, MatchesPyTorch) {
  const Golden g = Golden::load(GetParam());
  const std::shared_ptr<nn::RnnBase> layer = make_layer(g);
  TensorDict state;
  for (const std::string& name : g.tensor_names("state.")) {
    state.insert(name.substr(6), g.tensor(name));
  }
  layer->load_state_dict(state);  // strict: every PyTorch name must exist here, and vice versa
  layer->train(g.training());

  Tensor x = g.tensor("input").set_requires_grad();
  Tensor h0 = g.has("h0") ? g.tensor("h0").set_requires_grad() : Tensor();
  Tensor c0 = g.has("c0") ? g.tensor("c0").set_requires_grad() : Tensor();
  nn::RnnOutput out;
  if (auto* lstm = dynamic_cast<nn::LSTM*>(layer.get())) {
    out = lstm->forward_with_state(x, h0, c0);
  } else if (auto* gru = dynamic_cast<nn::GRU*>(layer.get())) {
    out = gru->forward_with_state(x, h0);
  } else {
    out = dynamic_cast<nn::RNN&>(*layer).forward_with_state(x, h0);
  }
  Tensor loss = sum(out.output * g.tensor("grad_output")) + sum(out.h_n * g.tensor("grad_h_n"));
  if (g.has("grad_c_n")) loss = loss + sum(out.c_n * g.tensor("grad_c_n"));
  loss.backward();

  const double rtol = rtol_for(g.dtype()), atol = atol_for(g.dtype());
  Worst& w = worst()[{family_of(g), g.dtype()}];
  auto check = [&](const std::string& what, const Tensor& actual) {
    ASSERT_TRUE(actual.defined()) << what << " is undefined";
    Deviation d;
    EXPECT_TRUE(testing::tensors_close_rel(actual, g.tensor(what), rtol, atol, &d)) << what;
    const std::string where = fmt::format("{} {}", g.case_name(), what);
    if (d.rel > w.deviation.rel) w.deviation.rel = d.rel, w.rel_at = where;
    if (d.tolerance_used > w.deviation.tolerance_used) {
      w.deviation.tolerance_used = d.tolerance_used, w.used_at = where;
    }
    w.deviation.abs = std::max(w.deviation.abs, d.abs);
  };
  check("output", out.output);
  check("h_n", out.h_n);
  if (g.has("c_n")) check("c_n", out.c_n);
  EXPECT_EQ(g.has("c_n"), out.c_n.defined());
  check("grad_input", x.grad());
  if (h0.defined()) check("grad_h0", h0.grad());
  if (c0.defined()) check("grad_c0", c0.grad());
  int parameters = 0;
  for (const auto& [name, p] : layer->named_parameters()) {
    check("grad." + name, p.grad());
    ++parameters;
  }
  EXPECT_EQ(static_cast<size_t>(parameters), g.tensor_names("grad.").size());
}

// "rnn/lstm_l2_bidir_state_float64.json" -> "lstm_l2_bidir_state_float64".
INSTANTIATE_TEST_SUITE_P(RNN, RnnGolden, ::testing::ValuesIn(rnn_fixtures()),
                         [](const auto& param_info) {
                           std::string name = param_info.param.substr(4);
                           name.resize(name.size() - 5);
                           return name;
                         });

TEST(RnnGoldenFixtures, CoverEveryCellAndConfigurationInBothDtypes) {
  std::map<std::string, std::set<DType>> dtypes;
  std::set<std::string> families;
  bool bidirectional = false, two_layers = false, batch_first = false, states = false;
  for (const std::string& file : rnn_fixtures()) {
    const Golden g = Golden::load(file);
    EXPECT_EQ(file, fmt::format("rnn/{}_{}.json", g.case_name(), g.dtype()));
    dtypes[g.case_name()].insert(g.dtype());
    families.insert(family_of(g));
    bidirectional |= g.has_kwarg("bidirectional") && g.flag("bidirectional");
    two_layers |= g.has_kwarg("num_layers") && g.integer("num_layers") == 2;
    batch_first |= g.has_kwarg("batch_first") && g.flag("batch_first");
    states |= g.has("h0");
  }
  EXPECT_EQ(families, (std::set<std::string>{"gru", "lstm", "rnn_relu", "rnn_tanh"}))
      << "run /usr/bin/python3 tests/golden/make_rnn.py";
  EXPECT_TRUE(bidirectional && two_layers && batch_first && states);
  for (const auto& [name, set] : dtypes) {
    EXPECT_EQ(set.size(), 2u) << name << " lacks a float32 or float64 fixture";
  }
}

}  // namespace
}  // namespace athanor
