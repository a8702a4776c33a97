// src/metrics/golden_test.cpp: every metric against scikit-learn's values on the fixtures of
// tests/golden/metrics (written by tests/golden/make_metrics.py), in one update and streamed in
// uneven batches, with a table of the largest relative deviations.
#include "testing/golden.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/metrics/metrics.h>

#include "testing/matchers.h"

namespace athanor::metrics {
namespace {

using testing::Golden;

constexpr double kRtol = 1e-12;

// Feeds the examples in batches of 1, 7, 2, 13, 3, 1, 7, 2, 13, 3, ... (uneven, and not a
// divisor of any fixture's size), ending with an empty batch.
void update_in_batches(Metric& metric, const Tensor& output, const Tensor& target) {
  const int64_t n = output.shape(0);
  const int64_t sizes[] = {1, 7, 2, 13, 3};
  int64_t start = 0;
  for (size_t i = 0; start < n; ++i) {
    const int64_t len = std::min(sizes[i % 5], n - start);
    metric.update(output.narrow(0, start, len), target.narrow(0, start, len));
    start += len;
  }
  metric.update(output.narrow(0, n, 0), target.narrow(0, n, 0));
}

// The largest relative deviation from scikit-learn per metric key, over all fixtures.
class DeviationTable {
 public:
  void check(const std::string& key, double actual, double expected) {
    const double diff = std::fabs(actual - expected);
    EXPECT_LE(diff, kRtol * std::fabs(expected) + 1e-300)
        << key << ": actual " << actual << ", scikit-learn " << expected;
    double& worst = worst_[key];
    worst = std::max(worst, expected == 0 ? diff : diff / std::fabs(expected));
  }
  void print() const {
    std::printf("largest relative deviation from scikit-learn, per metric:\n");
    double overall = 0;
    for (const auto& [key, dev] : worst_) {
      std::printf("  %-24s %.3g\n", key.c_str(), dev);
      overall = std::max(overall, dev);
    }
    std::printf("  %-24s %.3g\n", "(all)", overall);
  }

 private:
  std::map<std::string, double> worst_;
};

double expected_value(const Golden& g, const std::string& key) {
  return g.tensor("expected." + key).item<double>();
}

// Checks `make()`'s metric in one update against the fixture's value, and that streaming in
// uneven batches gives exactly the same double.
void check_metric(DeviationTable& table, const Golden& g, const std::string& key,
                  const std::function<std::unique_ptr<Metric>()>& make) {
  SCOPED_TRACE(key);
  const Tensor output = g.tensor("output");
  const Tensor target = g.tensor("target");
  std::unique_ptr<Metric> whole = make();
  whole->update(output, target);
  const double value = whole->compute();
  table.check(key, value, expected_value(g, key));
  std::unique_ptr<Metric> streamed = make();
  update_in_batches(*streamed, output, target);
  EXPECT_EQ(streamed->compute(), value) << "streamed in batches";
}

void check_vector(DeviationTable& table, const std::string& key, const std::vector<double>& actual,
                  const Tensor& expected) {
  const std::vector<double> e = expected.to_vector<double>();
  ASSERT_EQ(actual.size(), e.size()) << key;
  for (size_t i = 0; i < e.size(); ++i) table.check(key, actual[i], e[i]);
}

void check_classification(DeviationTable& table, const Golden& g) {
  const bool binary = g.text("kind") == "binary";
  const double threshold = g.number("threshold");
  const bool from_logits = g.flag("from_logits");
  const AccuracyOptions accuracy_options{.threshold = threshold, .from_logits = from_logits};
  check_metric(table, g, "accuracy", [&] { return std::make_unique<Accuracy>(accuracy_options); });
  for (const int64_t k : g.integers("top_k")) {
    check_metric(table, g, fmt::format("top_{}_accuracy", k),
                 [&] { return std::make_unique<TopKAccuracy>(k); });
  }
  const std::pair<Average, const char*> averages[] = {{Average::Binary, "binary"},
                                                      {Average::Micro, "micro"},
                                                      {Average::Macro, "macro"},
                                                      {Average::Weighted, "weighted"}};
  for (const auto& [average, average_name] : averages) {
    if (average == Average::Binary && !binary) continue;
    const ClassificationOptions options{
        .average = average, .threshold = threshold, .from_logits = from_logits};
    const std::string suffix = std::string(".") + average_name;
    check_metric(table, g, "precision" + suffix,
                 [&] { return std::make_unique<Precision>(options); });
    check_metric(table, g, "recall" + suffix, [&] { return std::make_unique<Recall>(options); });
    check_metric(table, g, "f1" + suffix, [&] { return std::make_unique<F1>(options); });
  }

  ConfusionMatrix cm({.threshold = threshold, .from_logits = from_logits});
  update_in_batches(cm, g.tensor("output"), g.tensor("target"));
  EXPECT_TENSOR_EQ(cm.matrix(), g.tensor("expected.confusion_matrix"));
  EXPECT_EQ(cm.num_classes(), g.integer("num_classes"));
  EXPECT_EQ(cm.support(), g.tensor("expected.per_class.support").to_vector<int64_t>());
  check_vector(table, "per_class.precision", cm.precision_per_class(),
               g.tensor("expected.per_class.precision"));
  check_vector(table, "per_class.recall", cm.recall_per_class(),
               g.tensor("expected.per_class.recall"));
  check_vector(table, "per_class.f1", cm.f1_per_class(), g.tensor("expected.per_class.f1"));
  table.check("confusion_matrix", cm.compute(), expected_value(g, "accuracy"));
  table.check("f1.macro", cm.f1(Average::Macro), expected_value(g, "f1.macro"));
  if (binary) {
    check_metric(table, g, "auc", [] { return std::make_unique<AUC>(); });
  }
}

void check_regression(DeviationTable& table, const Golden& g) {
  check_metric(table, g, "mse", [] { return std::make_unique<MSE>(); });
  check_metric(table, g, "rmse", [] { return std::make_unique<RMSE>(); });
  check_metric(table, g, "mae", [] { return std::make_unique<MAE>(); });
  check_metric(table, g, "r2", [] { return std::make_unique<R2>(); });
}

TEST(MetricsGolden, EveryMetricMatchesScikitLearn) {
  const std::vector<std::string> files = testing::golden_files("metrics");
  ASSERT_GE(files.size(), 15u);
  DeviationTable table;
  std::map<std::string, int> kinds;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const Golden g = Golden::load(file);
    ASSERT_EQ(g.module(), "sklearn.metrics");
    const std::string kind = g.text("kind");
    ++kinds[kind];
    if (kind == "regression") {
      check_regression(table, g);
    } else {
      check_classification(table, g);
    }
  }
  // Every kind of fixture was seen, so a renamed kind cannot silently skip its checks.
  EXPECT_GE(kinds["binary"], 5);
  EXPECT_GE(kinds["multiclass"], 5);
  EXPECT_GE(kinds["regression"], 4);
  table.print();
}

}  // namespace
}  // namespace athanor::metrics
