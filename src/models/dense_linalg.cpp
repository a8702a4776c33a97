// src/models/dense_linalg.cpp: Householder QR with column pivoting and least squares on host
// doubles (m rows, n columns; k right-hand sides).
#include "models/dense_linalg.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <athanor/core/error.h>

namespace athanor::models::detail {

namespace {

// Euclidean norm of a[from.., j], scaled by the largest entry so that neither tiny nor huge
// values over- or underflow when squared.
double column_norm(const Matrix& a, int64_t from, int64_t j) {
  double big = 0;
  for (int64_t i = from; i < a.rows; ++i) big = std::max(big, std::abs(a(i, j)));
  if (big == 0) return 0;
  double sum = 0;
  for (int64_t i = from; i < a.rows; ++i) {
    const double v = a(i, j) / big;
    sum += v * v;
  }
  return big * std::sqrt(sum);
}

// b[k.., c] <- H_k b[k.., c] for every column c of b: H_k = I - tau v v^T with v = (1, qr[k+1..,
// k]).
void apply_reflection(const PivotedQR& f, int64_t k, Matrix& b) {
  const double tau = f.tau[static_cast<size_t>(k)];
  if (tau == 0) return;
  for (int64_t c = 0; c < b.cols; ++c) {
    double dot = b(k, c);
    for (int64_t i = k + 1; i < b.rows; ++i) dot += f.qr(i, k) * b(i, c);
    const double s = tau * dot;
    b(k, c) -= s;
    for (int64_t i = k + 1; i < b.rows; ++i) b(i, c) -= s * f.qr(i, k);
  }
}

}  // namespace

PivotedQR pivoted_qr(Matrix a) {
  PivotedQR f;
  const int64_t m = a.rows;
  const int64_t n = a.cols;
  const int64_t steps = std::min(m, n);
  f.perm.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) f.perm[static_cast<size_t>(j)] = j;
  f.tau.assign(static_cast<size_t>(steps), 0.0);
  for (int64_t k = 0; k < steps; ++k) {
    // Pivot: the remaining column with the largest norm below row k.
    int64_t pivot = k;
    double pivot_norm = -1;
    for (int64_t j = k; j < n; ++j) {
      const double norm = column_norm(a, k, j);
      if (norm > pivot_norm) {
        pivot = j;
        pivot_norm = norm;
      }
    }
    if (pivot != k) {
      for (int64_t i = 0; i < m; ++i) std::swap(a(i, k), a(i, pivot));
      std::swap(f.perm[static_cast<size_t>(k)], f.perm[static_cast<size_t>(pivot)]);
    }
    if (pivot_norm == 0) continue;  // the rest is zero: H_k = I (tau stays 0)
    // Householder reflection mapping x = a[k.., k] to beta e_1, with beta = -sign(x_0) ||x|| so
    // that x_0 - beta never cancels. v = (x - beta e_1) / (x_0 - beta) has v_0 = 1, and
    // tau = (beta - x_0) / beta makes H = I - tau v v^T orthogonal.
    const double x0 = a(k, k);
    const double beta = x0 >= 0 ? -pivot_norm : pivot_norm;
    const double scale = 1.0 / (x0 - beta);
    for (int64_t i = k + 1; i < m; ++i) a(i, k) *= scale;
    f.tau[static_cast<size_t>(k)] = (beta - x0) / beta;
    a(k, k) = beta;
    // Apply H_k to the columns right of k.
    const double tau = f.tau[static_cast<size_t>(k)];
    for (int64_t j = k + 1; j < n; ++j) {
      double dot = a(k, j);
      for (int64_t i = k + 1; i < m; ++i) dot += a(i, k) * a(i, j);
      const double s = tau * dot;
      a(k, j) -= s;
      for (int64_t i = k + 1; i < m; ++i) a(i, j) -= s * a(i, k);
    }
  }
  f.qr = std::move(a);
  if (steps > 0) {
    const double tol = static_cast<double>(std::max(m, n)) *
                       std::numeric_limits<double>::epsilon() * std::abs(f.qr(0, 0));
    while (f.rank < steps && std::abs(f.qr(f.rank, f.rank)) > tol) ++f.rank;
  }
  return f;
}

LeastSquares least_squares(const Matrix& a, const Matrix& b) {
  ATHANOR_ASSERT(a.rows == b.rows);
  const int64_t n = a.cols;
  // Unit-norm columns: scaling a column by s scales its coefficient by 1/s and changes nothing
  // else, but makes the rank tolerance relative to each feature's own size.
  std::vector<double> norms(static_cast<size_t>(n));
  Matrix scaled = a;
  for (int64_t j = 0; j < n; ++j) {
    const double norm = column_norm(a, 0, j);
    norms[static_cast<size_t>(j)] = norm;
    if (norm > 0) {
      for (int64_t i = 0; i < a.rows; ++i) scaled(i, j) /= norm;
    }
  }
  const PivotedQR f = pivoted_qr(std::move(scaled));
  LeastSquares out;
  out.rank = f.rank;
  if (f.rank < n) {
    out.dependent_columns.assign(f.perm.begin() + f.rank, f.perm.end());
    std::sort(out.dependent_columns.begin(), out.dependent_columns.end());
    return out;
  }
  // Q^T B, then back substitution in R X' = (Q^T B)[:n].
  Matrix qtb = b;
  for (int64_t k = 0; k < n; ++k) apply_reflection(f, k, qtb);
  out.x = Matrix(n, b.cols);
  for (int64_t c = 0; c < b.cols; ++c) {
    for (int64_t i = n - 1; i >= 0; --i) {
      double v = qtb(i, c);
      for (int64_t j = i + 1; j < n; ++j) v -= f.qr(i, j) * qtb(j, c);
      qtb(i, c) = v / f.qr(i, i);  // qtb's top rows now hold X'
    }
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = f.perm[static_cast<size_t>(i)];
      out.x(j, c) = qtb(i, c) / norms[static_cast<size_t>(j)];
    }
  }
  return out;
}

}  // namespace athanor::models::detail
