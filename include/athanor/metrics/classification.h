// include/athanor/metrics/classification.h: classification metrics: Accuracy, TopKAccuracy,
// ConfusionMatrix, Precision, Recall and F1 (scikit-learn's definitions and zero-division rules).
//
// Inputs. output [N, C] with C >= 2: class scores, logits or probabilities; the predicted class
// is the argmax over dim 1 (the first on ties). output [N] or [N, 1]: binary scores; the
// predicted class is 1 iff output >= threshold (with from_logits, iff sigmoid(output) >=
// threshold, computed exactly as output >= log(threshold / (1 - threshold)), so threshold 0.5
// is logit 0). target: class indices [N] (or [N, 1]), int64 or a floating type holding whole
// numbers; 0 or 1 for binary outputs.
//
// Zero division follows scikit-learn's default (zero_division="warn", without the warning): a
// precision with no predicted examples of the class, a recall with no true examples, and an F1
// whose precision and recall are both 0 are 0.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <athanor/metrics/metric.h>

namespace athanor::metrics {

/// How Precision, Recall and F1 combine classes, as scikit-learn's `average`:
/// Binary: the score of class pos_label only (needs 2 classes: binary outputs or [N, 2]).
/// Micro: from the total true positives, false positives and false negatives (for single-label
///   classification all three scores equal the accuracy).
/// Macro: the unweighted mean over classes. Weighted: the mean weighted by each class's support
///   (its number of true examples). Both average over the classes seen since reset(), in targets
///   or predictions (scikit-learn's default labels): a class absent from both does not count.
enum class Average { Binary, Micro, Macro, Weighted };

/// "binary", "micro", "macro" or "weighted".
std::string to_string(Average average);

/// How a binary output becomes a predicted class.
struct BinaryOptions {
  double threshold = 0.5;
  /// The output holds logits: compare sigmoid(output) with threshold (in (0, 1) then).
  bool from_logits = false;
};

struct AccuracyOptions {
  double threshold = 0.5;  // binary outputs only, as BinaryOptions
  bool from_logits = false;
  std::string name = "";  // the key in logs; "" is "accuracy"
};

/// The fraction of examples whose predicted class equals the target.
class Accuracy final : public Metric {
 public:
  explicit Accuracy(const AccuracyOptions& options = {});
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override;
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const AccuracyOptions& options() const { return options_; }

 private:
  AccuracyOptions options_;
  int64_t correct_ = 0;
  int64_t count_ = 0;
};

struct TopKAccuracyOptions {
  int64_t k = 5;          // >= 1; k >= C scores every example correct
  std::string name = "";  // "" is "top_<k>_accuracy"
};

/// The fraction of examples whose target is among the k highest scores of output [N, C], as
/// scikit-learn's top_k_accuracy_score: among equal scores the higher class index ranks first.
class TopKAccuracy final : public Metric {
 public:
  explicit TopKAccuracy(int64_t k = 5) : TopKAccuracy(TopKAccuracyOptions{.k = k}) {}
  explicit TopKAccuracy(const TopKAccuracyOptions& options);
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override;
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const TopKAccuracyOptions& options() const { return options_; }

 private:
  TopKAccuracyOptions options_;
  int64_t correct_ = 0;
  int64_t count_ = 0;
};

/// Options of ConfusionMatrix, Precision, Recall and F1.
struct ClassificationOptions {
  Average average = Average::Binary;  // scikit-learn's default; Macro etc. for C > 2
  int64_t pos_label = 1;              // the class scored by Average::Binary
  /// The number of classes; 0 infers it from the first output (its width C, or 2 for binary
  /// outputs). Later outputs must agree.
  int64_t num_classes = 0;
  double threshold = 0.5;  // binary outputs only, as BinaryOptions
  bool from_logits = false;
  std::string name = "";  // "" is the metric's own ("precision", "recall", "f1", ...)
};

/// Counts of (true class, predicted class) pairs, streaming. matrix()[i][j] is the number of
/// examples of true class i predicted as j (rows = truth, columns = prediction, as scikit-learn).
/// As a Metric, compute() is the accuracy (trace / total) under the name "confusion_matrix";
/// the per-class accessors serve reports. options.average and pos_label are unused here (the
/// precision(), recall() and f1() summaries take them as arguments).
class ConfusionMatrix final : public Metric {
 public:
  explicit ConfusionMatrix(const ClassificationOptions& options = {});
  void update(const Tensor& output, const Tensor& target) override;
  /// The accuracy, trace / total.
  double compute() const override;
  void reset() override;
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const ClassificationOptions& options() const { return options_; }

  /// int64 [C, C]; rows = true class, columns = predicted class. [0, 0] before the first update
  /// unless num_classes was given.
  Tensor matrix() const;
  /// C (0 while unknown).
  int64_t num_classes() const { return num_classes_; }
  /// Examples seen since reset().
  int64_t count() const { return count_; }
  /// matrix()[true_class][predicted_class].
  int64_t at(int64_t true_class, int64_t predicted_class) const;

  /// Per class c (length C): tp / predicted as c, tp / truly c, 2 tp / (truly c + predicted as
  /// c), each 0 when its denominator is; support = examples truly of class c.
  std::vector<double> precision_per_class() const;
  std::vector<double> recall_per_class() const;
  std::vector<double> f1_per_class() const;
  std::vector<int64_t> support() const;

  /// The scores combined as `average` (pos_label for Average::Binary); throw if nothing was seen
  /// or, for Binary, when there are not exactly 2 classes.
  double precision(Average average, int64_t pos_label = 1) const;
  double recall(Average average, int64_t pos_label = 1) const;
  double f1(Average average, int64_t pos_label = 1) const;

 private:
  friend class Precision;
  friend class Recall;
  friend class F1;
  // For Precision, Recall and F1: errors name `op`, and average=Binary is checked at update().
  ConfusionMatrix(const ClassificationOptions& options, const char* op);

  enum class Score { kPrecision, kRecall, kF1 };
  double average_score(Score score, Average average, int64_t pos_label, const char* op) const;
  std::vector<double> per_class(Score score) const;
  void check_seen(const char* op) const;

  ClassificationOptions options_;
  const char* op_ = "confusion_matrix";
  bool check_binary_average_ = false;
  int64_t num_classes_ = 0;
  int64_t count_ = 0;
  std::vector<int64_t> counts_;  // [num_classes_ * num_classes_], row-major
};

/// Precision: tp / (tp + fp), combined over classes as options.average.
class Precision final : public Metric {
 public:
  explicit Precision(const ClassificationOptions& options = {});
  explicit Precision(Average average) : Precision(ClassificationOptions{.average = average}) {}
  void update(const Tensor& output, const Tensor& target) override {
    matrix_.update(output, target);
  }
  double compute() const override;
  void reset() override { matrix_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const ClassificationOptions& options() const { return matrix_.options(); }
  const ConfusionMatrix& confusion_matrix() const { return matrix_; }

 private:
  ConfusionMatrix matrix_;
};

/// Recall: tp / (tp + fn), combined over classes as options.average.
class Recall final : public Metric {
 public:
  explicit Recall(const ClassificationOptions& options = {});
  explicit Recall(Average average) : Recall(ClassificationOptions{.average = average}) {}
  void update(const Tensor& output, const Tensor& target) override {
    matrix_.update(output, target);
  }
  double compute() const override;
  void reset() override { matrix_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const ClassificationOptions& options() const { return matrix_.options(); }
  const ConfusionMatrix& confusion_matrix() const { return matrix_; }

 private:
  ConfusionMatrix matrix_;
};

/// F1: the harmonic mean of precision and recall, 2 tp / (2 tp + fp + fn), combined over classes
/// as options.average (Macro: the mean of the per-class F1s, as scikit-learn).
class F1 final : public Metric {
 public:
  explicit F1(const ClassificationOptions& options = {});
  explicit F1(Average average) : F1(ClassificationOptions{.average = average}) {}
  void update(const Tensor& output, const Tensor& target) override {
    matrix_.update(output, target);
  }
  double compute() const override;
  void reset() override { matrix_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;
  const ClassificationOptions& options() const { return matrix_.options(); }
  const ConfusionMatrix& confusion_matrix() const { return matrix_; }

 private:
  ConfusionMatrix matrix_;
};

// ---- One-shot helpers: the metric over one batch. ----
double accuracy(const Tensor& output, const Tensor& target, const AccuracyOptions& options = {});
double top_k_accuracy(const Tensor& output, const Tensor& target, int64_t k = 5);
double precision(const Tensor& output, const Tensor& target,
                 const ClassificationOptions& options = {});
double recall(const Tensor& output, const Tensor& target,
              const ClassificationOptions& options = {});
double f1_score(const Tensor& output, const Tensor& target,
                const ClassificationOptions& options = {});
/// int64 [C, C], rows = true class, columns = predicted class.
Tensor confusion_matrix(const Tensor& output, const Tensor& target,
                        const ClassificationOptions& options = {});

}  // namespace athanor::metrics
