// src/ops/activation_golden_test.cpp: the functional activations, softmax and log_softmax against
// PyTorch's modules: output and input gradient for every activation fixture in tests/golden/nn.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <athanor/ops/activation.h>

#include "testing/golden.h"

namespace athanor {
namespace {

using testing::Deviation;
using testing::Golden;

using Activation = std::function<Tensor(const Golden&, const Tensor&)>;

// PyTorch module name -> the athanor op with the fixture's kwargs.
const std::map<std::string, Activation>& activations() {
  static const std::map<std::string, Activation> table = {
      {"ReLU", [](const Golden&, const Tensor& x) { return relu(x); }},
      {"LeakyReLU",
       [](const Golden& g, const Tensor& x) { return leaky_relu(x, g.number("negative_slope")); }},
      {"ELU", [](const Golden& g, const Tensor& x) { return elu(x, g.number("alpha")); }},
      {"GELU", [](const Golden& g, const Tensor& x) { return gelu(x, g.text("approximate")); }},
      {"Sigmoid", [](const Golden&, const Tensor& x) { return sigmoid(x); }},
      {"Tanh", [](const Golden&, const Tensor& x) { return tanh(x); }},
      {"Softmax", [](const Golden& g,
                     const Tensor& x) { return softmax(x, static_cast<int>(g.integer("dim"))); }},
      {"LogSoftmax",
       [](const Golden& g, const Tensor& x) {
         return log_softmax(x, static_cast<int>(g.integer("dim")));
       }},
      {"Softplus",
       [](const Golden& g, const Tensor& x) {
         return softplus(x, g.number("beta"), g.number("threshold"));
       }},
  };
  return table;
}

// The fixtures of the modules above. Runs while tests are registered, so it must not throw: a
// missing directory gives no cases, and EveryActivationHasFixtures fails instead.
std::vector<std::string> activation_fixtures() {
  std::vector<std::string> found;
  try {
    for (const std::string& file : testing::golden_files("nn")) {
      if (activations().contains(Golden::load(file).module())) found.push_back(file);
    }
  } catch (const Error&) {
    return {};
  }
  return found;
}

// The bar: 1e-5 relative in float32, 1e-10 in float64, with an absolute floor of rtol / 10
// (8 float32 epsilons) for outputs near 0. Both libraries compute such outputs through a
// cancellation: exact gelu at x = -4.157 is -6.6951e-5, PyTorch's float32 -6.7028e-5 and ours
// -6.6904e-5, each about 1e-3 off in relative terms but within 1.3e-7 absolute.
double rtol_for(DType dtype) { return dtype == kFloat32 ? 1e-5 : 1e-10; }
double atol_for(DType dtype) { return rtol_for(dtype) / 10; }

// The largest deviations per dtype over the whole suite, with where they occurred.
struct Worst {
  Deviation deviation;
  std::string rel_at;
};
std::map<DType, Worst>& worst() {
  static std::map<DType, Worst> w;
  return w;
}

class ActivationGolden : public ::testing::TestWithParam<std::string> {
 public:
  static void TearDownTestSuite() {
    for (const auto& [dtype, w] : worst()) {
      fmt::print(
          "[golden] activations vs PyTorch, {}: largest relative deviation {:.3g} ({}), "
          "largest absolute {:.3g}, at most {:.2g} of the tolerance used\n",
          dtype, w.deviation.rel, w.rel_at, w.deviation.abs, w.deviation.tolerance_used);
    }
  }

 protected:
  // Compares and folds the deviation into the suite's worst.
  void expect_close(const Golden& g, const std::string& what, const Tensor& actual,
                    const Tensor& expected) {
    Deviation d;
    EXPECT_TRUE(
        testing::tensors_close_rel(actual, expected, rtol_for(g.dtype()), atol_for(g.dtype()), &d))
        << what;
    RecordProperty(what + "_max_rel_deviation", fmt::format("{:.3g}", d.rel));
    Worst& w = worst()[g.dtype()];
    if (d.rel > w.deviation.rel) w.rel_at = fmt::format("{} {}", g.case_name(), what);
    w.deviation.rel = std::max(w.deviation.rel, d.rel);
    w.deviation.abs = std::max(w.deviation.abs, d.abs);
    w.deviation.tolerance_used = std::max(w.deviation.tolerance_used, d.tolerance_used);
  }
};

TEST_P(ActivationGolden, OutputAndInputGradientMatchPyTorch) {
  const Golden g = Golden::load(GetParam());
  const Tensor x = g.tensor("input").set_requires_grad();
  const Tensor y = activations().at(g.module())(g, x);
  expect_close(g, "output", y, g.tensor("output"));
  y.backward(g.tensor("grad_output"));
  expect_close(g, "grad_input", x.grad(), g.tensor("grad_input"));
}

// "nn/gelu_tanh_float32.json" -> "gelu_tanh_float32".
INSTANTIATE_TEST_SUITE_P(NN, ActivationGolden, ::testing::ValuesIn(activation_fixtures()),
                         [](const auto& param_info) {
                           const std::string& file = param_info.param;
                           return file.substr(3, file.size() - 8);
                         });

TEST(ActivationGoldenFixtures, EveryActivationHasFixtures) {
  std::map<std::string, int> count;
  for (const std::string& file : activation_fixtures()) ++count[Golden::load(file).module()];
  for (const auto& [module, fn] : activations()) {
    EXPECT_GE(count[module], 2) << module << ": expected float32 and float64 fixtures; run "
                                << "/usr/bin/python3 tests/golden/make_nn.py";
  }
}

}  // namespace
}  // namespace athanor
