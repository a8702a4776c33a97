// src/models/logistic_regression.cpp: LogisticRegression: binary (sigmoid) and multinomial
// (softmax) models fitted by gradient descent with autograd, athanor's losses and optimizers.
#include <algorithm>
#include <cmath>
#include <string>

#include <athanor/models/logistic_regression.h>
#include <athanor/ops/loss.h>

#include "models/dense_linalg.h"
#include "models/model_utils.h"

namespace athanor::models {

namespace {

detail::GradientSettings gradient_settings(const LogisticRegressionOptions& o) {
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

// y [N] or [N, 1] of whole numbers, as int64 labels.
std::vector<int64_t> labels_to_host(const Tensor& y, const Shape& x_shape,
                                    const std::string& where) {
  bool single = true;
  const detail::Matrix ys = detail::targets_to_host(y, x_shape, where, single);
  ATHANOR_CHECK(ys.cols == 1, "{}: expected class labels y of shape [N] or [N, 1], got shape {}",
                where, y.shape());
  std::vector<int64_t> labels(ys.data.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const double v = ys.data[i];
    ATHANOR_CHECK(v == std::round(v) && std::abs(v) < 9.0e15,
                  "{}: y holds {} at [{}]; expected class labels (whole numbers)", where, v, i);
    labels[i] = static_cast<int64_t>(v);
  }
  return labels;
}

// The numerically safe logistic function.
double sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

LogisticRegression::LogisticRegression(const LogisticRegressionOptions& options)
    : options_(options) {
  const std::string where = "LogisticRegression";
  ATHANOR_CHECK(options.C > 0 && std::isfinite(options.C),
                "{}: C (the inverse regularization strength) must be finite and > 0, got {}", where,
                options.C);
  ATHANOR_CHECK(options.l1_ratio >= 0 && options.l1_ratio <= 1,
                "{}: l1_ratio must be in [0, 1], got {}", where, options.l1_ratio);
  ATHANOR_CHECK(options.solver != LinearSolver::kLeastSquares,
                "{}: solver kLeastSquares has no closed form for the logistic loss; expected kGD, "
                "kSGD or kAdam",
                where);
  detail::check_settings(gradient_settings(options), where);
}

LogisticRegression& LogisticRegression::fit(const Tensor& x, const Tensor& y) {
  const std::string where = "LogisticRegression.fit";
  const detail::Matrix xs = detail::features_to_host(x, where);
  const std::vector<int64_t> labels = labels_to_host(y, x.shape(), where);
  std::vector<int64_t> classes = labels;
  std::sort(classes.begin(), classes.end());
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  ATHANOR_CHECK(classes.size() >= 2, "{}: y holds only class {}; expected at least 2 classes",
                where, classes.front());
  const int64_t n = xs.rows;
  const int64_t d = xs.cols;
  const bool binary = classes.size() == 2;

  // Each sample's class index; the binary model's target is 1 for the second class.
  std::vector<int64_t> index(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    index[i] = std::lower_bound(classes.begin(), classes.end(), labels[i]) - classes.begin();
  }
  const Tensor targets =
      binary ? Tensor::from(index, Shape{n, 1}, kFloat64) : Tensor::from(index, Shape{n}, kInt64);

  // scikit-learn's C * sum(loss) + R(w), divided by C N: mean(loss) + alpha R(w).
  const double alpha = 1.0 / (options_.C * static_cast<double>(n));
  double l2 = 0, l1 = 0;
  switch (options_.penalty) {
    case Penalty::kNone:
      break;
    case Penalty::kL2:
      l2 = alpha;
      break;
    case Penalty::kL1:
      l1 = alpha;
      break;
    case Penalty::kElasticNet:
      l2 = alpha * (1.0 - options_.l1_ratio);
      l1 = alpha * options_.l1_ratio;
      break;
  }

  const detail::Standardization s = detail::standardization(xs, options_.fit_intercept);
  std::vector<double> inv_scale(s.scale.size());
  for (size_t j = 0; j < inv_scale.size(); ++j) inv_scale[j] = 1.0 / s.scale[j];
  detail::GradientProblem problem{
      .where = where,
      .features = detail::standardize(xs, s),
      .targets = targets,
      .outputs = binary ? 1 : static_cast<int64_t>(classes.size()),
      .fit_intercept = options_.fit_intercept,
      .inv_scale = Tensor::from(inv_scale, Shape{d}, kFloat64),
      .l2 = l2,
      .l1 = l1,
      .loss = binary ? std::function<Tensor(const Tensor&, const Tensor&)>(
                           [](const Tensor& out, const Tensor& t) {
                             return binary_cross_entropy_with_logits(out, t);
                           })
                     : [](const Tensor& out, const Tensor& t) { return cross_entropy(out, t); },
      // The Hessian of the mean logistic loss is at most 1/4 x^T x / N, of softmax
      // cross-entropy at most 1/2 (diag(p) - p p^T has eigenvalues <= 1/2).
      .curvature_factor = binary ? 0.25 : 0.5};
  const detail::GradientResult result =
      detail::fit_by_gradient(problem, gradient_settings(options_));
  std::vector<double> coef, intercept;
  detail::unstandardize(result, s, coef, intercept);

  n_features_ = d;
  classes_ = std::move(classes);
  coef_ = std::move(coef);
  intercept_ = std::move(intercept);
  n_iter_ = result.n_iter;
  converged_ = result.converged;
  return *this;
}

Tensor LogisticRegression::decision_function(const Tensor& x) const {
  const std::string where = "LogisticRegression.decision_function";
  detail::check_fitted(is_fitted(), where);
  detail::check_feature_count(x, n_features_, where);
  const detail::Matrix out =
      detail::linear_predict(detail::features_to_host(x, where), coef_, intercept_);
  const auto rows = static_cast<int64_t>(intercept_.size());
  return rows == 1 ? Tensor::from(out.data, Shape{out.rows}, kFloat64) : detail::to_tensor(out);
}

Tensor LogisticRegression::predict_proba(const Tensor& x) const {
  const std::vector<double> z = decision_function(x).to_vector<double>();
  const auto c = static_cast<int64_t>(classes_.size());
  const int64_t m = x.shape(0);
  std::vector<double> p(static_cast<size_t>(m * c));
  for (int64_t i = 0; i < m; ++i) {
    double* row = p.data() + i * c;
    if (c == 2) {
      row[1] = sigmoid(z[static_cast<size_t>(i)]);
      row[0] = 1.0 - row[1];
      continue;
    }
    // Softmax, shifted by the row's maximum so that exp cannot overflow.
    const double* zi = z.data() + i * c;
    const double top = *std::max_element(zi, zi + c);
    double total = 0;
    for (int64_t k = 0; k < c; ++k) total += row[k] = std::exp(zi[k] - top);
    for (int64_t k = 0; k < c; ++k) row[k] /= total;
  }
  return Tensor::from(p, Shape{m, c}, kFloat64);
}

Tensor LogisticRegression::predict(const Tensor& x) const {
  const std::vector<double> z = decision_function(x).to_vector<double>();
  const auto c = static_cast<int64_t>(classes_.size());
  const int64_t m = x.shape(0);
  std::vector<int64_t> out(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    if (c == 2) {
      out[static_cast<size_t>(i)] = classes_[z[static_cast<size_t>(i)] > 0 ? 1 : 0];
    } else {
      const double* zi = z.data() + i * c;
      out[static_cast<size_t>(i)] =
          classes_[static_cast<size_t>(std::max_element(zi, zi + c) - zi)];
    }
  }
  return Tensor::from(out, Shape{m}, kInt64);
}

double LogisticRegression::score(const Tensor& x, const Tensor& y) const {
  const std::string where = "LogisticRegression.score";
  detail::check_fitted(is_fitted(), where);
  detail::check_feature_count(x, n_features_, where);
  const std::vector<int64_t> labels = labels_to_host(y, x.shape(), where);
  const std::vector<int64_t> predicted = predict(x).to_vector<int64_t>();
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += labels[i] == predicted[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

Tensor LogisticRegression::coef() const {
  detail::check_fitted(is_fitted(), "LogisticRegression.coef");
  const auto rows = static_cast<int64_t>(intercept_.size());
  return Tensor::from(coef_, Shape{rows, n_features_}, kFloat64);
}

Tensor LogisticRegression::intercept() const {
  detail::check_fitted(is_fitted(), "LogisticRegression.intercept");
  return Tensor::from(intercept_, Shape{static_cast<int64_t>(intercept_.size())}, kFloat64);
}

Tensor LogisticRegression::classes() const {
  detail::check_fitted(is_fitted(), "LogisticRegression.classes");
  return Tensor::from(classes_, Shape{static_cast<int64_t>(classes_.size())}, kInt64);
}

}  // namespace athanor::models
