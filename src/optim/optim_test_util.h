// src/optim/optim_test_util.h: for the optim tests: the fixed small model of the PyTorch fixtures
// (tests/golden/make_optim.py), and building any optimizer from a fixture's name and options.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/optim/optim.h>

#include "testing/golden.h"

namespace athanor::optim::testing {

/// y = tanh(x w1^T + b1) w2^T + b2; loss = mean((y - target)^2).
inline Tensor model_loss(const Tensor& x, const Tensor& target, const Tensor& w1, const Tensor& b1,
                         const Tensor& w2, const Tensor& b2) {
  const Tensor y = matmul(tanh(matmul(x, w1.t()) + b1), w2.t()) + b2;
  return mean(square(y - target));
}

/// The model's parameters, in the fixture's order (w1, b1, w2, b2, then "unused" if present).
struct Model {
  Tensor x, target;
  std::vector<std::string> names;
  std::vector<Tensor> params;

  const Tensor& param(const std::string& name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return params[i];
    }
    throw Error("no parameter " + name);
  }

  /// Clears the gradients, recomputes them and returns the loss.
  Tensor forward_backward() const {
    for (const Tensor& p : params) p.set_grad(Tensor());
    Tensor loss = model_loss(x, target, param("w1"), param("b1"), param("w2"), param("b2"));
    loss.backward();
    return loss;
  }

  /// A copy with its own parameter storage (values as they are now).
  Model clone() const {
    Model m{x, target, names, {}};
    for (const Tensor& p : params) m.params.push_back(p.detach().clone().set_requires_grad());
    return m;
  }
};

/// The model at the fixture's initial values (row 0 of each params.<name> trajectory).
inline Model initial_model(const athanor::testing::Golden& g) {
  Model m{g.tensor("x"), g.tensor("target"), {"w1", "b1", "w2", "b2"}, {}};
  if (g.has_kwarg("unused_param")) m.names.push_back("unused");
  for (const std::string& name : m.names) {
    m.params.push_back(g.tensor("params." + name).select(0, 0).contiguous().set_requires_grad());
  }
  return m;
}

/// Options read from the fixture's kwargs under `prefix` ("" or "group1."), by the names the
/// state dict uses; absent ones keep their defaults.
template <typename Options>
Options options_from(const athanor::testing::Golden& g, const std::string& prefix) {
  Options o;
  o.visit_fields([&](const char* name, auto& value) {
    using V = std::decay_t<decltype(value)>;
    const std::string key = prefix + name;
    if constexpr (std::is_same_v<V, bool>) {
      if (g.has_kwarg(key)) value = g.flag(key);
    } else if constexpr (std::is_same_v<V, double>) {
      if (g.has_kwarg(key)) value = g.number(key);
    } else {
      if (g.has_kwarg(key + ".0")) value.first = g.number(key + ".0");
      if (g.has_kwarg(key + ".1")) value.second = g.number(key + ".1");
    }
  });
  return o;
}

template <typename Opt, typename Options>
std::unique_ptr<Optimizer> make_optimizer(const athanor::testing::Golden& g, const Model& m) {
  const Options options = options_from<Options>(g, "");
  if (!g.has_kwarg("groups")) return std::make_unique<Opt>(m.params, options);
  std::vector<Tensor> group0{m.param("w1"), m.param("b1")};
  if (g.has_kwarg("unused_param")) group0.push_back(m.param("unused"));
  return std::make_unique<Opt>(std::vector<ParamGroup<Options>>{
      {group0, options}, {{m.param("w2"), m.param("b2")}, options_from<Options>(g, "group1.")}});
}

/// The optimizer the fixture names ("module"), over the model's parameters.
inline std::unique_ptr<Optimizer> make_optimizer(const athanor::testing::Golden& g,
                                                 const Model& m) {
  const std::string& name = g.module();
  if (name == "SGD") return make_optimizer<SGD, SGDOptions>(g, m);
  if (name == "Adam") return make_optimizer<Adam, AdamOptions>(g, m);
  if (name == "AdamW") return make_optimizer<AdamW, AdamWOptions>(g, m);
  if (name == "RMSprop") return make_optimizer<RMSprop, RMSpropOptions>(g, m);
  if (name == "Adagrad") return make_optimizer<Adagrad, AdagradOptions>(g, m);
  if (name == "NAdam") return make_optimizer<NAdam, NAdamOptions>(g, m);
  if (name == "RAdam") return make_optimizer<RAdam, RAdamOptions>(g, m);
  throw Error("no optimizer named " + name);
}

}  // namespace athanor::optim::testing
