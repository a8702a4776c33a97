// include/athanor/models/linear_regression.h: LinearRegression, least squares and ridge regression
// as scikit-learn's LinearRegression and Ridge, solved in closed form or by gradient descent.
#pragma once

#include <cstdint>
#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor::models {

/// How a linear model finds its coefficients.
enum class LinearSolver {
  /// Closed form: Householder QR with column pivoting, in double (LinearRegression only).
  kLeastSquares,
  /// Full-batch gradient descent (optim::SGD on the whole training set each iteration).
  kGD,
  /// Mini-batch stochastic gradient descent (optim::SGD), reshuffled every epoch.
  kSGD,
  /// Mini-batch Adam (optim::Adam); batch_size >= N makes it full-batch.
  kAdam,
};

/// Options of LinearRegression. The gradient solvers' fields (lr .. seed) are ignored by
/// kLeastSquares.
struct LinearRegressionOptions {
  /// Fit an unpenalized intercept b (else b = 0).
  bool fit_intercept = true;
  LinearSolver solver = LinearSolver::kLeastSquares;
  /// Ridge strength alpha >= 0: minimizes ||y - X w - b||^2 + l2 ||w||^2 (scikit-learn's Ridge;
  /// per target column for y [N, K]). 0 is ordinary least squares.
  double l2 = 0;
  /// Step size; 0 chooses one: 1/L for kGD, 0.5/L for kSGD (L the largest curvature of the
  /// objective, from a power iteration on the standardized features), 0.01 for kAdam.
  double lr = 0;
  /// Iterations (kGD) or epochs (kSGD, kAdam) at most.
  int64_t max_iter = 1000;
  /// Full batch: stop once the largest entry of the update direction ((p - p_new) / lr for kGD,
  /// the gradient for Adam) is at most tol times its first value. Mini-batch: stop after
  /// n_iter_no_change epochs whose mean objective did not improve on the best by tol * |best|
  /// (scikit-learn's SGD rule, relative). tol = 0 runs max_iter.
  double tol = 1e-6;
  int64_t n_iter_no_change = 5;
  /// Samples per step for kSGD and kAdam.
  int64_t batch_size = 32;
  /// optim::SGD's momentum in [0, 1) (kGD, kSGD) and Nesterov flag (needs momentum > 0).
  double momentum = 0;
  bool nesterov = false;
  /// Seeds the shuffling of kSGD and kAdam; the same seed gives the same coefficients.
  uint64_t seed = 0;
};

/// Linear regression y ~ X w + b for X [N, D] (any real or integer dtype) and y [N] or [N, K].
///
/// kLeastSquares centres X and y in double (when fitting an intercept, which then is
/// mean(y) - mean(X) w) and solves the least-squares problem with Householder QR, which never
/// forms X^T X (whose condition number is the square of X's). Ridge solves the same problem on X
/// stacked over sqrt(l2) I. A rank-deficient X (a feature that is a linear combination of others,
/// a constant feature with an intercept, fewer samples than features) with l2 = 0 throws an Error
/// naming the dependent columns, rather than picking one of the infinitely many solutions: use
/// l2 > 0 or drop the columns.
///
/// The gradient solvers minimize the same objective divided by 2N, with zero initial values, in
/// float64 on internally standardized features (centred when fitting an intercept, divided by
/// each column's standard deviation, or root mean square without intercept; constant columns are
/// left unscaled). Standardizing is a diagonal preconditioner: the penalty stays on the original
/// coefficients, so the minimizer is unchanged; coefficients are mapped back after fitting.
///
/// Inputs must be finite. Results are float64, as scikit-learn's.
class LinearRegression {
 public:
  explicit LinearRegression(const LinearRegressionOptions& options = {});

  /// Fits the model (again, from scratch, on every call); returns *this.
  LinearRegression& fit(const Tensor& x, const Tensor& y);
  /// X [M, D] -> float64 [M] (fitted on y [N]) or [M, K].
  Tensor predict(const Tensor& x) const;
  /// The coefficient of determination R^2 = 1 - sum (y - y_hat)^2 / sum (y - mean y)^2 of the
  /// predictions for X (1 is perfect; it can be negative). For y [M, K], the mean over the K
  /// columns (scikit-learn's uniform average); a constant column scores 1 if predicted exactly,
  /// else 0.
  double score(const Tensor& x, const Tensor& y) const;

  /// float64 [D] (fitted on y [N]) or [K, D], as scikit-learn's coef_.
  Tensor coef() const;
  /// float64 [] (fitted on y [N]) or [K]; zeros without fit_intercept.
  Tensor intercept() const;
  bool is_fitted() const { return n_features_ > 0; }
  int64_t n_features_in() const { return n_features_; }
  /// Iterations or epochs the gradient solver ran; 0 for kLeastSquares.
  int64_t n_iter() const { return n_iter_; }
  /// Whether the gradient solver met tol before max_iter (always true for kLeastSquares).
  bool converged() const { return converged_; }
  const LinearRegressionOptions& options() const { return options_; }

 private:
  LinearRegressionOptions options_;
  int64_t n_features_ = 0;
  int64_t n_targets_ = 0;
  bool single_target_ = true;      // y was [N]: coef() is [D], predict() gives [M]
  std::vector<double> coef_;       // [K, D]
  std::vector<double> intercept_;  // [K]
  int64_t n_iter_ = 0;
  bool converged_ = false;
};

}  // namespace athanor::models
