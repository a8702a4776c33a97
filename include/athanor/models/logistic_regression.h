// include/athanor/models/logistic_regression.h: LogisticRegression, binary and multinomial
// (softmax) classification with L1, L2 or elastic-net penalties, as scikit-learn's.
#pragma once

#include <cstdint>
#include <vector>

#include <athanor/models/linear_regression.h>
#include <athanor/tensor/tensor.h>

namespace athanor::models {

/// The penalty on the coefficients (never on the intercept).
enum class Penalty { kNone, kL1, kL2, kElasticNet };

/// Options of LogisticRegression, named as scikit-learn's.
struct LogisticRegressionOptions {
  Penalty penalty = Penalty::kL2;
  /// Inverse regularization strength (> 0), as scikit-learn's C: the objective is
  /// C * sum_i loss_i + R(w) with R = 0.5 ||w||^2 (L2), ||w||_1 (L1), or
  /// 0.5 (1 - l1_ratio) ||w||^2 + l1_ratio ||w||_1 (elastic net). athanor minimizes it divided by
  /// C N: mean loss + alpha R(w) with alpha = 1 / (C N).
  double C = 1.0;
  /// Elastic-net mixing in [0, 1] (1 is L1, 0 is L2); used with kElasticNet only.
  double l1_ratio = 0.5;
  bool fit_intercept = true;
  /// kGD, kSGD or kAdam (kLeastSquares has no meaning here).
  LinearSolver solver = LinearSolver::kGD;
  /// Step size; 0 chooses one: 1/L for kGD, 0.5/L for kSGD (L bounds the objective's curvature:
  /// 1/4 (binary) or 1/2 (multinomial) of the largest eigenvalue of the standardized features'
  /// covariance, plus the L2 strength), 0.01 for kAdam.
  double lr = 0;
  /// Iterations (kGD) or epochs (kSGD, kAdam) at most.
  int64_t max_iter = 1000;
  /// Stopping rule, as LinearRegressionOptions::tol.
  double tol = 1e-6;
  int64_t n_iter_no_change = 5;
  int64_t batch_size = 32;
  double momentum = 0;
  bool nesterov = false;
  uint64_t seed = 0;
};

/// Logistic regression for X [N, D] (any real or integer dtype) and class labels y [N] (whole
/// numbers of any dtype; [N, 1] is accepted too). The classes are y's distinct values, sorted.
/// Two classes: one logit per sample, p(class 1) = sigmoid(x w + b), binary cross-entropy
/// (binary_cross_entropy_with_logits). More: one logit per class, softmax and cross_entropy (the
/// multinomial model, scikit-learn's multi_class="multinomial").
///
/// Fitting uses autograd and athanor's optimizers in float64 from zero coefficients, on
/// internally standardized features (see LinearRegression; the penalty stays on the original
/// coefficients, so the optimum is scikit-learn's). The L2 part of a penalty joins the loss. The
/// L1 part is handled by a proximal step with kGD and kSGD: after each update,
/// w <- sign(w) max(|w| - lr alpha l1_ratio, 0) (soft-thresholding; ISTA), which sets
/// coefficients exactly to 0. With kGD and momentum > 0 that becomes FISTA (Beck & Teboulle,
/// 2009) with adaptive restart (O'Donoghue & Candes, 2015) in place of optim::SGD's momentum,
/// which does not combine with a proximal step (the momentum's value is then unused). With kAdam
/// the L1 subgradient alpha l1_ratio sign(w) joins the gradient instead, so coefficients only
/// hover near 0 and the full-batch stopping rule rarely fires.
///
/// Inputs must be finite. Probabilities and coefficients are float64; labels int64.
class LogisticRegression {
 public:
  explicit LogisticRegression(const LogisticRegressionOptions& options = {});

  /// Fits the model (again, from scratch, on every call); returns *this.
  LogisticRegression& fit(const Tensor& x, const Tensor& y);
  /// X [M, D] -> int64 [M]: the most probable class label for each sample.
  Tensor predict(const Tensor& x) const;
  /// X [M, D] -> float64 [M, C]: the probability of each class (columns in classes() order; two
  /// columns for a binary model, as scikit-learn's).
  Tensor predict_proba(const Tensor& x) const;
  /// X [M, D] -> float64 logits: [M] for a binary model (the log-odds of class 1), else [M, C].
  Tensor decision_function(const Tensor& x) const;
  /// The fraction of samples whose predicted label equals y's.
  double score(const Tensor& x, const Tensor& y) const;

  /// float64 [1, D] for a binary model, [C, D] for a multinomial one (scikit-learn's coef_).
  Tensor coef() const;
  /// float64 [1] or [C].
  Tensor intercept() const;
  /// int64 [C]: the class labels, sorted.
  Tensor classes() const;
  bool is_fitted() const { return n_features_ > 0; }
  int64_t n_features_in() const { return n_features_; }
  /// Iterations (kGD) or epochs (kSGD, kAdam) run by the last fit.
  int64_t n_iter() const { return n_iter_; }
  /// Whether the last fit met tol before max_iter.
  bool converged() const { return converged_; }
  const LogisticRegressionOptions& options() const { return options_; }

 private:
  LogisticRegressionOptions options_;
  int64_t n_features_ = 0;
  std::vector<int64_t> classes_;
  std::vector<double> coef_;       // [rows, D]: 1 row (binary) or one per class
  std::vector<double> intercept_;  // [rows]
  int64_t n_iter_ = 0;
  bool converged_ = false;
};

}  // namespace athanor::models
