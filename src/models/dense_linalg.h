// src/models/dense_linalg.h: the small dense linear algebra of the closed-form models, in double on
// host vectors: a row-major matrix, Householder QR with column pivoting, and least squares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace athanor::models::detail {

/// A row-major matrix of doubles: element (i, j) is data[i * cols + j].
struct Matrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(int64_t r, int64_t c) : rows(r), cols(c), data(static_cast<size_t>(r * c), 0.0) {}
  double& operator()(int64_t i, int64_t j) { return data[static_cast<size_t>(i * cols + j)]; }
  double operator()(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * cols + j)]; }
};

/// A = Q R P^T from Householder reflections with column pivoting (Golub & Van Loan, Alg. 5.4.1),
/// for any m x n matrix. R is upper triangular with |R_00| >= |R_11| >= ...; the columns of A
/// enter in the order `perm` (column j of A P is column perm[j] of A).
struct PivotedQR {
  /// R on and above the diagonal; below it, Householder vector k (whose leading 1 is implicit)
  /// fills column k.
  Matrix qr;
  /// H_k = I - tau[k] v_k v_k^T; Q = H_0 H_1 ... H_{min(m,n)-1}.
  std::vector<double> tau;
  std::vector<int64_t> perm;
  /// The numerical rank: the number of |R_kk| above max(m, n) * eps * |R_00| (as NumPy's
  /// matrix_rank). The columns perm[rank..n-1] depend linearly on the others.
  int64_t rank = 0;
};

/// Factorizes `a`; each step pivots on the remaining column of largest norm (recomputed exactly,
/// not downdated, so cancellation cannot pick a wrong pivot).
PivotedQR pivoted_qr(Matrix a);

/// The solution X [n, k] of min ||A X - B||_F for full-rank A [m, n] (m >= n) and B [m, k]:
/// R X' = (Q^T B)[:n] by back substitution, X = P X'. The columns of A are scaled to unit norm
/// first (and the solution scaled back), so the rank decision does not depend on the features'
/// units. When A has rank r < n, nothing is solved: `rank` < n and `dependent_columns` lists the
/// n - r columns of A found to depend linearly on the others.
struct LeastSquares {
  Matrix x;
  int64_t rank = 0;
  std::vector<int64_t> dependent_columns;
};
LeastSquares least_squares(const Matrix& a, const Matrix& b);

}  // namespace athanor::models::detail
