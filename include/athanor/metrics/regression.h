// include/athanor/metrics/regression.h: regression metrics: MSE, RMSE, MAE and R2, as
// scikit-learn's mean_squared_error, mean_squared_error(squared=False), mean_absolute_error and
// r2_score with multioutput="uniform_average".
//
// Inputs: output and target of the same shape, [N] (one output) or [N, D] (D outputs; trailing
// dimensions beyond the second are flattened into D); [N] against [N, 1] is accepted either way.
// Any numeric dtype; values are accumulated in double, per output column, one example at a
// time, so the result does not depend on how the examples were split into batches. Each score is
// computed per output column and then averaged over the columns with equal weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <athanor/metrics/metric.h>

namespace athanor::metrics {

struct RegressionOptions {
  std::string name = "";  // "" is the metric's own ("mse", "rmse", "mae", "r2")
};

namespace detail {
/// A sum of doubles with Neumaier's compensation: error O(eps) instead of O(n eps), and the same
/// bits for the same sequence of terms.
class CompensatedSum {
 public:
  void add(double x);
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

/// Per-column running sums shared by the regression metrics.
class RegressionSums {
 public:
  void update(const char* op, const Tensor& output, const Tensor& target);
  void reset();
  /// Throws naming `op` when nothing was seen.
  void check_seen(const char* op) const;
  int64_t count() const { return count_; }
  int64_t columns() const { return columns_; }
  /// Of column j: sum of (target - output)^2, sum of |target - output|, and the target's sum of
  /// squared deviations from its mean.
  double squared_error(size_t j) const { return columns_data_[j].squared_error.value(); }
  double absolute_error(size_t j) const { return columns_data_[j].absolute_error.value(); }
  double target_sum_of_squares(size_t j) const;

 private:
  struct Column {
    CompensatedSum squared_error;
    CompensatedSum absolute_error;
    // The target's moments about a shift (its first value): y - shift is exact while y is
    // within a factor 2 of the shift (Sterbenz), so a large mean costs no digits, and
    // sum d^2 - (sum d)^2 / n cancels only as much as the shift is off the mean.
    double shift = 0;
    CompensatedSum shifted;          // sum of (y - shift)
    CompensatedSum shifted_squares;  // sum of (y - shift)^2
  };
  int64_t count_ = 0;    // rows seen
  int64_t columns_ = 0;  // D, fixed by the first update (0 before)
  std::vector<Column> columns_data_;
};
}  // namespace detail

/// Mean squared error.
class MSE final : public Metric {
 public:
  explicit MSE(const RegressionOptions& options = {}) : options_(options) {}
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override { sums_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return false; }
  std::unique_ptr<Metric> clone() const override;

 private:
  RegressionOptions options_;
  detail::RegressionSums sums_;
};

/// Root mean squared error: per output column sqrt(MSE), then the mean over columns (as
/// scikit-learn; for one output simply sqrt(MSE)).
class RMSE final : public Metric {
 public:
  explicit RMSE(const RegressionOptions& options = {}) : options_(options) {}
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override { sums_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return false; }
  std::unique_ptr<Metric> clone() const override;

 private:
  RegressionOptions options_;
  detail::RegressionSums sums_;
};

/// Mean absolute error.
class MAE final : public Metric {
 public:
  explicit MAE(const RegressionOptions& options = {}) : options_(options) {}
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override { sums_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return false; }
  std::unique_ptr<Metric> clone() const override;

 private:
  RegressionOptions options_;
  detail::RegressionSums sums_;
};

/// Coefficient of determination, 1 - sum (y - y_hat)^2 / sum (y - mean y)^2 per output column,
/// averaged over columns. A constant target column scores 1 if predicted exactly, else 0
/// (scikit-learn's force_finite); fewer than two examples give NaN (scikit-learn's value).
class R2 final : public Metric {
 public:
  explicit R2(const RegressionOptions& options = {}) : options_(options) {}
  void update(const Tensor& output, const Tensor& target) override;
  double compute() const override;
  void reset() override { sums_.reset(); }
  std::string name() const override;
  bool higher_is_better() const override { return true; }
  std::unique_ptr<Metric> clone() const override;

 private:
  RegressionOptions options_;
  detail::RegressionSums sums_;
};

// ---- One-shot helpers: the metric over one batch. ----
double mean_squared_error(const Tensor& output, const Tensor& target);
double root_mean_squared_error(const Tensor& output, const Tensor& target);
double mean_absolute_error(const Tensor& output, const Tensor& target);
double r2_score(const Tensor& output, const Tensor& target);

}  // namespace athanor::metrics
