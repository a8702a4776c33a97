// tests/linear_regression_test.cpp: full-batch gradient descent with autograd reaches the
// closed-form least-squares solution.

#include <gtest/gtest.h>

#include <athanor/athanor.h>

namespace athanor {
namespace {

TEST(LinearRegression, GradientDescentReachesLeastSquares) {
  Generator gen(7);
  const Tensor x = uniform({200, 3}, -1.0, 1.0, kFloat64, &gen);
  const Tensor true_w = Tensor::from({{2.0}, {-1.0}, {0.5}});
  const Tensor y = matmul(x, true_w) + 0.3 + 0.05 * randn({200, 1}, kFloat64, &gen);

  Tensor w = zeros({3, 1}, kFloat64).set_requires_grad();
  Tensor b = zeros({1}, kFloat64).set_requires_grad();
  for (int step = 0; step < 2000; ++step) {
    w.set_grad(Tensor());
    b.set_grad(Tensor());
    mean(square(matmul(x, w) + b - y)).backward();
    NoGradGuard no_grad;
    w.copy_(w - 0.5 * w.grad());
    b.copy_(b - 0.5 * b.grad());
  }

  // Closed form from the normal equations on [x, 1], solved by Gauss-Jordan elimination here.
  const Tensor xa = concat({x, ones({200, 1}, kFloat64)}, 1);
  const auto a = matmul(xa.t(), xa).to_vector<double>();
  const auto rhs = matmul(xa.t(), y).to_vector<double>();
  std::array<std::array<double, 5>, 4> m{};
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) m[i][j] = a[static_cast<size_t>(i * 4 + j)];
    m[i][4] = rhs[static_cast<size_t>(i)];
  }
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < 4; ++r) {
      if (r == c) continue;
      const double f = m[r][c] / m[c][c];
      for (int k = 0; k < 5; ++k) m[r][k] -= f * m[c][k];
    }
  }
  const auto fitted = w.to_vector<double>();
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(fitted[static_cast<size_t>(i)], m[i][4] / m[i][i], 1e-6);
  EXPECT_NEAR(b.item(), m[3][4] / m[3][3], 1e-6);
}

}  // namespace
}  // namespace athanor
