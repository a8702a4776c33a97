// src/models/linear_regression.cpp: LinearRegression: least squares / ridge by pivoted QR in
// double, or by gradient descent with athanor's optimizers.
#include <cmath>
#include <string>

#include <athanor/models/linear_regression.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/loss.h>

#include "models/dense_linalg.h"
#include "models/model_utils.h"

namespace athanor::models {

namespace {

detail::GradientSettings gradient_settings(const LinearRegressionOptions& o) {
  return {.solver = o.solver,
          .lr = o.lr,
          .max_iter = o.max_iter,
          .tol = o.tol,
          .n_iter_no_change = o.n_iter_no_change,
          .batch_size = o.batch_size,
          .momentum = o.momentum,
          .nesterov = o.nesterov,
          .seed = o.seed};
}

}  // namespace

LinearRegression::LinearRegression(const LinearRegressionOptions& options) : options_(options) {
  const std::string where = "LinearRegression";
  ATHANOR_CHECK(options.l2 >= 0 && std::isfinite(options.l2),
                "{}: l2 (the ridge alpha) must be finite and >= 0, got {}", where, options.l2);
  detail::check_settings(gradient_settings(options), where);
}

LinearRegression& LinearRegression::fit(const Tensor& x, const Tensor& y) {
  const std::string where = "LinearRegression.fit";
  const detail::Matrix xs = detail::features_to_host(x, where);
  bool single = true;
  const detail::Matrix ys = detail::targets_to_host(y, x.shape(), where, single);
  const int64_t n = xs.rows;
  const int64_t d = xs.cols;
  const int64_t k = ys.cols;
  const bool center = options_.fit_intercept;
  std::vector<double> coef, intercept;
  int64_t n_iter = 0;
  bool converged = true;

  if (options_.solver == LinearSolver::kLeastSquares) {
    // Centring removes the intercept from the problem: at the optimum b = mean(y) - mean(X) w,
    // and the remaining w solves least squares on the centred data (no column of ones, whose
    // size would otherwise enter the rank decision).
    std::vector<double> x_mean(static_cast<size_t>(d), 0.0), y_mean(static_cast<size_t>(k), 0.0);
    if (center) {
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < d; ++j) x_mean[static_cast<size_t>(j)] += xs(i, j);
        for (int64_t r = 0; r < k; ++r) y_mean[static_cast<size_t>(r)] += ys(i, r);
      }
      for (double& m : x_mean) m /= static_cast<double>(n);
      for (double& m : y_mean) m /= static_cast<double>(n);
    }
    // Ridge: ||y - X w||^2 + l2 ||w||^2 = ||[y; 0] - [X; sqrt(l2) I] w||^2.
    const bool ridge = options_.l2 > 0;
    detail::Matrix a(ridge ? n + d : n, d), rhs(a.rows, k);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < d; ++j) a(i, j) = xs(i, j) - x_mean[static_cast<size_t>(j)];
      for (int64_t r = 0; r < k; ++r) rhs(i, r) = ys(i, r) - y_mean[static_cast<size_t>(r)];
    }
    if (ridge) {
      for (int64_t j = 0; j < d; ++j) a(n + j, j) = std::sqrt(options_.l2);
    }
    const detail::LeastSquares solution = detail::least_squares(a, rhs);
    ATHANOR_CHECK(solution.rank == d,
                  "{}: X is rank-deficient: numerical rank {} < {} features ({} samples{}); "
                  "column(s) [{}] depend linearly on the others{}, so the least-squares "
                  "coefficients are not unique; expected independent columns: drop them or use "
                  "l2 > 0 (ridge)",
                  where, solution.rank, d, n, center ? ", centred for the intercept" : "",
                  fmt::join(solution.dependent_columns, ", "), center ? " (or are constant)" : "");
    coef.assign(static_cast<size_t>(k * d), 0.0);
    intercept = y_mean;
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t j = 0; j < d; ++j) {
        const double c = solution.x(j, r);
        coef[static_cast<size_t>(r * d + j)] = c;
        intercept[static_cast<size_t>(r)] -= c * x_mean[static_cast<size_t>(j)];
      }
    }
  } else {
    const detail::Standardization s = detail::standardization(xs, center);
    std::vector<double> inv_scale(s.scale.size());
    for (size_t j = 0; j < inv_scale.size(); ++j) inv_scale[j] = 1.0 / s.scale[j];
    detail::GradientProblem problem{
        .where = where,
        .features = detail::standardize(xs, s),
        .targets = detail::to_tensor(ys),
        .outputs = k,
        .fit_intercept = center,
        .inv_scale = Tensor::from(inv_scale, Shape{d}, kFloat64),
        // (1 / 2N) (||y - X w - b||^2 + l2 ||w||^2): the ridge objective over 2N.
        .l2 = options_.l2 / static_cast<double>(n),
        .loss =
            [](const Tensor& out, const Tensor& target) {
              return mse_loss(out, target, Reduction::kSum) * (0.5 / target.shape(0));
            },
        .curvature_factor = 1.0};
    const detail::GradientResult result =
        detail::fit_by_gradient(problem, gradient_settings(options_));
    detail::unstandardize(result, s, coef, intercept);
    n_iter = result.n_iter;
    converged = result.converged;
  }
  n_features_ = d;
  n_targets_ = k;
  single_target_ = single;
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  n_iter_ = n_iter;
  converged_ = converged;
  return *this;
}

Tensor LinearRegression::predict(const Tensor& x) const {
  const std::string where = "LinearRegression.predict";
  detail::check_fitted(is_fitted(), where);
  detail::check_feature_count(x, n_features_, where);
  const detail::Matrix out =
      detail::linear_predict(detail::features_to_host(x, where), coef_, intercept_);
  return single_target_ ? Tensor::from(out.data, Shape{out.rows}, kFloat64)
                        : detail::to_tensor(out);
}

double LinearRegression::score(const Tensor& x, const Tensor& y) const {
  const std::string where = "LinearRegression.score";
  detail::check_fitted(is_fitted(), where);
  detail::check_feature_count(x, n_features_, where);
  bool single = true;
  const detail::Matrix ys = detail::targets_to_host(y, x.shape(), where, single);
  ATHANOR_CHECK(ys.cols == n_targets_,
                "{}: y has {} target columns (shape {}), but the model was fitted on {}", where,
                ys.cols, y.shape(), n_targets_);
  const detail::Matrix pred =
      detail::linear_predict(detail::features_to_host(x, where), coef_, intercept_);
  double total = 0;
  for (int64_t r = 0; r < ys.cols; ++r) {
    double mean = 0;
    for (int64_t i = 0; i < ys.rows; ++i) mean += ys(i, r);
    mean /= static_cast<double>(ys.rows);
    double ss_res = 0, ss_tot = 0;
    for (int64_t i = 0; i < ys.rows; ++i) {
      ss_res += (ys(i, r) - pred(i, r)) * (ys(i, r) - pred(i, r));
      ss_tot += (ys(i, r) - mean) * (ys(i, r) - mean);
    }
    // scikit-learn's r2_score with force_finite: a constant column scores 1 or 0.
    total += ss_tot > 0 ? 1.0 - ss_res / ss_tot : (ss_res == 0 ? 1.0 : 0.0);
  }
  return total / static_cast<double>(ys.cols);
}

Tensor LinearRegression::coef() const {
  detail::check_fitted(is_fitted(), "LinearRegression.coef");
  return single_target_ ? Tensor::from(coef_, Shape{n_features_}, kFloat64)
                        : Tensor::from(coef_, Shape{n_targets_, n_features_}, kFloat64);
}

Tensor LinearRegression::intercept() const {
  detail::check_fitted(is_fitted(), "LinearRegression.intercept");
  return single_target_ ? Tensor::from(intercept_, Shape{}, kFloat64)
                        : Tensor::from(intercept_, Shape{n_targets_}, kFloat64);
}

}  // namespace athanor::models
