// src/metrics/accuracy.cpp: Accuracy and TopKAccuracy.
#include <athanor/metrics/classification.h>

#include "metrics/inputs.h"

namespace athanor::metrics {

Accuracy::Accuracy(const AccuracyOptions& options) : options_(options) {
  detail::check_binary_options("accuracy", {options.threshold, options.from_logits});
}

void Accuracy::update(const Tensor& output, const Tensor& target) {
  const detail::ClassBatch batch =
      detail::class_batch("accuracy", output, target, {options_.threshold, options_.from_logits});
  for (size_t i = 0; i < batch.truth.size(); ++i) {
    correct_ += batch.predicted[i] == batch.truth[i] ? 1 : 0;
  }
  count_ += static_cast<int64_t>(batch.truth.size());
}

double Accuracy::compute() const {
  if (count_ == 0) detail::throw_nothing_seen("accuracy");
  return static_cast<double>(correct_) / static_cast<double>(count_);
}

void Accuracy::reset() {
  correct_ = 0;
  count_ = 0;
}

std::string Accuracy::name() const { return options_.name.empty() ? "accuracy" : options_.name; }

std::unique_ptr<Metric> Accuracy::clone() const { return std::make_unique<Accuracy>(options_); }

TopKAccuracy::TopKAccuracy(const TopKAccuracyOptions& options) : options_(options) {
  ATHANOR_CHECK(options.k >= 1, "top_k_accuracy: k is {}; expected k >= 1", options.k);
}

void TopKAccuracy::update(const Tensor& output, const Tensor& target) {
  constexpr const char* kOp = "top_k_accuracy";
  detail::check_defined(kOp, output, target);
  ATHANOR_CHECK(output.dim() == 2 && output.shape(1) >= 2,
                "{}: output has shape {}; expected class scores [N, C] with C >= 2", kOp,
                output.shape());
  const int64_t n = output.shape(0);
  const int64_t c = output.shape(1);
  const std::vector<int64_t> truth = detail::class_targets(kOp, output, target, c);
  const std::vector<double> scores = output.to_vector<double>();
  for (int64_t i = 0; i < n; ++i) {
    const double* row = scores.data() + i * c;
    const int64_t t = truth[static_cast<size_t>(i)];
    // The target's rank in scikit-learn's order: descending score, and among equal scores the
    // higher class index first (a stable ascending argsort, reversed).
    int64_t rank = 0;
    for (int64_t j = 0; j < c; ++j) {
      if (row[j] > row[t] || (row[j] == row[t] && j > t)) ++rank;
    }
    correct_ += rank < options_.k ? 1 : 0;
  }
  count_ += n;
}

double TopKAccuracy::compute() const {
  if (count_ == 0) detail::throw_nothing_seen("top_k_accuracy");
  return static_cast<double>(correct_) / static_cast<double>(count_);
}

void TopKAccuracy::reset() {
  correct_ = 0;
  count_ = 0;
}

std::string TopKAccuracy::name() const {
  return options_.name.empty() ? fmt::format("top_{}_accuracy", options_.k) : options_.name;
}

std::unique_ptr<Metric> TopKAccuracy::clone() const {
  return std::make_unique<TopKAccuracy>(options_);
}

double accuracy(const Tensor& output, const Tensor& target, const AccuracyOptions& options) {
  Accuracy metric(options);
  metric.update(output, target);
  return metric.compute();
}

double top_k_accuracy(const Tensor& output, const Tensor& target, int64_t k) {
  TopKAccuracy metric(k);
  metric.update(output, target);
  return metric.compute();
}

}  // namespace athanor::metrics
