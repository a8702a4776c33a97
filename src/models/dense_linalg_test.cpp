// src/models/dense_linalg_test.cpp: pivoted Householder QR and least squares against hand-derived
// solutions, including a problem the normal equations cannot solve in double.
#include "models/dense_linalg.h"

#include <cmath>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace athanor::models::detail {
namespace {

Matrix matrix(int64_t rows, int64_t cols, std::vector<double> values) {
  Matrix m(rows, cols);
  m.data = std::move(values);
  return m;
}

TEST(PivotedQR, ReconstructsTheMatrix) {
  const Matrix a = matrix(4, 3, {2, -1, 0, 1, 3, 4, 0, 5, -2, 7, 1, 1});
  const PivotedQR f = pivoted_qr(a);
  EXPECT_EQ(f.rank, 3);
  // Q R: apply H_2, H_1, H_0 (in that order) to [R; 0], then undo the pivoting.
  Matrix qr(4, 3);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t j = i; j < 3; ++j) qr(i, j) = f.qr(i, j);
  }
  for (int64_t k = 2; k >= 0; --k) {
    for (int64_t c = 0; c < 3; ++c) {
      double dot = qr(k, c);
      for (int64_t i = k + 1; i < 4; ++i) dot += f.qr(i, k) * qr(i, c);
      qr(k, c) -= f.tau[k] * dot;
      for (int64_t i = k + 1; i < 4; ++i) qr(i, c) -= f.tau[k] * dot * f.qr(i, k);
    }
  }
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t j = 0; j < 3; ++j) EXPECT_NEAR(qr(i, j), a(i, f.perm[j]), 1e-13);
  }
  // Pivoting orders the diagonal of R by size.
  EXPECT_GE(std::abs(f.qr(0, 0)), std::abs(f.qr(1, 1)));
  EXPECT_GE(std::abs(f.qr(1, 1)), std::abs(f.qr(2, 2)));
}

TEST(LeastSquares, FitsALineThroughPoints) {
  // y = 1 + 2 t at t = 0..3 plus residuals (+1, -1, -1, +1), orthogonal to [1, t]: the
  // least-squares line is exactly 1 + 2 t.
  const Matrix a = matrix(4, 2, {1, 0, 1, 1, 1, 2, 1, 3});
  const Matrix b = matrix(4, 2, {2, 0, 2, 1, 4, 2, 8, 3});  // second column: t itself
  const LeastSquares s = least_squares(a, b);
  ASSERT_EQ(s.rank, 2);
  EXPECT_NEAR(s.x(0, 0), 1.0, 1e-14);
  EXPECT_NEAR(s.x(1, 0), 2.0, 1e-14);
  EXPECT_NEAR(s.x(0, 1), 0.0, 1e-14);
  EXPECT_NEAR(s.x(1, 1), 1.0, 1e-14);
}

TEST(LeastSquares, SolvesLauchliMatrixThatDefeatsNormalEquations) {
  // A = [[1, 1], [e, 0], [0, e]] with e = 1e-9: A^T A = [[1 + e^2, 1], [1, 1 + e^2]] rounds to a
  // singular matrix in double, but A has condition number ~1.4e9 and QR solves A x = b exactly
  // solvable with x = (1, 1) to about cond * eps.
  const double e = 1e-9;
  const Matrix a = matrix(3, 2, {1, 1, e, 0, 0, e});
  const Matrix b = matrix(3, 1, {2, e, e});
  const LeastSquares s = least_squares(a, b);
  ASSERT_EQ(s.rank, 2);
  EXPECT_NEAR(s.x(0, 0), 1.0, 1e-6);
  EXPECT_NEAR(s.x(1, 0), 1.0, 1e-6);
  EXPECT_EQ(1.0 + e * e, 1.0);  // the normal equations' matrix really is singular in double
}

TEST(LeastSquares, ReportsDependentColumnsInsteadOfSolving) {
  // Column 2 = column 0 + column 1; column 3 is zero.
  const Matrix a = matrix(4, 4, {1, 0, 1, 0, 2, 1, 3, 0, 0, 5, 5, 0, 1, 1, 2, 0});
  const LeastSquares s = least_squares(a, matrix(4, 1, {1, 2, 3, 4}));
  EXPECT_EQ(s.rank, 2);
  ASSERT_EQ(s.dependent_columns.size(), 2u);
  EXPECT_EQ(s.dependent_columns[1], 3);  // the zero column always; which of 0..2 goes is a choice
  EXPECT_TRUE(s.x.data.empty());
}

TEST(LeastSquares, RankDoesNotDependOnColumnUnits) {
  // The second feature in units 1e-17 times smaller: still independent, though its column is
  // below the rank tolerance of the unscaled matrix (3 eps |R_00| ~ 1e-15).
  const Matrix a = matrix(3, 2, {1, 1e-17, 1, 2e-17, 1, 4e-17});
  const LeastSquares s = least_squares(a, matrix(3, 1, {1, 2, 4}));
  ASSERT_EQ(s.rank, 2);
  EXPECT_NEAR(s.x(0, 0), 0.0, 1e-12);
  EXPECT_NEAR(s.x(1, 0) * 1e-17, 1.0, 1e-12);
}

}  // namespace
}  // namespace athanor::models::detail
