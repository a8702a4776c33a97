// src/metrics/regression.cpp: MSE, RMSE, MAE and R2 over per-column running sums.
#include <algorithm>
#include <cmath>
#include <limits>

#include <athanor/metrics/regression.h>

#include "metrics/inputs.h"

namespace athanor::metrics {

namespace detail {

void CompensatedSum::add(double x) {
  const double t = sum_ + x;
  // Neumaier: recover the low-order bits lost in sum_ + x from whichever term is smaller.
  compensation_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
  sum_ = t;
}

void RegressionSums::update(const char* op, const Tensor& output, const Tensor& target) {
  check_defined(op, output, target);
  ATHANOR_CHECK(output.dim() >= 1 && target.dim() >= 1,
                "{}: output has shape {} and target has shape {}; expected [N] or [N, D] values "
                "(at least one dimension)",
                op, output.shape(), target.shape());
  const auto column_vector = [](const Tensor& t) { return t.dim() == 2 && t.shape(1) == 1; };
  const bool shapes_ok =
      output.shape() == target.shape() ||
      (output.dim() == 1 && column_vector(target) && target.shape(0) == output.shape(0)) ||
      (target.dim() == 1 && column_vector(output) && output.shape(0) == target.shape(0));
  ATHANOR_CHECK(shapes_ok,
                "{}: output has shape {} and target has shape {}; expected equal shapes ([N] "
                "against [N, 1] is accepted)",
                op, output.shape(), target.shape());
  const int64_t rows = output.shape(0);
  int64_t columns = 1;
  for (int d = 1; d < output.dim(); ++d) columns *= output.shape(d);
  if (columns_ == 0) {
    columns_ = columns;
    columns_data_.assign(static_cast<size_t>(columns), Column{});
  } else {
    ATHANOR_CHECK(columns == columns_,
                  "{}: output has shape {} ({} outputs per example), but earlier batches had {}",
                  op, output.shape(), columns, columns_);
  }
  const std::vector<double> predicted = output.to_vector<double>();
  const std::vector<double> truth = target.to_vector<double>();
  // One example at a time, in order, so that any split into batches gives the same bits.
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < columns; ++j) {
      const auto k = static_cast<size_t>(i * columns + j);
      Column& c = columns_data_[static_cast<size_t>(j)];
      const double error = truth[k] - predicted[k];
      c.squared_error.add(error * error);
      c.absolute_error.add(std::fabs(error));
      if (count_ + i == 0) c.shift = truth[k];
      const double d = truth[k] - c.shift;
      c.shifted.add(d);
      c.shifted_squares.add(d * d);
    }
  }
  count_ += rows;
}

void RegressionSums::reset() {
  count_ = 0;
  columns_ = 0;
  columns_data_.clear();
}

double RegressionSums::target_sum_of_squares(size_t j) const {
  const Column& c = columns_data_[j];
  const double sum = c.shifted.value();
  // sum (y - mean)^2 = sum d^2 - (sum d)^2 / n with d = y - shift; never negative.
  return std::max(0.0, c.shifted_squares.value() - sum * sum / static_cast<double>(count_));
}

void RegressionSums::check_seen(const char* op) const {
  if (count_ == 0) throw_nothing_seen(op);
}

}  // namespace detail

namespace {

// The mean over output columns of f(column).
template <typename F>
double column_mean(const detail::RegressionSums& sums, F f) {
  double total = 0;
  for (int64_t j = 0; j < sums.columns(); ++j) total += f(static_cast<size_t>(j));
  return total / static_cast<double>(sums.columns());
}

}  // namespace

void MSE::update(const Tensor& output, const Tensor& target) {
  sums_.update("mse", output, target);
}
double MSE::compute() const {
  sums_.check_seen("mse");
  const auto n = static_cast<double>(sums_.count());
  return column_mean(sums_, [&](size_t j) { return sums_.squared_error(j) / n; });
}
std::string MSE::name() const { return options_.name.empty() ? "mse" : options_.name; }
std::unique_ptr<Metric> MSE::clone() const { return std::make_unique<MSE>(options_); }

void RMSE::update(const Tensor& output, const Tensor& target) {
  sums_.update("rmse", output, target);
}
double RMSE::compute() const {
  sums_.check_seen("rmse");
  const auto n = static_cast<double>(sums_.count());
  return column_mean(sums_, [&](size_t j) { return std::sqrt(sums_.squared_error(j) / n); });
}
std::string RMSE::name() const { return options_.name.empty() ? "rmse" : options_.name; }
std::unique_ptr<Metric> RMSE::clone() const { return std::make_unique<RMSE>(options_); }

void MAE::update(const Tensor& output, const Tensor& target) {
  sums_.update("mae", output, target);
}
double MAE::compute() const {
  sums_.check_seen("mae");
  const auto n = static_cast<double>(sums_.count());
  return column_mean(sums_, [&](size_t j) { return sums_.absolute_error(j) / n; });
}
std::string MAE::name() const { return options_.name.empty() ? "mae" : options_.name; }
std::unique_ptr<Metric> MAE::clone() const { return std::make_unique<MAE>(options_); }

void R2::update(const Tensor& output, const Tensor& target) { sums_.update("r2", output, target); }
double R2::compute() const {
  sums_.check_seen("r2");
  if (sums_.count() < 2) return std::numeric_limits<double>::quiet_NaN();
  return column_mean(sums_, [&](size_t j) {
    const double residual = sums_.squared_error(j);
    const double total = sums_.target_sum_of_squares(j);
    // scikit-learn's force_finite: a constant target scores 1 when matched exactly, else 0.
    if (total == 0) return residual == 0 ? 1.0 : 0.0;
    return 1.0 - residual / total;
  });
}
std::string R2::name() const { return options_.name.empty() ? "r2" : options_.name; }
std::unique_ptr<Metric> R2::clone() const { return std::make_unique<R2>(options_); }

double mean_squared_error(const Tensor& output, const Tensor& target) {
  MSE metric;
  metric.update(output, target);
  return metric.compute();
}

double root_mean_squared_error(const Tensor& output, const Tensor& target) {
  RMSE metric;
  metric.update(output, target);
  return metric.compute();
}

double mean_absolute_error(const Tensor& output, const Tensor& target) {
  MAE metric;
  metric.update(output, target);
  return metric.compute();
}

double r2_score(const Tensor& output, const Tensor& target) {
  R2 metric;
  metric.update(output, target);
  return metric.compute();
}

}  // namespace athanor::metrics
