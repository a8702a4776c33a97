// src/metrics/metric_test.cpp: MetricList (brace lists, copies as fresh clones, iteration,
// push_back) and the Metric contract for every metric: names, clone(), reset(), no autograd.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/metrics/metrics.h>

#include "testing/matchers.h"

namespace athanor::metrics {
namespace {

using ::testing::ElementsAre;

const Tensor kScores = Tensor::from({{0.1, 0.7, 0.2}, {0.9, 0.05, 0.05}, {0.3, 0.3, 0.4}});
const Tensor kClasses = Tensor::from({1, 0, 1});

size_t count_metrics(const MetricList& list) { return list.size(); }

TEST(MetricList, BraceListOfValues) {
  MetricList list{Accuracy(), F1({.average = Average::Macro}), TopKAccuracy(2)};
  EXPECT_EQ(list.size(), 3u);
  EXPECT_FALSE(list.empty());
  EXPECT_THAT(list.names(), ElementsAre("accuracy", "f1", "top_2_accuracy"));
  // A function parameter of type MetricList takes a brace list directly.
  EXPECT_EQ(count_metrics({Accuracy(), MSE()}), 2u);
  EXPECT_EQ(count_metrics({}), 0u);
  EXPECT_TRUE(MetricList().empty());
}

TEST(MetricList, UpdatesResetsAndIterates) {
  MetricList list{Accuracy(), Precision(Average::Macro)};
  list.update(kScores, kClasses);  // predictions 1, 0, 2
  std::vector<double> values;
  for (Metric& m : list) values.push_back(m.compute());
  EXPECT_THAT(values, ElementsAre(2.0 / 3.0, (1.0 + 1.0 + 0.0) / 3.0));
  const MetricList& const_list = list;
  for (const Metric& m : const_list) EXPECT_TRUE(m.higher_is_better());
  EXPECT_EQ(list[0].name(), "accuracy");
  list.reset();
  for (const Metric& m : list) {
    EXPECT_THROW_WITH_MESSAGE(m.compute(), "no examples seen since reset()");
  }
  EXPECT_THROW_WITH_MESSAGE(list[2], "MetricList: index 2 is out of range for 2 metrics");
}

TEST(MetricList, CopiesHoldFreshClonesAndMovesKeepState) {
  MetricList list{Accuracy({.name = "acc"}), MSE()};
  list[0].update(kScores, kClasses);
  const MetricList copy = list;
  EXPECT_EQ(copy.names(), list.names());
  EXPECT_THROW_WITH_MESSAGE(copy[0].compute(), "accuracy: compute() called with no examples");
  MetricList assigned;
  assigned = list;
  EXPECT_THROW(assigned[0].compute(), Error);
  MetricList moved = std::move(list);
  EXPECT_DOUBLE_EQ(moved[0].compute(), 2.0 / 3.0);
}

TEST(MetricList, PushBack) {
  MetricList list;
  Accuracy seen;
  seen.update(kScores, kClasses);
  list.push_back(seen);  // a copy keeps what it has seen
  list.push_back(std::make_unique<R2>());
  const Metric& base = seen;
  list.push_back(base);  // through the base class: a fresh clone
  list.push_back(AUC());
  EXPECT_THAT(list.names(), ElementsAre("accuracy", "r2", "accuracy", "auc"));
  EXPECT_DOUBLE_EQ(list[0].compute(), 2.0 / 3.0);
  EXPECT_THROW(list[2].compute(), Error);
  EXPECT_THROW_WITH_MESSAGE(list.push_back(std::unique_ptr<Metric>()),
                            "MetricList::push_back: got a null metric");
}

// One of each metric with data it accepts: (metric, output, target).
struct Example {
  std::shared_ptr<Metric> metric;
  Tensor output;
  Tensor target;
  std::string name;
  bool higher_is_better;
};

std::vector<Example> one_of_each() {
  const Tensor binary = Tensor::from({0.9, 0.2, 0.6, 0.4});
  const Tensor labels = Tensor::from({1, 0, 0, 1});
  const Tensor values = Tensor::from({1.0, 2.0, 4.0});
  const Tensor truth = Tensor::from({1.5, 2.0, 3.0});
  return {
      {std::make_shared<Accuracy>(AccuracyOptions{.threshold = 0.7}), binary, labels, "accuracy",
       true},
      {std::make_shared<TopKAccuracy>(2), kScores, kClasses, "top_2_accuracy", true},
      {std::make_shared<Precision>(), binary, labels, "precision", true},
      {std::make_shared<Recall>(Average::Weighted), kScores, kClasses, "recall", true},
      {std::make_shared<F1>(ClassificationOptions{.average = Average::Macro, .name = "f1_macro"}),
       kScores, kClasses, "f1_macro", true},
      {std::make_shared<ConfusionMatrix>(), kScores, kClasses, "confusion_matrix", true},
      {std::make_shared<AUC>(), binary, labels, "auc", true},
      {std::make_shared<MSE>(), values, truth, "mse", false},
      {std::make_shared<RMSE>(), values, truth, "rmse", false},
      {std::make_shared<MAE>(RegressionOptions{.name = "val_mae"}), values, truth, "val_mae",
       false},
      {std::make_shared<R2>(), values, truth, "r2", true},
  };
}

TEST(Metric, NamesAndDirection) {
  for (const Example& ex : one_of_each()) {
    EXPECT_EQ(ex.metric->name(), ex.name);
    EXPECT_EQ(ex.metric->higher_is_better(), ex.higher_is_better) << ex.name;
  }
  EXPECT_EQ(TopKAccuracy().name(), "top_5_accuracy");
  EXPECT_EQ(TopKAccuracy({.k = 3, .name = "top3"}).name(), "top3");
}

TEST(Metric, CloneIsFreshWithTheSameOptions) {
  for (const Example& ex : one_of_each()) {
    SCOPED_TRACE(ex.name);
    ex.metric->update(ex.output, ex.target);
    const double value = ex.metric->compute();
    const std::unique_ptr<Metric> clone = ex.metric->clone();
    EXPECT_EQ(clone->name(), ex.name);
    EXPECT_THROW_WITH_MESSAGE(clone->compute(), "compute() called with no examples seen");
    clone->update(ex.output, ex.target);
    EXPECT_EQ(clone->compute(), value);      // same options (threshold 0.7, Weighted, ...)
    EXPECT_EQ(ex.metric->compute(), value);  // the original is untouched
  }
}

TEST(Metric, ResetForgetsEverything) {
  for (const Example& ex : one_of_each()) {
    SCOPED_TRACE(ex.name);
    ex.metric->update(ex.output, ex.target);
    const double value = ex.metric->compute();
    ex.metric->update(ex.output, ex.target);
    ex.metric->reset();
    EXPECT_THROW_WITH_MESSAGE(ex.metric->compute(), "compute() called with no examples seen");
    ex.metric->update(ex.output, ex.target);
    EXPECT_EQ(ex.metric->compute(), value);
  }
}

TEST(Metric, AcceptsOutputsThatRequireGrad) {
  // A training step's output, still attached to its graph: only its values are read.
  Tensor output = Tensor::from({{0.2, 0.8}, {0.6, 0.4}}, kFloat32);
  output.set_requires_grad();
  Accuracy accuracy;
  accuracy.update(output, Tensor::from({1, 0}));
  EXPECT_EQ(accuracy.compute(), 1.0);
  MSE mse;
  mse.update(output, zeros({2, 2}));
  EXPECT_NEAR(mse.compute(), (0.04 + 0.64 + 0.36 + 0.16) / 4, 1e-7);  // float32 inputs
  EXPECT_FALSE(output.grad().defined());
}

}  // namespace
}  // namespace athanor::metrics
