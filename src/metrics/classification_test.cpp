// src/metrics/classification_test.cpp: Accuracy, TopKAccuracy, ConfusionMatrix, Precision, Recall
// and F1 on hand-derived examples (thresholds, logits, ties, zero division), streaming, and
// their error messages.
#include <gtest/gtest.h>

#include <athanor/metrics/classification.h>

#include "testing/matchers.h"

namespace athanor::metrics {
namespace {

using ::testing::ElementsAre;

// Predicted classes 1, 0, 2, 1 against targets 1, 0, 1, 2: confusion matrix (rows = truth)
// [[1, 0, 0], [0, 1, 1], [0, 1, 0]].
const Tensor kScores =
    Tensor::from({{0.1, 0.7, 0.2}, {0.9, 0.05, 0.05}, {0.3, 0.3, 0.4}, {0.2, 0.5, 0.3}});
const Tensor kClasses = Tensor::from({1, 0, 1, 2});

TEST(Accuracy, MulticlassByArgmax) {
  EXPECT_EQ(accuracy(kScores, kClasses), 0.5);
  // Float32 scores, float class indices and a [N, 1] target read the same.
  EXPECT_EQ(accuracy(kScores.to(kFloat32), kClasses.to(kFloat64).reshape({4, 1})), 0.5);
  // Ties go to the first maximum, as argmax.
  EXPECT_EQ(accuracy(Tensor::from({{0.5, 0.5}, {0.2, 0.2}}), Tensor::from({0, 0})), 1.0);
}

TEST(Accuracy, BinaryThresholdIsInclusive) {
  const Tensor p = Tensor::from({0.2, 0.5, 0.7, 0.49});  // predicted 0, 1, 1, 0
  EXPECT_EQ(accuracy(p, Tensor::from({0, 1, 0, 1})), 0.5);
  EXPECT_EQ(accuracy(p.reshape({4, 1}), Tensor::from({0.0, 1.0, 1.0, 0.0})), 1.0);
  EXPECT_EQ(accuracy(p, Tensor::from({0, 0, 1, 0}), {.threshold = 0.6}), 1.0);
}

TEST(Accuracy, BinaryFromLogits) {
  // sigmoid(x) >= 0.5 iff x >= 0, even where sigmoid would round to 0.5 or 1.
  const Tensor logits = Tensor::from({-1.0, 0.0, 2.0, -1e-17, 40.0});
  EXPECT_EQ(accuracy(logits, Tensor::from({0, 1, 1, 0, 1}), {.from_logits = true}), 1.0);
  // threshold 0.3: x >= log(0.3 / 0.7) = -0.847...
  EXPECT_EQ(accuracy(Tensor::from({-1.0, -0.8}), Tensor::from({0, 1}),
                     {.threshold = 0.3, .from_logits = true}),
            1.0);
  EXPECT_THROW_WITH_MESSAGE(
      Accuracy({.threshold = 1.5, .from_logits = true}),
      "accuracy: threshold 1.5 with from_logits; expected a probability 0 < threshold < 1");
}

TEST(Accuracy, StreamsAndSkipsEmptyBatches) {
  Accuracy streamed;
  streamed.update(kScores.narrow(0, 0, 1), kClasses.narrow(0, 0, 1));
  streamed.update(kScores.narrow(0, 1, 0), kClasses.narrow(0, 1, 0));
  streamed.update(kScores.narrow(0, 1, 3), kClasses.narrow(0, 1, 3));
  EXPECT_EQ(streamed.compute(), 0.5);
  Accuracy empty;
  empty.update(kScores.narrow(0, 0, 0), kClasses.narrow(0, 0, 0));
  EXPECT_THROW_WITH_MESSAGE(empty.compute(),
                            "accuracy: compute() called with no examples seen since reset(); "
                            "call update() first");
}

TEST(Accuracy, Errors) {
  Accuracy a;
  EXPECT_THROW_WITH_MESSAGE(a.update(kScores, Tensor::from({1, 0, 1, 2, 0})),
                            "accuracy: output has shape [4, 3] and target has shape [5]; expected "
                            "target of shape [4] (one class index per example)");
  EXPECT_THROW_WITH_MESSAGE(a.update(kScores, Tensor::from({1, 3, 1, 2})),
                            "accuracy: target class 3 at index 1 is out of range for 3 classes "
                            "(output shape [4, 3]); expected 0 <= target < 3");
  EXPECT_THROW_WITH_MESSAGE(a.update(kScores, Tensor::from({1, 0, -1, 2})),
                            "accuracy: target class -1 at index 2 is out of range");
  EXPECT_THROW_WITH_MESSAGE(a.update(Tensor::from({0.3, 0.9}), Tensor::from({0.0, 2.0})),
                            "accuracy: target class 2 at index 1 is out of range for 2 classes "
                            "(output shape [2]); expected 0 <= target < 2");
  EXPECT_THROW_WITH_MESSAGE(a.update(Tensor::from({0.3, 0.9}), Tensor::from({0.5, 1.0})),
                            "accuracy: target holds 0.5 at index 0; expected class indices (whole "
                            "numbers)");
  EXPECT_THROW_WITH_MESSAGE(a.update(zeros({2, 3, 4}), kClasses),
                            "accuracy: output has shape [2, 3, 4]; expected class scores [N, C] "
                            "or binary scores [N] or [N, 1]");
  EXPECT_THROW_WITH_MESSAGE(a.update(kScores, Tensor()),
                            "accuracy: got an undefined target tensor");
  EXPECT_THROW(a.compute(), Error);  // nothing was counted by the failed updates
}

TEST(TopKAccuracy, TiesRankTheHigherClassFirst) {
  // Row 0: target 2 is second. Row 1: 0.4 (class 2), then the tie 0.3 ranks class 1 before 0.
  const Tensor scores = Tensor::from({{0.1, 0.5, 0.4}, {0.3, 0.3, 0.4}});
  const Tensor target = Tensor::from({2, 0});
  EXPECT_EQ(top_k_accuracy(scores, target, 1), 0.0);
  EXPECT_EQ(top_k_accuracy(scores, target, 2), 0.5);
  EXPECT_EQ(top_k_accuracy(scores, target, 3), 1.0);
  EXPECT_EQ(top_k_accuracy(scores, target, 7), 1.0);
  EXPECT_EQ(top_k_accuracy(kScores, kClasses, 1), accuracy(kScores, kClasses));
}

TEST(TopKAccuracy, Errors) {
  EXPECT_THROW_WITH_MESSAGE(TopKAccuracy(0), "top_k_accuracy: k is 0; expected k >= 1");
  TopKAccuracy m(2);
  EXPECT_THROW_WITH_MESSAGE(m.update(Tensor::from({0.3, 0.9}), Tensor::from({0, 1})),
                            "top_k_accuracy: output has shape [2]; expected class scores [N, C] "
                            "with C >= 2");
  EXPECT_THROW_WITH_MESSAGE(m.update(kScores, Tensor::from({0, 1})),
                            "top_k_accuracy: output has shape [4, 3] and target has shape [2]");
  EXPECT_THROW_WITH_MESSAGE(m.compute(), "top_k_accuracy: compute() called with no examples");
}

TEST(ConfusionMatrix, CountsTruthByPrediction) {
  ConfusionMatrix cm;
  EXPECT_EQ(cm.matrix().shape(), (Shape{0, 0}));
  cm.update(kScores.narrow(0, 0, 3), kClasses.narrow(0, 0, 3));
  cm.update(kScores.narrow(0, 3, 1), kClasses.narrow(0, 3, 1));
  EXPECT_TENSOR_EQ(cm.matrix(), Tensor::from({{1, 0, 0}, {0, 1, 1}, {0, 1, 0}}));
  EXPECT_EQ(cm.num_classes(), 3);
  EXPECT_EQ(cm.count(), 4);
  EXPECT_EQ(cm.at(1, 2), 1);
  EXPECT_EQ(cm.compute(), 0.5);
  EXPECT_THAT(cm.support(), ElementsAre(1, 2, 1));
  EXPECT_THAT(cm.precision_per_class(), ElementsAre(1.0, 0.5, 0.0));
  EXPECT_THAT(cm.recall_per_class(), ElementsAre(1.0, 0.5, 0.0));
  EXPECT_THAT(cm.f1_per_class(), ElementsAre(1.0, 0.5, 0.0));
  EXPECT_EQ(cm.precision(Average::Macro), 0.5);
  EXPECT_EQ(cm.recall(Average::Weighted), (1.0 * 1 + 0.5 * 2 + 0.0 * 1) / 4);
  EXPECT_EQ(cm.f1(Average::Micro), 0.5);
  EXPECT_TENSOR_EQ(confusion_matrix(kScores, kClasses, {.num_classes = 3}), cm.matrix());
  cm.reset();
  EXPECT_EQ(cm.num_classes(), 0);
  EXPECT_THROW_WITH_MESSAGE(cm.at(0, 0),
                            "confusion_matrix: entry [0, 0] is out of range for 0 classes");
}

TEST(ConfusionMatrix, NumClassesFixesTheWidth) {
  ConfusionMatrix cm({.num_classes = 4});
  EXPECT_EQ(cm.matrix().shape(), (Shape{4, 4}));
  EXPECT_THROW_WITH_MESSAGE(cm.update(kScores, kClasses),
                            "confusion_matrix: output has shape [4, 3] (3 classes), but "
                            "num_classes is 4");
  ConfusionMatrix inferred;
  inferred.update(kScores, kClasses);
  EXPECT_THROW_WITH_MESSAGE(inferred.update(zeros({2, 5}), Tensor::from({0, 4})),
                            "confusion_matrix: output has shape [2, 5] (5 classes), but earlier "
                            "batches had 3 classes");
  EXPECT_THROW_WITH_MESSAGE(inferred.precision(Average::Binary),
                            "confusion_matrix: average=binary needs 2 classes, but there are 3");
  EXPECT_THROW_WITH_MESSAGE(ConfusionMatrix({.num_classes = 1}),
                            "confusion_matrix: num_classes is 1; expected 0 (infer from the "
                            "output) or at least 2");
}

// Binary predictions 1, 1, 0, 1, 0 against 1, 0, 1, 1, 0: tp 2, fp 1, fn 1, tn 1.
const Tensor kProbabilities = Tensor::from({0.9, 0.8, 0.2, 0.6, 0.1});
const Tensor kLabels = Tensor::from({1, 0, 1, 1, 0});

TEST(PrecisionRecallF1, Binary) {
  EXPECT_DOUBLE_EQ(precision(kProbabilities, kLabels), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(recall(kProbabilities, kLabels), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(f1_score(kProbabilities, kLabels), 2.0 / 3.0);
  // Class 0 as the positive one: tp 1 of 2 predicted and 2 true.
  EXPECT_EQ(precision(kProbabilities, kLabels, {.pos_label = 0}), 0.5);
  EXPECT_EQ(recall(kProbabilities, kLabels, {.pos_label = 0}), 0.5);
  // A stricter threshold: predictions 1, 1, 0, 0, 0: precision 1/2, recall 1/3, F1 2/5.
  EXPECT_EQ(precision(kProbabilities, kLabels, {.threshold = 0.7}), 0.5);
  EXPECT_DOUBLE_EQ(recall(kProbabilities, kLabels, {.threshold = 0.7}), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(f1_score(kProbabilities, kLabels, {.threshold = 0.7}), 0.4);
  // Two-column class scores give the same as binary scores.
  const Tensor two = Tensor::from({{0.1, 0.9}, {0.2, 0.8}, {0.8, 0.2}, {0.4, 0.6}, {0.9, 0.1}});
  EXPECT_DOUBLE_EQ(f1_score(two, kLabels), 2.0 / 3.0);
}

TEST(PrecisionRecallF1, ZeroDivisionGivesZero) {
  // Nothing predicted positive: precision 0/0 -> 0; recall 0/1 -> 0; F1 0.
  const Tensor low = Tensor::from({0.1, 0.2});
  const Tensor target = Tensor::from({1, 0});
  EXPECT_EQ(precision(low, target), 0.0);
  EXPECT_EQ(recall(low, target), 0.0);
  EXPECT_EQ(f1_score(low, target), 0.0);
  // No positives at all, none predicted: every score of class 1 is 0/0 -> 0.
  EXPECT_EQ(f1_score(low, Tensor::from({0, 0})), 0.0);
  // Macro over the classes seen: class 2 is neither a target nor predicted, so it does not
  // count; class 1 is a target but never predicted, so it counts as precision 0.
  const Tensor scores = Tensor::from({{0.9, 0.05, 0.05}, {0.8, 0.1, 0.1}, {0.2, 0.7, 0.1}});
  const Tensor classes = Tensor::from({0, 1, 0});  // predicted 0, 0, 1
  EXPECT_EQ(precision(scores, classes, {.average = Average::Macro}), (1.0 / 2.0 + 0.0) / 2.0);
}

TEST(PrecisionRecallF1, MulticlassAverages) {
  EXPECT_EQ(precision(kScores, kClasses, {.average = Average::Macro}), 0.5);
  EXPECT_EQ(recall(kScores, kClasses, {.average = Average::Micro}), 0.5);
  EXPECT_EQ(f1_score(kScores, kClasses, {.average = Average::Weighted}), 0.5);
  F1 f1(Average::Macro);
  f1.update(kScores, kClasses);
  EXPECT_EQ(f1.compute(), 0.5);
  EXPECT_EQ(f1.confusion_matrix().count(), 4);
  EXPECT_EQ(to_string(Average::Weighted), "weighted");
}

TEST(PrecisionRecallF1, Errors) {
  F1 f1;  // average=binary, as scikit-learn's default
  EXPECT_THROW_WITH_MESSAGE(f1.update(kScores, kClasses),
                            "f1: average=binary needs 2 classes, but the output has shape [4, 3] "
                            "(3 classes); use Average::Macro, Micro or Weighted");
  EXPECT_THROW_WITH_MESSAGE(f1.compute(), "f1: compute() called with no examples seen");
  EXPECT_THROW_WITH_MESSAGE(Precision({.pos_label = 2}),
                            "precision: pos_label is 2; expected 0 or 1 with average=binary");
  EXPECT_THROW_WITH_MESSAGE(Recall({.num_classes = 3}),
                            "recall: average=binary needs 2 classes, but num_classes is 3");
  Recall recall_macro({.average = Average::Macro});
  EXPECT_THROW_WITH_MESSAGE(recall_macro.update(kScores, Tensor::from({0, 1, 5, 1})),
                            "recall: target class 5 at index 2 is out of range for 3 classes");
}

}  // namespace
}  // namespace athanor::metrics
