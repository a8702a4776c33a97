// src/models/linear_regression_test.cpp: LinearRegression against scikit-learn's LinearRegression
// and Ridge (fixtures from tests/golden/make_models.py) on diabetes and linnerud; the gradient
// solvers against the closed form; errors.
#include <cmath>
#include <cstdio>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/models/linear_regression.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/linalg.h>

#include "models/sklearn_data_test_util.h"
#include "testing/expect_error.h"
#include "testing/golden.h"

namespace athanor::models {
namespace {

using athanor::testing::Golden;
using testing::max_abs_diff;

// The closed form against a scikit-learn fixture: coef, intercept and R^2 within `tol`.
void expect_matches_sklearn(const LinearRegression& model, const Golden& g, const Tensor& x,
                            const Tensor& y, double tol) {
  const double coef_dev = max_abs_diff(model.coef(), g.tensor("coef"));
  const double intercept_dev = max_abs_diff(model.intercept(), g.tensor("intercept"));
  const double r2_dev = std::abs(model.score(x, y) - g.number("r2"));
  std::printf(
      "[ figures  ] %s: max |coef - sklearn| %.3g, |intercept - sklearn| %.3g, "
      "|R2 - sklearn| %.3g\n",
      g.case_name().c_str(), coef_dev, intercept_dev, r2_dev);
  EXPECT_EQ(model.coef().shape(), g.tensor("coef").shape());
  // Without an intercept scikit-learn's intercept_ is the scalar 0.0 even for [N, K] targets;
  // athanor keeps the shape [K] of zeros.
  if (g.flag("fit_intercept") || model.coef().dim() == 1) {
    EXPECT_EQ(model.intercept().shape(), g.tensor("intercept").shape());
  }
  EXPECT_LE(coef_dev, tol);
  EXPECT_LE(intercept_dev, tol);
  EXPECT_LE(r2_dev, tol);
}

TEST(LinearRegression, DiabetesScalingMatchesSklearnLoadDiabetes) {
  const Golden g = Golden::load("models/linreg_diabetes.json");
  const testing::RegressionData d = testing::diabetes();
  ASSERT_EQ(d.x.shape(), Shape({442, 10}));
  EXPECT_LE(max_abs_diff(d.x.narrow(0, 0, 3), g.tensor("x_head")), 1e-15);
}

TEST(LinearRegression, MatchesSklearnOnDiabetes) {
  const Golden g = Golden::load("models/linreg_diabetes.json");
  const testing::RegressionData d = testing::diabetes();
  LinearRegression model;
  model.fit(d.x, d.y);
  // Coefficients of size ~800 from QR and from LAPACK's SVD agree to rounding.
  expect_matches_sklearn(model, g, d.x, d.y, 1e-9);
  EXPECT_EQ(model.predict(d.x).shape(), Shape({442}));
  EXPECT_EQ(model.n_iter(), 0);
  EXPECT_TRUE(model.converged());
}

TEST(LinearRegression, MatchesSklearnWithoutIntercept) {
  const Golden g = Golden::load("models/linreg_diabetes_no_intercept.json");
  const testing::RegressionData d = testing::diabetes();
  LinearRegression model({.fit_intercept = false});
  model.fit(d.x, d.y);
  expect_matches_sklearn(model, g, d.x, d.y, 1e-9);
  EXPECT_EQ(model.intercept().item(), 0.0);
}

TEST(LinearRegression, RidgeMatchesSklearnRidge) {
  const Golden g = Golden::load("models/ridge_diabetes.json");
  const testing::RegressionData d = testing::diabetes();
  LinearRegression model({.l2 = g.number("alpha")});
  model.fit(d.x, d.y);
  expect_matches_sklearn(model, g, d.x, d.y, 1e-9);
}

TEST(LinearRegression, MultiOutputMatchesSklearnOnLinnerud) {
  const Golden g = Golden::load("models/linreg_linnerud.json");
  const testing::RegressionData d = testing::linnerud();
  LinearRegression model;
  model.fit(d.x, d.y);
  expect_matches_sklearn(model, g, d.x, d.y, 1e-9);
  EXPECT_EQ(model.coef().shape(), Shape({3, 3}));
  EXPECT_EQ(model.predict(d.x).shape(), Shape({20, 3}));
}

TEST(LinearRegression, MultiOutputRidgeWithoutInterceptMatchesSklearn) {
  const Golden g = Golden::load("models/ridge_linnerud_no_intercept.json");
  const testing::RegressionData d = testing::linnerud();
  LinearRegression model({.fit_intercept = false, .l2 = g.number("alpha")});
  model.fit(d.x, d.y);
  expect_matches_sklearn(model, g, d.x, d.y, 1e-9);
}

TEST(LinearRegression, GradientDescentConvergesToTheClosedForm) {
  const testing::RegressionData d = testing::diabetes();
  LinearRegression exact;
  exact.fit(d.x, d.y);
  // Nesterov-accelerated full-batch descent with the automatic step 1/L; the standardized
  // problem's condition number is ~470.
  LinearRegression gd({.solver = LinearSolver::kGD,
                       .max_iter = 5000,
                       .tol = 1e-10,
                       .momentum = 0.9,
                       .nesterov = true});
  gd.fit(d.x, d.y);
  const double coef_dev = max_abs_diff(gd.coef(), exact.coef());
  const double r2_dev = std::abs(gd.score(d.x, d.y) - exact.score(d.x, d.y));
  std::printf(
      "[ figures  ] GD (Nesterov 0.9): %ld iterations, max |coef - closed form| %.3g, "
      "|R2 diff| %.3g\n",
      static_cast<long>(gd.n_iter()), coef_dev, r2_dev);
  EXPECT_TRUE(gd.converged());
  EXPECT_LE(coef_dev, 1e-4);
  EXPECT_LE(r2_dev, 1e-10);
}

TEST(LinearRegression, RidgeGradientDescentConvergesToTheClosedForm) {
  const testing::RegressionData d = testing::diabetes();
  LinearRegression exact({.l2 = 0.5});
  exact.fit(d.x, d.y);
  LinearRegression gd({.solver = LinearSolver::kGD,
                       .l2 = 0.5,
                       .max_iter = 5000,
                       .tol = 1e-10,
                       .momentum = 0.9,
                       .nesterov = true});
  gd.fit(d.x, d.y);
  const double coef_dev = max_abs_diff(gd.coef(), exact.coef());
  std::printf("[ figures  ] ridge GD: %ld iterations, max |coef - closed form| %.3g\n",
              static_cast<long>(gd.n_iter()), coef_dev);
  EXPECT_LE(coef_dev, 1e-4);
}

TEST(LinearRegression, MiniBatchSGDGetsNearTheClosedForm) {
  const testing::RegressionData d = testing::diabetes();
  LinearRegression exact;
  exact.fit(d.x, d.y);
  const double r2 = exact.score(d.x, d.y);
  // Constant-step SGD ends in a noise ball around the optimum: R^2 within 1e-3, and the
  // coefficients (up to ~800 in size, along directions of curvature down to 1/470 of the
  // largest) within 5% of the largest.
  const LinearRegressionOptions options{.solver = LinearSolver::kSGD,
                                        .lr = 0.02,
                                        .max_iter = 300,
                                        .tol = 0,
                                        .batch_size = 64,
                                        .momentum = 0.9,
                                        .seed = 3};
  LinearRegression sgd(options);
  sgd.fit(d.x, d.y);
  const double coef_dev = max_abs_diff(sgd.coef(), exact.coef());
  std::printf(
      "[ figures  ] SGD (batch 64, lr 0.02, momentum 0.9, 300 epochs): R2 %.6f vs %.6f, "
      "max |coef - closed form| %.3g\n",
      sgd.score(d.x, d.y), r2, coef_dev);
  EXPECT_EQ(sgd.n_iter(), 300);
  EXPECT_FALSE(sgd.converged());  // tol 0: every epoch runs
  EXPECT_GE(sgd.score(d.x, d.y), r2 - 1e-3);
  EXPECT_LE(coef_dev, 40.0);

  LinearRegression again(options);
  again.fit(d.x, d.y);
  EXPECT_EQ(max_abs_diff(again.coef(), sgd.coef()), 0.0);  // same seed, same bits
  LinearRegression other_seed({.solver = LinearSolver::kSGD,
                               .lr = 0.02,
                               .max_iter = 300,
                               .tol = 0,
                               .batch_size = 64,
                               .momentum = 0.9,
                               .seed = 4});
  other_seed.fit(d.x, d.y);
  EXPECT_GT(max_abs_diff(other_seed.coef(), sgd.coef()), 0.0);
}

TEST(LinearRegression, AdamGetsNearTheClosedForm) {
  const testing::RegressionData d = testing::diabetes();
  LinearRegression exact;
  exact.fit(d.x, d.y);
  LinearRegression adam({.solver = LinearSolver::kAdam,
                         .lr = 0.5,
                         .max_iter = 2000,
                         .tol = 1e-8,
                         .batch_size = 1000});
  adam.fit(d.x, d.y);
  std::printf(
      "[ figures  ] Adam (full batch, lr 0.5): %ld iterations, R2 %.8f vs %.8f, "
      "max |coef - closed form| %.3g\n",
      static_cast<long>(adam.n_iter()), adam.score(d.x, d.y), exact.score(d.x, d.y),
      max_abs_diff(adam.coef(), exact.coef()));
  EXPECT_GE(adam.score(d.x, d.y), exact.score(d.x, d.y) - 1e-4);
}

TEST(LinearRegression, RecoversExactLinearDataOnRawUnscaledFeatures) {
  // y = 3 x0 - 0.002 x1 + 7 exactly, features of very different scales.
  const Tensor x =
      Tensor::from({{1.0, 1000.0}, {2.0, 5000.0}, {3.0, -2000.0}, {4.0, 0.0}, {5.0, 12000.0}});
  const Tensor y = matmul(x, Tensor::from({3.0, -0.002})) + 7.0;
  LinearRegression model;
  model.fit(x, y);
  EXPECT_NEAR(model.coef().to_vector<double>()[0], 3.0, 1e-12);
  EXPECT_NEAR(model.coef().to_vector<double>()[1], -0.002, 1e-15);
  EXPECT_NEAR(model.intercept().item(), 7.0, 1e-12);
  EXPECT_DOUBLE_EQ(model.score(x, y), 1.0);
  LinearRegression gd({.solver = LinearSolver::kGD,
                       .max_iter = 3000,
                       .tol = 1e-12,
                       .momentum = 0.9,
                       .nesterov = true});
  gd.fit(x.to(kInt64).to(kFloat32), y);  // any real dtype works
  EXPECT_NEAR(gd.coef().to_vector<double>()[0], 3.0, 1e-6);
  EXPECT_NEAR(gd.intercept().item(), 7.0, 1e-5);
}

TEST(LinearRegression, ScoreOfConstantTargetIsOneOnlyWhenExact) {
  const Tensor x = Tensor::from({{0.0}, {1.0}, {2.0}});
  LinearRegression model;
  model.fit(x, Tensor::from({5.0, 5.0, 5.0}));
  EXPECT_EQ(model.score(x, Tensor::from({5.0, 5.0, 5.0})), 1.0);
  EXPECT_EQ(model.score(x, Tensor::from({4.0, 4.0, 4.0})), 0.0);
}

TEST(LinearRegression, RejectsRankDeficientFeatures) {
  const testing::RegressionData d = testing::diabetes();
  // Feature 10 = feature 2 + feature 5.
  const Tensor x = concat({d.x, d.x.narrow(1, 2, 1) + d.x.narrow(1, 5, 1)}, 1);
  LinearRegression model;
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, d.y),
                            "LinearRegression.fit: X is rank-deficient: numerical rank 10 < 11 "
                            "features (442 samples, centred for the intercept); column(s) [");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, d.y), "use l2 > 0 (ridge)");
  EXPECT_FALSE(model.is_fitted());
  // A constant column is dependent on the intercept.
  EXPECT_THROW_WITH_MESSAGE(
      model.fit(Tensor::from({{1.0, 2.0}, {1.0, 3.0}, {1.0, 5.0}}), Tensor::from({1.0, 2.0, 3.0})),
      "column(s) [0] depend linearly on the others (or are constant)");
  // Ridge is always solvable.
  LinearRegression ridge({.l2 = 1e-3});
  ridge.fit(x, d.y);
  EXPECT_GE(ridge.score(x, d.y), 0.5);
}

TEST(LinearRegression, ErrorsNameTheShapesAndValues) {
  const Tensor x = Tensor::from({{1.0, 2.0}, {3.0, 4.0}, {5.0, 7.0}});
  LinearRegression model;
  EXPECT_THROW_WITH_MESSAGE(model.predict(x),
                            "LinearRegression.predict: the model is not fitted; call fit(X, y) "
                            "first");
  EXPECT_THROW_WITH_MESSAGE(model.coef(), "LinearRegression.coef: the model is not fitted");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, Tensor::from({1.0, 2.0})),
                            "LinearRegression.fit: X has 3 samples but y has 2 (X shape [3, 2], "
                            "y shape [2]); expected one target row per sample");
  EXPECT_THROW_WITH_MESSAGE(model.fit(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 2.0})),
                            "LinearRegression.fit: expected X of shape [N, D] (samples, "
                            "features), got shape [2]");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, zeros({3, 1, 1})),
                            "LinearRegression.fit: expected y of shape [N] or [N, K], got shape "
                            "[3, 1, 1]");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_WITH_MESSAGE(
      model.fit(Tensor::from({{1.0, 2.0}, {3.0, nan}, {5.0, 7.0}}), Tensor::from({1.0, 2.0, 3.0})),
      "LinearRegression.fit: X holds nan at [1, 1]; expected finite values");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, Tensor::from({1.0, std::log(0.0), 3.0})),
                            "LinearRegression.fit: y holds -inf at [1]; expected finite values");
  model.fit(x, Tensor::from({1.0, 2.0, 4.0}));
  EXPECT_THROW_WITH_MESSAGE(model.predict(Tensor::from({{1.0, 2.0, 3.0}})),
                            "LinearRegression.predict: X has 3 features (shape [1, 3]), but the "
                            "model was fitted on 2");
  EXPECT_THROW_WITH_MESSAGE(model.score(x, zeros({3, 2})),
                            "LinearRegression.score: y has 2 target columns (shape [3, 2]), but "
                            "the model was fitted on 1");
  EXPECT_THROW_WITH_MESSAGE(LinearRegression({.l2 = -1}),
                            "LinearRegression: l2 (the ridge alpha) must be finite and >= 0, got "
                            "-1");
  EXPECT_THROW_WITH_MESSAGE(LinearRegression({.batch_size = 0}),
                            "LinearRegression: batch_size must be >= 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(LinearRegression({.nesterov = true}),
                            "LinearRegression: nesterov needs momentum > 0, got momentum 0");
  LinearRegression diverging({.solver = LinearSolver::kGD, .lr = 100.0});
  EXPECT_THROW_WITH_MESSAGE(diverging.fit(x, Tensor::from({1.0, 2.0, 4.0})),
                            "LinearRegression.fit: the gradient solver diverged");
}

}  // namespace
}  // namespace athanor::models
