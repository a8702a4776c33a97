// src/metrics/confusion_matrix.cpp: ConfusionMatrix, and Precision, Recall and F1 computed from
// it.
#include <athanor/metrics/classification.h>

#include "metrics/inputs.h"

namespace athanor::metrics {

std::string to_string(Average average) {
  switch (average) {
    case Average::Binary:
      return "binary";
    case Average::Micro:
      return "micro";
    case Average::Macro:
      return "macro";
    case Average::Weighted:
      return "weighted";
  }
  return "unknown";
}

ConfusionMatrix::ConfusionMatrix(const ClassificationOptions& options)
    : ConfusionMatrix(options, "confusion_matrix") {}

ConfusionMatrix::ConfusionMatrix(const ClassificationOptions& options, const char* op)
    : options_(options),
      op_(op),
      check_binary_average_(op != std::string_view("confusion_matrix")) {
  detail::check_binary_options(op_, {options.threshold, options.from_logits});
  ATHANOR_CHECK(options.num_classes == 0 || options.num_classes >= 2,
                "{}: num_classes is {}; expected 0 (infer from the output) or at least 2", op_,
                options.num_classes);
  if (check_binary_average_ && options.average == Average::Binary) {
    ATHANOR_CHECK(options.num_classes == 0 || options.num_classes == 2,
                  "{}: average=binary needs 2 classes, but num_classes is {}; use "
                  "Average::Macro, Micro or Weighted",
                  op_, options.num_classes);
    ATHANOR_CHECK(options.pos_label == 0 || options.pos_label == 1,
                  "{}: pos_label is {}; expected 0 or 1 with average=binary", op_,
                  options.pos_label);
  }
  reset();
}

void ConfusionMatrix::update(const Tensor& output, const Tensor& target) {
  detail::ClassBatch batch =
      detail::class_batch(op_, output, target, {options_.threshold, options_.from_logits});
  const int64_t c = batch.num_classes;
  if (check_binary_average_ && options_.average == Average::Binary) {
    ATHANOR_CHECK(c == 2,
                  "{}: average=binary needs 2 classes, but the output has shape {} ({} classes); "
                  "use Average::Macro, Micro or Weighted",
                  op_, output.shape(), c);
  }
  if (options_.num_classes > 0) {
    ATHANOR_CHECK(c == options_.num_classes,
                  "{}: output has shape {} ({} classes), but num_classes is {}", op_,
                  output.shape(), c, options_.num_classes);
  } else if (num_classes_ == 0) {
    num_classes_ = c;
    counts_.assign(static_cast<size_t>(c * c), 0);
  } else {
    ATHANOR_CHECK(c == num_classes_,
                  "{}: output has shape {} ({} classes), but earlier batches had {} classes", op_,
                  output.shape(), c, num_classes_);
  }
  for (size_t i = 0; i < batch.truth.size(); ++i) {
    ++counts_[static_cast<size_t>(batch.truth[i] * num_classes_ + batch.predicted[i])];
  }
  count_ += static_cast<int64_t>(batch.truth.size());
}

double ConfusionMatrix::compute() const {
  check_seen(op_);
  int64_t trace = 0;
  for (int64_t i = 0; i < num_classes_; ++i) trace += at(i, i);
  return static_cast<double>(trace) / static_cast<double>(count_);
}

void ConfusionMatrix::reset() {
  num_classes_ = options_.num_classes;
  count_ = 0;
  counts_.assign(static_cast<size_t>(num_classes_ * num_classes_), 0);
}

std::string ConfusionMatrix::name() const {
  return options_.name.empty() ? "confusion_matrix" : options_.name;
}

std::unique_ptr<Metric> ConfusionMatrix::clone() const {
  auto copy = std::make_unique<ConfusionMatrix>(*this);
  copy->reset();
  return copy;
}

Tensor ConfusionMatrix::matrix() const {
  return Tensor::from(counts_, Shape{num_classes_, num_classes_}, kInt64);
}

int64_t ConfusionMatrix::at(int64_t true_class, int64_t predicted_class) const {
  ATHANOR_CHECK(true_class >= 0 && true_class < num_classes_ && predicted_class >= 0 &&
                    predicted_class < num_classes_,
                "{}: entry [{}, {}] is out of range for {} classes", op_, true_class,
                predicted_class, num_classes_);
  return counts_[static_cast<size_t>(true_class * num_classes_ + predicted_class)];
}

std::vector<int64_t> ConfusionMatrix::support() const {
  std::vector<int64_t> rows(static_cast<size_t>(num_classes_), 0);
  for (int64_t i = 0; i < num_classes_; ++i) {
    for (int64_t j = 0; j < num_classes_; ++j) rows[static_cast<size_t>(i)] += at(i, j);
  }
  return rows;
}

namespace {

// A ratio that is 0 when its denominator is (scikit-learn's default zero_division).
double ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

std::vector<double> ConfusionMatrix::per_class(Score score) const {
  const std::vector<int64_t> truly = support();
  std::vector<double> values(static_cast<size_t>(num_classes_));
  for (int64_t c = 0; c < num_classes_; ++c) {
    const auto k = static_cast<size_t>(c);
    int64_t predicted = 0;
    for (int64_t i = 0; i < num_classes_; ++i) predicted += at(i, c);
    const int64_t tp = at(c, c);
    switch (score) {
      case Score::kPrecision:
        values[k] = ratio(tp, predicted);
        break;
      case Score::kRecall:
        values[k] = ratio(tp, truly[k]);
        break;
      case Score::kF1:
        // 2PR / (P + R) = 2 tp / (2 tp + fp + fn) = 2 tp / (truly c + predicted as c); 0 when
        // tp = 0, which covers scikit-learn's P + R = 0 case.
        values[k] = ratio(2 * tp, truly[k] + predicted);
        break;
    }
  }
  return values;
}

std::vector<double> ConfusionMatrix::precision_per_class() const {
  return per_class(Score::kPrecision);
}
std::vector<double> ConfusionMatrix::recall_per_class() const { return per_class(Score::kRecall); }
std::vector<double> ConfusionMatrix::f1_per_class() const { return per_class(Score::kF1); }

void ConfusionMatrix::check_seen(const char* op) const {
  if (count_ == 0) detail::throw_nothing_seen(op);
}

double ConfusionMatrix::average_score(Score score, Average average, int64_t pos_label,
                                      const char* op) const {
  check_seen(op);
  const std::vector<double> values = per_class(score);
  const std::vector<int64_t> truly = support();
  switch (average) {
    case Average::Binary:
      ATHANOR_CHECK(num_classes_ == 2,
                    "{}: average=binary needs 2 classes, but there are {}; use Average::Macro, "
                    "Micro or Weighted",
                    op, num_classes_);
      ATHANOR_CHECK(pos_label == 0 || pos_label == 1,
                    "{}: pos_label is {}; expected 0 or 1 with average=binary", op, pos_label);
      return values[static_cast<size_t>(pos_label)];
    case Average::Micro: {
      // Summed over classes, tp is the trace and both tp + fp and tp + fn are the example count,
      // so micro precision, recall and F1 all equal the accuracy.
      int64_t trace = 0;
      for (int64_t c = 0; c < num_classes_; ++c) trace += at(c, c);
      return ratio(trace, count_);
    }
    case Average::Macro:
    case Average::Weighted: {
      // scikit-learn's default labels: the classes present in the targets or the predictions.
      double sum = 0;
      double weight_sum = 0;
      for (int64_t c = 0; c < num_classes_; ++c) {
        const auto k = static_cast<size_t>(c);
        int64_t predicted = 0;
        for (int64_t i = 0; i < num_classes_; ++i) predicted += at(i, c);
        if (truly[k] + predicted == 0) continue;
        const double weight = average == Average::Macro ? 1.0 : static_cast<double>(truly[k]);
        sum += weight * values[k];
        weight_sum += weight;
      }
      return weight_sum == 0 ? 0.0 : sum / weight_sum;
    }
  }
  return 0;
}

double ConfusionMatrix::precision(Average average, int64_t pos_label) const {
  return average_score(Score::kPrecision, average, pos_label, op_);
}
double ConfusionMatrix::recall(Average average, int64_t pos_label) const {
  return average_score(Score::kRecall, average, pos_label, op_);
}
double ConfusionMatrix::f1(Average average, int64_t pos_label) const {
  return average_score(Score::kF1, average, pos_label, op_);
}

// ---- Precision, Recall, F1 ----

Precision::Precision(const ClassificationOptions& options) : matrix_(options, "precision") {}
double Precision::compute() const {
  return matrix_.precision(options().average, options().pos_label);
}
std::string Precision::name() const {
  return options().name.empty() ? "precision" : options().name;
}
std::unique_ptr<Metric> Precision::clone() const { return std::make_unique<Precision>(options()); }

Recall::Recall(const ClassificationOptions& options) : matrix_(options, "recall") {}
double Recall::compute() const { return matrix_.recall(options().average, options().pos_label); }
std::string Recall::name() const { return options().name.empty() ? "recall" : options().name; }
std::unique_ptr<Metric> Recall::clone() const { return std::make_unique<Recall>(options()); }

F1::F1(const ClassificationOptions& options) : matrix_(options, "f1") {}
double F1::compute() const { return matrix_.f1(options().average, options().pos_label); }
std::string F1::name() const { return options().name.empty() ? "f1" : options().name; }
std::unique_ptr<Metric> F1::clone() const { return std::make_unique<F1>(options()); }

// ---- One-shot helpers ----

double precision(const Tensor& output, const Tensor& target, const ClassificationOptions& options) {
  Precision metric(options);
  metric.update(output, target);
  return metric.compute();
}

double recall(const Tensor& output, const Tensor& target, const ClassificationOptions& options) {
  Recall metric(options);
  metric.update(output, target);
  return metric.compute();
}

double f1_score(const Tensor& output, const Tensor& target, const ClassificationOptions& options) {
  F1 metric(options);
  metric.update(output, target);
  return metric.compute();
}

Tensor confusion_matrix(const Tensor& output, const Tensor& target,
                        const ClassificationOptions& options) {
  ConfusionMatrix metric(options);
  metric.update(output, target);
  return metric.matrix();
}

}  // namespace athanor::metrics
