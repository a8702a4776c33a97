// src/nn/module_test.cpp: Module: registration and names, modes, state dicts (keys, strict-load
// errors, dtype conversion), freezing, apply, printing and summary.
#include <gtest/gtest.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/random.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/dropout.h>
#include <athanor/nn/flatten.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/normalization.h>
#include <athanor/ops/reduce.h>

#include "testing/matchers.h"

namespace athanor::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> names(const std::vector<std::pair<std::string, Tensor>>& v) {
  std::vector<std::string> out;
  for (const auto& [n, _] : v) out.push_back(n);
  return out;
}

// A user-defined model with typed submodules, as a PyTorch user writes one.
class TwoLayer : public Module {
 public:
  TwoLayer()
      : fc1(register_module("fc1", std::make_shared<Linear>(4, 3))),
        bn(register_module("bn", std::make_shared<BatchNorm1d>(3))),
        fc2(register_module("fc2", std::make_shared<Linear>(3, 2, false))) {}
  Tensor forward(const Tensor& x) override { return (*fc2)((*bn)((*fc1)(x))); }
  std::string type_name() const override { return "TwoLayer"; }

  std::shared_ptr<Linear> fc1;
  std::shared_ptr<BatchNorm1d> bn;
  std::shared_ptr<Linear> fc2;
};

TEST(Module, NamesParametersAndBuffersAsPyTorch) {
  TwoLayer m;
  EXPECT_THAT(names(m.named_parameters()),
              ElementsAre("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight"));
  EXPECT_THAT(names(m.named_buffers()),
              ElementsAre("bn.running_mean", "bn.running_var", "bn.num_batches_tracked"));
  EXPECT_THAT(m.state_dict().keys(),
              ElementsAre("fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight",
                          "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"));
  EXPECT_EQ(m.num_parameters(), 4 * 3 + 3 + 3 + 3 + 3 * 2);
  for (const Tensor& p : m.parameters()) EXPECT_TRUE(p.requires_grad());
  EXPECT_TRUE(m.parameters(false).empty());  // TwoLayer itself holds no parameters
}

TEST(Module, SequentialNamesItsModulesByPosition) {
  Sequential model{Flatten(), Linear(6, 4), ReLU(), Linear(4, 2)};
  EXPECT_THAT(model.state_dict().keys(), ElementsAre("1.weight", "1.bias", "3.weight", "3.bias"));
  EXPECT_EQ(model.size(), 4u);
  EXPECT_EQ(model.at<Linear>(3).in_features(), 4);
  EXPECT_THROW_WITH_MESSAGE(model.at<Linear>(2), "Sequential::at: module 2 is a ReLU");
  EXPECT_THROW_WITH_MESSAGE(model[7], "Sequential: index 7 is out of range for 4 modules");
  EXPECT_EQ(model(zeros(Shape{5, 2, 3})).shape(), Shape({5, 2}));
}

TEST(Module, SharedLayerIsOneSetOfParameters) {
  auto shared = std::make_shared<Linear>(3, 3);
  Sequential model{shared, ReLU(), shared};
  EXPECT_EQ(model.parameters().size(), 2u);  // listed once, as PyTorch's parameters()
  EXPECT_THAT(model.state_dict().keys(), ElementsAre("0.weight", "0.bias", "2.weight", "2.bias"));
}

TEST(Module, CopiesShareParameters) {
  Linear a(2, 2);
  Linear b = a;
  b.weight.fill_(3.0);
  EXPECT_EQ(a.weight.to_vector<float>(), (std::vector<float>{3, 3, 3, 3}));
}

TEST(Module, TrainAndEvalReachEveryDescendant) {
  TwoLayer m;
  m.eval();
  EXPECT_FALSE(m.is_training());
  EXPECT_FALSE(m.bn->is_training());
  m.train();
  EXPECT_TRUE(m.fc2->is_training());
}

TEST(Module, StateDictRoundTripsIntoAFreshModel) {
  manual_seed(1);
  TwoLayer a;
  a(randn(Shape{8, 4}));  // moves the running statistics away from their initial values
  manual_seed(2);
  TwoLayer b;
  const LoadResult r = b.load_state_dict(a.state_dict());
  EXPECT_TRUE(r.missing_keys.empty());
  EXPECT_TRUE(r.unexpected_keys.empty());
  for (const auto& [name, t] : a.state_dict()) EXPECT_TENSOR_EQ(b.state_dict().at(name), t);
  // Values are copied: the two models do not share storage.
  a.fc1->weight.fill_(0.0);
  EXPECT_NE(b.fc1->weight.to_vector<float>()[0], 0.0f);
}

TEST(Module, StrictLoadNamesEveryProblemAndCopiesNothing) {
  Sequential model{Linear(4, 3), ReLU(), Linear(3, 2)};
  const std::vector<float> before = model.at<Linear>(0).weight.to_vector<float>();
  TensorDict dict;
  dict.insert("0.weight", zeros(Shape{3, 4}));
  dict.insert("2.weight", zeros(Shape{2, 5}));
  dict.insert("fc.bias", zeros(Shape{2}));
  const std::string msg = testing::error_message([&] { model.load_state_dict(dict); });
  EXPECT_THAT(msg, HasSubstr("load_state_dict (Sequential): missing keys: 0.bias, 2.bias"));
  EXPECT_THAT(msg, HasSubstr("unexpected keys: fc.bias"));
  EXPECT_THAT(msg, HasSubstr("shape mismatch: 2.weight: checkpoint has shape [2, 5], the module "
                             "[2, 3]"));
  EXPECT_EQ(model.at<Linear>(0).weight.to_vector<float>(), before);
}

TEST(Module, NonStrictLoadReportsMissingAndUnexpectedKeys) {
  Sequential model{Linear(2, 2)};
  TensorDict dict{{"0.weight", ones(Shape{2, 2}, kFloat64)}, {"extra", zeros(Shape{1})}};
  const LoadResult r = model.load_state_dict(dict, /*strict=*/false);
  EXPECT_THAT(r.missing_keys, ElementsAre("0.bias"));
  EXPECT_THAT(r.unexpected_keys, ElementsAre("extra"));
  // Converted to the parameter's dtype, as PyTorch copies.
  EXPECT_TENSOR_EQ(model.at<Linear>(0).weight, ones(Shape{2, 2}));
  // A shape mismatch is an error even when not strict.
  EXPECT_THROW_WITH_MESSAGE(model.load_state_dict(TensorDict{{"0.bias", zeros(Shape{3})}}, false),
                            "shape mismatch: 0.bias: checkpoint has shape [3], the module [2]");
}

TEST(Module, FreezeStopsGradientsAndShowsInTheCounts) {
  TwoLayer m;
  m.fc1->freeze();
  EXPECT_FALSE(m.fc1->weight.requires_grad());
  EXPECT_EQ(m.num_parameters(true), m.num_parameters() - 15);
  m.train();
  Tensor loss = m(randn(Shape{4, 4})).sum();
  loss.backward();
  EXPECT_FALSE(m.fc1->weight.grad().defined());
  EXPECT_TRUE(m.fc2->weight.grad().defined());
  m.unfreeze();
  EXPECT_TRUE(m.fc1->weight.requires_grad());
}

TEST(Module, ApplyVisitsChildrenBeforeParents) {
  TwoLayer m;
  std::vector<std::string> order;
  m.apply([&](Module& x) { order.push_back(x.type_name()); });
  EXPECT_THAT(order, ElementsAre("Linear", "BatchNorm1d", "Linear", "TwoLayer"));
  // Custom initialization, the usual use of apply.
  m.apply([](Module& x) {
    if (auto* lin = dynamic_cast<Linear*>(&x)) lin->weight.fill_(0.5);
  });
  EXPECT_EQ(m.fc2->weight.to_vector<float>(), std::vector<float>(6, 0.5f));
}

TEST(Module, ToConvertsParametersInPlaceForEveryHandle) {
  Sequential model{Linear(3, 2), BatchNorm1d(2)};
  const std::vector<Tensor> held = model.parameters();  // as an optimizer would hold them
  model.to(kFloat64);
  for (const Tensor& p : held) EXPECT_EQ(p.dtype(), kFloat64);
  EXPECT_EQ(model.state_dict().at("1.running_var").dtype(), kFloat64);
  EXPECT_EQ(model.state_dict().at("1.num_batches_tracked").dtype(), kInt64);
  EXPECT_TRUE(held[0].requires_grad());
  EXPECT_EQ(model(randn(Shape{4, 3}, kFloat64)).dtype(), kFloat64);
}

TEST(Module, PrintsLikePyTorch) {
  Sequential model{Linear(784, 10), ReLU(), Dropout(0.2)};
  EXPECT_EQ(model.to_string(),
            "Sequential(\n"
            "  (0): Linear(in_features=784, out_features=10, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Dropout(p=0.2, inplace=False)\n"
            ")");
}

TEST(Module, SummaryListsLayersShapesAndCounts) {
  Sequential model{Flatten(), Linear(784, 256), ReLU(), Linear(256, 10)};
  model.at<Linear>(3).freeze();
  model.train();
  const std::string s = model.summary(Shape{1, 28, 28});
  EXPECT_THAT(s, HasSubstr("0 (Flatten)"));
  EXPECT_THAT(s, HasSubstr("[1, 784]"));
  EXPECT_THAT(s, HasSubstr("1 (Linear)"));
  EXPECT_THAT(s, HasSubstr("200,960"));
  EXPECT_THAT(s, HasSubstr("[1, 10]"));
  EXPECT_THAT(s, HasSubstr("Total params: 203,530\n"));
  EXPECT_THAT(s, HasSubstr("Trainable params: 200,960\n"));
  EXPECT_THAT(s, HasSubstr("Non-trainable params: 2,570\n"));
  EXPECT_TRUE(model.is_training());  // restored
}

TEST(Module, SummaryReportsAWrongInputShape) {
  Sequential model{Linear(4, 2)};
  EXPECT_THROW_WITH_MESSAGE(model.summary(Shape{1, 5}),
                            "Linear: input has 5 features, layer expects 4 (input shape [1, 5])");
  // The recorder is released: a second summary works.
  EXPECT_THAT(model.summary(Shape{1, 4}), HasSubstr("Total params: 10"));
}

TEST(Module, RegistrationRejectsBadNames) {
  class Bad : public Module {
   public:
    explicit Bad(const std::string& name) { register_parameter(name, zeros(Shape{1})); }
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "Bad"; }
  };
  EXPECT_THROW_WITH_MESSAGE(Bad("a.b"), "register_parameter: name 'a.b' must be non-empty");
}

TEST(Module, ModuleListHoldsModulesWithoutAForward) {
  ModuleList list;
  list.push_back(Linear(2, 2)).push_back(Linear(2, 1));
  EXPECT_THAT(list.state_dict().keys(), ElementsAre("0.weight", "0.bias", "1.weight", "1.bias"));
  Tensor x = ones(Shape{1, 2});
  for (const auto& m : list) x = (*m)(x);
  EXPECT_EQ(x.shape(), Shape({1, 1}));
  EXPECT_THROW_WITH_MESSAGE(list(x), "ModuleList has no forward");
}

}  // namespace
}  // namespace athanor::nn
