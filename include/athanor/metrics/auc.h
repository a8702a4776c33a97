// include/athanor/metrics/auc.h: AUC, the area under the ROC curve of binary scores (exact and
// tie-aware, as scikit-learn's roc_auc_score).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <athanor/metrics/metric.h>

namespace athanor::metrics {

struct AUCOptions {
  std::string name = "";  // "" is "auc"
};

/// The area under the ROC curve: the probability that a random positive example scores higher
/// than a random negative one, ties counting one half (the trapezoidal area scikit-learn's
/// roc_auc_score computes). output: scores [N] or [N, 1] (probabilities or logits alike: any
/// increasing transform gives the same area), or [N, 2] class scores whose column 1 is the
/// positive class's; target [N] (or [N, 1]) of 0 or 1. Every score is kept until reset(), and
/// compute() sorts them: O(N log N) over all examples seen. compute() throws unless both classes
/// were seen.
class AUC final : public Metric {
 public:
  explicit AUC(const AUCOptions& options = {});
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override;
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const AUCOptions& options() const { return options_; }

 private:
  AUCOptions options_;
  std::vector<double> scores_;
  std::vector<uint8_t> labels_;  // 1 for positive
};

using ROC_AUC = AUC;

/// The ROC AUC of one batch.
double roc_auc_score(const Tensor& output, const Tensor& target);

}  // namespace athanor::metrics
