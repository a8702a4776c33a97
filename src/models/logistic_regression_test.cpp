// src/models/logistic_regression_test.cpp: LogisticRegression against scikit-learn's (fixtures
// from tests/golden/make_models.py): breast_cancer with L2, L1 and elastic-net penalties, iris
// multinomial; the SGD and Adam solvers; label handling; errors.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/models/logistic_regression.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/reduce.h>

#include "models/sklearn_data_test_util.h"
#include "testing/expect_error.h"
#include "testing/golden.h"

namespace athanor::models {
namespace {

using athanor::testing::Golden;
using testing::max_abs_diff;

struct Figures {
  double coef_dev, intercept_dev, proba_dev, test_accuracy, train_accuracy;
  int64_t disagreements;  // test predictions that differ from scikit-learn's
};

Figures compare(const LogisticRegression& model, const Golden& g, const testing::Split& s,
                const char* label) {
  Figures f{};
  f.coef_dev = max_abs_diff(model.coef(), g.tensor("coef"));
  f.intercept_dev = max_abs_diff(model.intercept(), g.tensor("intercept"));
  f.proba_dev = max_abs_diff(model.predict_proba(s.x_test), g.tensor("test_predict_proba"));
  f.test_accuracy = model.score(s.x_test, s.y_test);
  f.train_accuracy = model.score(s.x_train, s.y_train);
  f.disagreements = sum(ne(model.predict(s.x_test), g.tensor("test_predict"))).item<int64_t>();
  std::printf(
      "[ figures  ] %s (%s): %ld iterations%s; max |coef - sklearn| %.3g (|coef| <= "
      "%.3g), |intercept - sklearn| %.3g, max |proba - sklearn| %.3g; test accuracy %.4f "
      "vs sklearn %.4f, train %.4f vs %.4f, %ld different test predictions\n",
      g.case_name().c_str(), label, static_cast<long>(model.n_iter()),
      model.converged() ? "" : " (max_iter)", f.coef_dev, max(abs(g.tensor("coef"))).item(),
      f.intercept_dev, f.proba_dev, f.test_accuracy, g.number("test_accuracy"), f.train_accuracy,
      g.number("train_accuracy"), static_cast<long>(f.disagreements));
  EXPECT_EQ(model.coef().shape(), g.tensor("coef").shape());
  EXPECT_EQ(model.intercept().shape(), g.tensor("intercept").shape());
  return f;
}

TEST(LogisticRegression, L2MatchesSklearnOnBreastCancer) {
  const Golden g = Golden::load("models/logreg_breast_cancer_l2.json");
  const testing::Split s = testing::standardized_split("breast_cancer.csv", g);
  // The same objective as scikit-learn's (C = 1, unpenalized intercept), minimized to a tight
  // tolerance by Nesterov-accelerated gradient descent; the reference is newton-cholesky's optimum
  // (the default lbfgs stops 1.4e-4 away from it, lbfgs_coef_deviation in the fixture).
  LogisticRegression model(
      {.C = g.number("C"), .max_iter = 20000, .tol = 1e-9, .momentum = 0.95, .nesterov = true});
  model.fit(s.x_train, s.y_train);
  const Figures f = compare(model, g, s, "GD, Nesterov 0.95");
  EXPECT_TRUE(model.converged());
  EXPECT_LE(f.coef_dev, 1e-6);
  EXPECT_LE(f.intercept_dev, 1e-6);
  EXPECT_LE(f.proba_dev, 1e-7);
  EXPECT_EQ(f.disagreements, 0);
  EXPECT_NEAR(f.test_accuracy, g.number("test_accuracy"), 0.01);
  EXPECT_EQ(model.classes().to_vector<int64_t>(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(model.predict_proba(s.x_test).shape(), Shape({s.x_test.shape(0), 2}));
}

TEST(LogisticRegression, L1MatchesSklearnSagaOnBreastCancer) {
  const Golden g = Golden::load("models/logreg_breast_cancer_l1.json");
  const testing::Split s = testing::standardized_split("breast_cancer.csv", g);
  // Proximal gradient (soft-thresholding after each step; FISTA with momentum > 0) gives exact
  // zeros, as saga's.
  LogisticRegression model({.penalty = Penalty::kL1,
                            .C = g.number("C"),
                            .max_iter = 20000,
                            .tol = 1e-9,
                            .momentum = 0.9});
  model.fit(s.x_train, s.y_train);
  const Figures f = compare(model, g, s, "FISTA");
  const auto count_zeros = [](const Tensor& t) {
    const std::vector<double> v = t.to_vector<double>();
    return static_cast<int64_t>(std::count(v.begin(), v.end(), 0.0));
  };
  const int64_t zeros_ours = count_zeros(model.coef());
  const int64_t zeros_sklearn = count_zeros(g.tensor("coef"));
  std::printf("[ figures  ] L1: %ld zero coefficients vs saga %ld; liblinear test accuracy %.4f\n",
              static_cast<long>(zeros_ours), static_cast<long>(zeros_sklearn),
              g.number("liblinear_test_accuracy"));
  EXPECT_TRUE(model.converged());
  EXPECT_EQ(zeros_ours, zeros_sklearn);
  EXPECT_LE(f.coef_dev, 1e-6);
  EXPECT_LE(f.intercept_dev, 1e-6);
  EXPECT_NEAR(f.test_accuracy, g.number("test_accuracy"), 0.01);

  // Mini-batch SGD with the proximal step also zeroes coefficients exactly.
  LogisticRegression sgd({.penalty = Penalty::kL1,
                          .C = g.number("C"),
                          .solver = LinearSolver::kSGD,
                          .max_iter = 50,
                          .seed = 2});
  sgd.fit(s.x_train, s.y_train);
  compare(sgd, g, s, "proximal SGD, batch 32");
  EXPECT_GE(count_zeros(sgd.coef()), 3);
  EXPECT_NEAR(sgd.score(s.x_test, s.y_test), g.number("test_accuracy"), 0.01);
}

TEST(LogisticRegression, ElasticNetMatchesSklearnSagaOnBreastCancer) {
  const Golden g = Golden::load("models/logreg_breast_cancer_elasticnet.json");
  const testing::Split s = testing::standardized_split("breast_cancer.csv", g);
  LogisticRegression model({.penalty = Penalty::kElasticNet,
                            .C = g.number("C"),
                            .l1_ratio = g.number("l1_ratio"),
                            .max_iter = 20000,
                            .tol = 1e-9,
                            .momentum = 0.9});
  model.fit(s.x_train, s.y_train);
  const Figures f = compare(model, g, s, "FISTA");
  EXPECT_TRUE(model.converged());
  EXPECT_LE(f.coef_dev, 1e-5);
  EXPECT_LE(f.intercept_dev, 1e-5);
  EXPECT_NEAR(f.test_accuracy, g.number("test_accuracy"), 0.01);
}

TEST(LogisticRegression, MultinomialMatchesSklearnOnIris) {
  const Golden g = Golden::load("models/logreg_iris_multinomial.json");
  const testing::Split s = testing::standardized_split("iris.csv", g);
  LogisticRegression model(
      {.C = g.number("C"), .max_iter = 20000, .tol = 1e-9, .momentum = 0.9, .nesterov = true});
  model.fit(s.x_train, s.y_train);
  const Figures f = compare(model, g, s, "GD, Nesterov 0.9");
  EXPECT_TRUE(model.converged());
  EXPECT_LE(f.coef_dev, 1e-6);
  EXPECT_LE(f.intercept_dev, 1e-6);
  EXPECT_LE(f.proba_dev, 1e-7);
  EXPECT_EQ(f.disagreements, 0);
  EXPECT_EQ(model.coef().shape(), Shape({3, 4}));
  const Tensor p = model.predict_proba(s.x_test);
  EXPECT_LE(max_abs_diff(sum(p, {1}), ones({p.shape(0)}, kFloat64)), 1e-12);
}

TEST(LogisticRegression, SGDAndAdamReachSklearnAccuracy) {
  const Golden g = Golden::load("models/logreg_breast_cancer_l2.json");
  const testing::Split s = testing::standardized_split("breast_cancer.csv", g);
  LogisticRegression sgd(
      {.solver = LinearSolver::kSGD, .max_iter = 100, .batch_size = 32, .seed = 1});
  sgd.fit(s.x_train, s.y_train);
  compare(sgd, g, s, "SGD, batch 32, automatic lr");
  EXPECT_NEAR(sgd.score(s.x_test, s.y_test), g.number("test_accuracy"), 0.01);
  LogisticRegression adam(
      {.solver = LinearSolver::kAdam, .max_iter = 100, .batch_size = 64, .seed = 1});
  adam.fit(s.x_train, s.y_train);
  compare(adam, g, s, "Adam, batch 64, lr 0.01");
  EXPECT_NEAR(adam.score(s.x_test, s.y_test), g.number("test_accuracy"), 0.01);
}

TEST(LogisticRegression, KeepsArbitraryLabelsAndAgreesWithItsProbabilities) {
  // Labels -1 and 5 (as float), separable by x0 + x1 > 0 up to one noisy sample.
  const Tensor x = Tensor::from({{-2.0, -1.0},
                                 {-1.0, -1.5},
                                 {-0.5, 0.2},
                                 {1.0, 0.5},
                                 {2.0, 1.0},
                                 {0.3, 0.4},
                                 {-1.2, 0.1},
                                 {0.8, -0.1}});
  const Tensor y = Tensor::from({-1.0, -1.0, 5.0, 5.0, 5.0, 5.0, -1.0, 5.0});
  LogisticRegression model({.C = 10.0});
  model.fit(x, y);
  EXPECT_EQ(model.classes().to_vector<int64_t>(), (std::vector<int64_t>{-1, 5}));
  const Tensor z = model.decision_function(x);
  const Tensor p = model.predict_proba(x);
  EXPECT_LE(max_abs_diff(p.select(1, 1), sigmoid(z)), 1e-15);
  const Tensor expected = where(z > 0.0, 5.0, Tensor::from({-1.0}).expand({8}));
  EXPECT_EQ(max_abs_diff(model.predict(x), expected), 0.0);
  EXPECT_EQ(model.predict(x).dtype(), kInt64);
  EXPECT_GE(model.score(x, y), 0.85);
}

TEST(LogisticRegression, FitsTheSameUnderNoGradGuard) {
  const Tensor x = Tensor::from({{0.0, 1.0}, {1.0, 0.5}, {2.0, 2.0}, {3.0, 1.0}, {1.5, 0.0}});
  const Tensor y = Tensor::from({0, 0, 1, 1, 0});
  LogisticRegression model;
  model.fit(x, y);
  LogisticRegression inside;
  {
    NoGradGuard no_grad;
    inside.fit(x, y);
    EXPECT_FALSE(is_grad_enabled());  // restored
  }
  EXPECT_EQ(max_abs_diff(inside.coef(), model.coef()), 0.0);
  EXPECT_GT(max(abs(model.coef())).item(), 0.1);
}

TEST(LogisticRegression, NoPenaltyFitsSeparableDataToHighConfidence) {
  const Tensor x = Tensor::from({{0.0}, {1.0}, {2.0}, {3.0}});
  const Tensor y = Tensor::from({0, 0, 1, 1});
  LogisticRegression model({.penalty = Penalty::kNone, .max_iter = 500});
  model.fit(x, y);
  EXPECT_EQ(model.score(x, y), 1.0);
  EXPECT_FALSE(model.converged());  // the optimum is at infinity
  const auto p = model.predict_proba(x).to_vector<double>();
  EXPECT_GT(p[7], 0.95);  // P(class 1 | x = 3)
}

TEST(LogisticRegression, ErrorsNameTheShapesAndValues) {
  const Tensor x = Tensor::from({{1.0, 2.0}, {3.0, 4.0}, {5.0, 7.0}});
  LogisticRegression model;
  EXPECT_THROW_WITH_MESSAGE(model.predict(x),
                            "LogisticRegression.decision_function: the model is not fitted; call "
                            "fit(X, y) first");
  EXPECT_THROW_WITH_MESSAGE(model.classes(), "LogisticRegression.classes: the model is not fitted");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, Tensor::from({0, 1, 1, 0})),
                            "LogisticRegression.fit: X has 3 samples but y has 4 (X shape [3, 2], "
                            "y shape [4]); expected one target row per sample");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, Tensor::from({1, 1, 1})),
                            "LogisticRegression.fit: y holds only class 1; expected at least 2 "
                            "classes");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, Tensor::from({0.0, 0.5, 1.0})),
                            "LogisticRegression.fit: y holds 0.5 at [1]; expected class labels "
                            "(whole numbers)");
  EXPECT_THROW_WITH_MESSAGE(model.fit(x, zeros({3, 2})),
                            "LogisticRegression.fit: expected class labels y of shape [N] or "
                            "[N, 1], got shape [3, 2]");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_WITH_MESSAGE(
      model.fit(Tensor::from({{1.0, 2.0}, {nan, 4.0}, {5.0, 7.0}}), Tensor::from({0, 1, 1})),
      "LogisticRegression.fit: X holds nan at [1, 0]; expected finite values");
  model.fit(x, Tensor::from({0, 1, 1}));
  EXPECT_THROW_WITH_MESSAGE(model.predict_proba(Tensor::from({{1.0}})),
                            "LogisticRegression.decision_function: X has 1 features (shape [1, "
                            "1]), but the model was fitted on 2");
  EXPECT_THROW_WITH_MESSAGE(LogisticRegression({.C = 0}),
                            "LogisticRegression: C (the inverse regularization strength) must be "
                            "finite and > 0, got 0");
  EXPECT_THROW_WITH_MESSAGE(LogisticRegression({.l1_ratio = 1.5}),
                            "LogisticRegression: l1_ratio must be in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(LogisticRegression({.solver = LinearSolver::kLeastSquares}),
                            "LogisticRegression: solver kLeastSquares has no closed form for the "
                            "logistic loss; expected kGD, kSGD or kAdam");
  EXPECT_THROW_WITH_MESSAGE(LogisticRegression({.momentum = 1.0}),
                            "LogisticRegression: momentum must be in [0, 1), got 1");
}

}  // namespace
}  // namespace athanor::models
