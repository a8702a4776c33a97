// src/nn/loss_test.cpp: the loss modules: each forwards to its functional op with its options,
// works through the Loss base and by copy, and rejects bad options when constructed.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/nn/loss.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::nn {
namespace {

using testing::random_normal;
using testing::random_uniform;

TEST(LossModules, EachEqualsItsFunctionalOp) {
  const Tensor x = random_normal({4, 3}, 1), t = random_normal({4, 3}, 2);
  const Tensor p = random_uniform({4, 3}, 0.05, 0.95, 3), q = random_uniform({4, 3}, 0, 1, 4);
  const Tensor y = Tensor::from({0, 2, 1, -100});
  const Tensor w = Tensor::from({0.5, 1.0, 2.0});
  const Tensor signs =
      Tensor::from({{1.0, -1.0, 1.0}, {-1.0, -1.0, 1.0}, {1.0, 1.0, 1.0}, {-1.0, 1.0, -1.0}});
  EXPECT_TENSOR_EQ(MSELoss(Reduction::kSum)(x, t), mse_loss(x, t, Reduction::kSum));
  EXPECT_TENSOR_EQ(L1Loss()(x, t), l1_loss(x, t));
  EXPECT_TENSOR_EQ(SmoothL1Loss({.reduction = Reduction::kNone, .beta = 0.5})(x, t),
                   smooth_l1_loss(x, t, Reduction::kNone, 0.5));
  EXPECT_TENSOR_EQ(HuberLoss({.delta = 0.3})(x, t), huber_loss(x, t, Reduction::kMean, 0.3));
  EXPECT_TENSOR_EQ(BCELoss({.weight = w})(p, q), binary_cross_entropy(p, q, {.weight = w}));
  EXPECT_TENSOR_EQ(
      BCEWithLogitsLoss({.pos_weight = w, .reduction = Reduction::kSum})(x, q),
      binary_cross_entropy_with_logits(x, q, {.pos_weight = w, .reduction = Reduction::kSum}));
  const CrossEntropyOptions ce{.weight = w, .label_smoothing = 0.1};
  EXPECT_TENSOR_EQ(CrossEntropyLoss(ce)(x, y), cross_entropy(x, y, ce));
  EXPECT_TENSOR_EQ(NLLLoss({.weight = w})(log_softmax(x, 1), y),
                   nll_loss(log_softmax(x, 1), y, {.weight = w}));
  EXPECT_TENSOR_EQ(HingeLoss({.margin = 2.0})(x, signs),
                   hinge_loss(x, signs, Reduction::kMean, 2.0));
  const Tensor y3 = Tensor::from({0, 2, 1, 1});
  EXPECT_TENSOR_EQ(MultiMarginLoss({.p = 2, .margin = 0.5})(x, y3),
                   multi_margin_loss(x, y3, {.p = 2, .margin = 0.5}));
}

TEST(LossModules, WorkThroughTheBaseAndByCopy) {
  std::vector<std::shared_ptr<const Loss>> losses = {
      std::make_shared<MSELoss>(),          std::make_shared<L1Loss>(),
      std::make_shared<SmoothL1Loss>(),     std::make_shared<HuberLoss>(),
      std::make_shared<BCELoss>(),          std::make_shared<BCEWithLogitsLoss>(),
      std::make_shared<CrossEntropyLoss>(), std::make_shared<NLLLoss>(),
      std::make_shared<HingeLoss>(),        std::make_shared<MultiMarginLoss>()};
  std::vector<std::string> names;
  for (const auto& loss : losses) names.push_back(loss->name());
  EXPECT_EQ(names, (std::vector<std::string>{"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
                                             "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
                                             "NLLLoss", "HingeLoss", "MultiMarginLoss"}));
  // A copy keeps the options (and shares the weight tensor).
  const CrossEntropyLoss original({.weight = Tensor::from({1.0, 3.0}), .ignore_index = 1});
  const CrossEntropyLoss copy = original;
  EXPECT_EQ(copy.options().ignore_index, 1);
  EXPECT_TRUE(copy.options().weight.is_same(original.options().weight));
  const Tensor x = random_normal({3, 2}, 5), y = Tensor::from({0, 1, 0});
  EXPECT_TENSOR_EQ(copy(x, y), original.forward(x, y));
  const Loss& base = copy;
  EXPECT_TENSOR_EQ(base(x, y), cross_entropy(x, y, original.options()));
}

TEST(LossModules, GradientsFlowToTheInput) {
  Tensor x = random_normal({3, 4}, 6).set_requires_grad();
  CrossEntropyLoss()(x, Tensor::from({3, 0, 1})).backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().shape(), x.shape());
}

TEST(LossModules, BadOptionsFailAtConstruction) {
  EXPECT_THROW_WITH_MESSAGE(SmoothL1Loss({.beta = -1.0}),
                            "SmoothL1Loss: expected beta >= 0, got -1");
  EXPECT_THROW_WITH_MESSAGE(HuberLoss({.delta = 0.0}), "HuberLoss: expected delta > 0, got 0");
  EXPECT_THROW_WITH_MESSAGE(CrossEntropyLoss({.label_smoothing = -0.5}),
                            "CrossEntropyLoss: expected label_smoothing in [0, 1], got -0.5");
  EXPECT_THROW_WITH_MESSAGE(MultiMarginLoss({.p = 0}),
                            "MultiMarginLoss: expected p = 1 or 2, got 0");
  // Errors of the inputs come from the functional op, naming it.
  EXPECT_THROW_WITH_MESSAGE(MSELoss()(zeros({2}), zeros({3})),
                            "mse_loss: input has shape [2] but target has shape [3]");
}

}  // namespace
}  // namespace athanor::nn
