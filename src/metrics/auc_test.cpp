// src/metrics/auc_test.cpp: AUC on hand-derived examples (ties, [N, 2] scores, logits),
// streaming, and its errors.
#include <gtest/gtest.h>

#include <athanor/metrics/auc.h>
#include <athanor/ops/activation.h>

#include "testing/matchers.h"

namespace athanor::metrics {
namespace {

TEST(AUC, CountsCorrectlyOrderedPairs) {
  // scikit-learn's documented example: 3 of the 4 (positive, negative) pairs are ordered.
  EXPECT_EQ(roc_auc_score(Tensor::from({0.1, 0.4, 0.35, 0.8}), Tensor::from({0, 0, 1, 1})), 0.75);
  EXPECT_EQ(roc_auc_score(Tensor::from({0.1, 0.9}), Tensor::from({0, 1})), 1.0);
  EXPECT_EQ(roc_auc_score(Tensor::from({0.1, 0.9}), Tensor::from({1.0, 0.0})), 0.0);
}

TEST(AUC, TiesCountOneHalf) {
  EXPECT_EQ(roc_auc_score(Tensor::from({0.5, 0.5, 0.5, 0.5}), Tensor::from({0, 1, 0, 1})), 0.5);
  // Pairs: (0.5+, 0.2-) 1, (0.5+, 0.5-) 1/2, (0.9+, both) 2: 3.5 of 4.
  EXPECT_EQ(roc_auc_score(Tensor::from({0.2, 0.5, 0.5, 0.9}), Tensor::from({0, 0, 1, 1})), 0.875);
}

TEST(AUC, ScoreShapesAndLogits) {
  const Tensor logits = Tensor::from({-2.0, 0.3, 0.1, 1.5, -0.4, 0.9});
  const Tensor target = Tensor::from({0, 1, 0, 1, 1, 0});
  const double expected = roc_auc_score(logits, target);
  EXPECT_EQ(expected, 6.0 / 9.0);
  EXPECT_EQ(roc_auc_score(sigmoid(logits), target), expected);
  EXPECT_EQ(roc_auc_score(logits.reshape({6, 1}), target.reshape({6, 1})), expected);
  // [N, 2]: column 1 scores the positive class.
  const Tensor two = Tensor::from(
      {{0.0, -2.0}, {5.0, 0.3}, {-1.0, 0.1}, {0.0, 1.5}, {0.0, -0.4}, {3.0, 0.9}}, kFloat32);
  EXPECT_EQ(roc_auc_score(two, target), expected);
}

TEST(AUC, StreamsInBatches) {
  const Tensor scores = Tensor::from({0.3, 0.3, 0.7, 0.1, 0.9, 0.3, 0.6});
  const Tensor target = Tensor::from({0, 1, 1, 0, 1, 0, 0});
  AUC streamed;
  streamed.update(scores.narrow(0, 0, 2), target.narrow(0, 0, 2));
  streamed.update(scores.narrow(0, 2, 4), target.narrow(0, 2, 4));
  streamed.update(scores.narrow(0, 6, 1), target.narrow(0, 6, 1));
  EXPECT_EQ(streamed.compute(), roc_auc_score(scores, target));
}

TEST(AUC, Errors) {
  AUC auc;
  EXPECT_THROW_WITH_MESSAGE(auc.compute(), "auc: compute() called with no examples seen");
  auc.update(Tensor::from({0.2, 0.7}), Tensor::from({1, 1}));
  EXPECT_THROW_WITH_MESSAGE(auc.compute(),
                            "auc: only one class (1) was seen in the targets since reset(); ROC "
                            "AUC needs both positive and negative examples");
  EXPECT_THROW_WITH_MESSAGE(auc.update(zeros({4, 3}), Tensor::from({0, 1, 2, 0})),
                            "auc: output has shape [4, 3]; expected binary scores [N] or [N, 1], "
                            "or two-class scores [N, 2]");
  EXPECT_THROW_WITH_MESSAGE(auc.update(Tensor::from({0.2, 0.7}), Tensor::from({0, 1, 1})),
                            "auc: output has shape [2] and target has shape [3]");
  EXPECT_THROW_WITH_MESSAGE(auc.update(Tensor::from({0.2, 0.7}), Tensor::from({0, 2})),
                            "auc: target class 2 at index 1 is out of range for 2 classes");
  EXPECT_THROW_WITH_MESSAGE(auc.update(Tensor::from({0.2, std::nan("")}), Tensor::from({0, 1})),
                            "auc: output holds NaN for example 1; expected scores");
  auc.update(Tensor::from({0.5}), Tensor::from({0}));
  // The failed updates added nothing: positives 0.2 and 0.7 against the negative 0.5.
  EXPECT_EQ(auc.compute(), 0.5);
}

}  // namespace
}  // namespace athanor::metrics
