// src/models/model_utils.h: what the models share: checked conversion of X and y to host doubles,
// the internal standardization, and the gradient-solver loop (autograd + athanor optimizers).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <athanor/models/linear_regression.h>
#include <athanor/tensor/tensor.h>

#include "models/dense_linalg.h"

namespace athanor::models::detail {

/// X as a [N, D] double matrix. Throws naming `where` ("LinearRegression.fit") unless X is a 2-D
/// tensor with N, D >= 1 and finite values.
Matrix features_to_host(const Tensor& x, const std::string& where);

/// y [N] or [N, K] as a [N, K] double matrix (K = 1 for [N]); `single` tells which. Throws unless
/// y is defined, has N rows (those of X, shape x_shape) and finite values.
Matrix targets_to_host(const Tensor& y, const Shape& x_shape, const std::string& where,
                       bool& single);

/// Throws unless a model is fitted; `fit_call` names the call to make first ("fit(X, y)").
void check_fitted(bool fitted, const std::string& where);
/// Throws unless X has `features` columns.
void check_feature_count(const Tensor& x, int64_t features, const std::string& where);

/// Column means (zeros unless `center`) and scales: the standard deviation when centring, else the
/// root mean square; 1 for a column whose scale is 0 (constant, or all zero).
struct Standardization {
  std::vector<double> mean;
  std::vector<double> scale;
};
Standardization standardization(const Matrix& x, bool center);
/// (x - mean) / scale as a float64 tensor [N, D].
Tensor standardize(const Matrix& x, const Standardization& s);

/// x [N, D] times coef [K, D] (row-major) transposed, plus intercept [K]: [N, K], in double.
Matrix linear_predict(const Matrix& x, const std::vector<double>& coef,
                      const std::vector<double>& intercept);

/// A float64 tensor of `m`'s shape and values.
Tensor to_tensor(const Matrix& m);

/// A linear model out = z w^T + b (w [K, D], b [K]) trained on the standardized features z
/// [N, D] by minimizing loss(out, target) + 0.5 l2 ||w * inv_scale||^2 + l1 ||w * inv_scale||_1,
/// where w * inv_scale are the coefficients of the original features.
struct GradientProblem {
  std::string where;  // "LogisticRegression.fit", for errors
  Tensor features;    // float64 [N, D]
  Tensor targets;     // [N, ...]: what `loss` compares the outputs with
  int64_t outputs = 1;
  bool fit_intercept = true;
  Tensor inv_scale;  // float64 [D]
  double l2 = 0;
  double l1 = 0;
  /// The data term, averaged over the batch so that steps do not depend on the batch size.
  std::function<Tensor(const Tensor& out, const Tensor& targets)> loss;
  /// Bounds the data term's curvature as this factor times the largest eigenvalue of
  /// [z, 1]^T [z, 1] / N: 1 for half the mean squared error, 1/4 for the logistic loss, 1/2 for
  /// softmax cross-entropy.
  double curvature_factor = 1;
};

/// The solver fields of LinearRegressionOptions / LogisticRegressionOptions.
struct GradientSettings {
  LinearSolver solver = LinearSolver::kGD;
  double lr = 0;
  int64_t max_iter = 1000;
  double tol = 1e-6;
  int64_t n_iter_no_change = 5;
  int64_t batch_size = 32;
  double momentum = 0;
  bool nesterov = false;
  uint64_t seed = 0;
};

/// Throws naming `where` unless the settings are in range (lr >= 0, max_iter >= 1, tol >= 0,
/// n_iter_no_change >= 1, batch_size >= 1, momentum in [0, 1), nesterov only with momentum).
void check_settings(const GradientSettings& s, const std::string& where);

struct GradientResult {
  Matrix weight;             // [K, D], for the standardized features
  std::vector<double> bias;  // [K] (zeros without intercept)
  int64_t n_iter = 0;
  bool converged = false;
};

/// Runs the solver from w = 0, b = 0 (see LinearRegressionOptions for the stopping rules and
/// default step sizes). Throws when the objective becomes non-finite (a step size too large).
GradientResult fit_by_gradient(const GradientProblem& problem, const GradientSettings& settings);

/// The coefficients and intercepts of the original features from a fit on standardized ones:
/// w_orig = w / scale, b_orig = b - w_orig . mean.
void unstandardize(const GradientResult& fit, const Standardization& s, std::vector<double>& coef,
                   std::vector<double>& intercept);

}  // namespace athanor::models::detail
