// src/metrics/auc.cpp: AUC, the exact tie-aware area under the ROC curve.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <athanor/metrics/auc.h>

#include "metrics/inputs.h"

namespace athanor::metrics {

namespace {
constexpr const char* kOp = "auc";
}  // namespace

AUC::AUC(const AUCOptions& options) : options_(options) {}

void AUC::update(const Tensor& output, const Tensor& target) {
  detail::check_defined(kOp, output, target);
  const bool shape_ok =
      output.dim() == 1 || (output.dim() == 2 && (output.shape(1) == 1 || output.shape(1) == 2));
  ATHANOR_CHECK(shape_ok,
                "{}: output has shape {}; expected binary scores [N] or [N, 1], or two-class "
                "scores [N, 2] (ROC AUC here is binary only)",
                kOp, output.shape());
  // Of [N, 2] scores, column 1 scores the positive class (scikit-learn's y_score[:, 1]).
  const Tensor positive = output.dim() == 2 ? output.select(1, output.shape(1) - 1) : output;
  const std::vector<int64_t> truth = detail::class_targets(kOp, output, target, 2);
  const std::vector<double> scores = positive.to_vector<double>();
  for (size_t i = 0; i < scores.size(); ++i) {
    ATHANOR_CHECK(!std::isnan(scores[i]), "{}: output holds NaN for example {}; expected scores",
                  kOp, i);
  }
  scores_.insert(scores_.end(), scores.begin(), scores.end());
  for (const int64_t t : truth) labels_.push_back(static_cast<uint8_t>(t));
}

double AUC::compute() const {
  if (scores_.empty()) detail::throw_nothing_seen(kOp);
  const auto n = static_cast<int64_t>(scores_.size());
  const auto positives = static_cast<int64_t>(std::count(labels_.begin(), labels_.end(), 1));
  const int64_t negatives = n - positives;
  ATHANOR_CHECK(positives > 0 && negatives > 0,
                "{}: only one class ({}) was seen in the targets since reset(); ROC AUC needs both "
                "positive and negative examples",
                kOp, positives > 0 ? 1 : 0);
  // The Mann-Whitney statistic: with ranks 1..n by ascending score, and tied scores sharing the
  // mean of their ranks, AUC = (sum of positive ranks - P (P + 1) / 2) / (P Q). This equals the
  // trapezoidal area under the ROC curve, ties giving the diagonal segments. Twice every rank is
  // an integer, so the sum below is exact and AUC is one correctly rounded division.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return scores_[static_cast<size_t>(a)] < scores_[static_cast<size_t>(b)];
  });
  int64_t twice_rank_sum = 0;  // sum over positives of 2 * rank
  for (int64_t begin = 0; begin < n;) {
    int64_t end = begin + 1;
    const double score = scores_[static_cast<size_t>(order[static_cast<size_t>(begin)])];
    while (end < n && scores_[static_cast<size_t>(order[static_cast<size_t>(end)])] == score) ++end;
    // Ranks begin+1 .. end share their mean, (begin + 1 + end) / 2.
    int64_t tied_positives = 0;
    for (int64_t i = begin; i < end; ++i) {
      tied_positives += labels_[static_cast<size_t>(order[static_cast<size_t>(i)])];
    }
    twice_rank_sum += tied_positives * (begin + 1 + end);
    begin = end;
  }
  const int64_t twice_u = twice_rank_sum - positives * (positives + 1);
  return static_cast<double>(twice_u) /
         (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
}

void AUC::reset() {
  scores_.clear();
  labels_.clear();
}

std::string AUC::name() const { return options_.name.empty() ? "auc" : options_.name; }

std::unique_ptr<Metric> AUC::clone() const { return std::make_unique<AUC>(options_); }

double roc_auc_score(const Tensor& output, const Tensor& target) {
  AUC metric;
  metric.update(output, target);
  return metric.compute();
}

}  // namespace athanor::metrics
