// examples/linear_regression_gd.cpp: fits y = 3x + noise (100 points) by full-batch gradient
// descent with autograd, and compares the fit with the closed-form least-squares solution.
#include <cstdio>

#include <athanor/athanor.h>

using namespace athanor;

int main() {
  Generator gen(42);
  const Tensor x = uniform({100, 1}, -1.0, 1.0, kFloat32, &gen);
  const Tensor y = 3.0 * x + 0.1 * randn({100, 1}, kFloat32, &gen);

  Tensor w = zeros({1}).set_requires_grad();
  Tensor b = zeros({1}).set_requires_grad();
  const double lr = 0.5;
  for (int step = 0; step < 200; ++step) {
    const Tensor pred = x * w + b;
    const Tensor loss = mean(square(pred - y));
    w.set_grad(Tensor());
    b.set_grad(Tensor());
    loss.backward();
    {
      NoGradGuard no_grad;
      w.copy_(w - lr * w.grad());
      b.copy_(b - lr * b.grad());
    }
    if (step % 50 == 0) std::printf("step %3d  loss %.6f\n", step, loss.item());
  }

  // Least squares: slope = cov(x, y) / var(x), intercept = mean(y) - slope * mean(x).
  const Tensor xc = x - mean(x);
  const double ls_slope = (sum(xc * (y - mean(y))) / sum(xc * xc)).item();
  const double ls_intercept = (mean(y) - ls_slope * mean(x)).item();
  std::printf("fitted slope %.4f intercept %.4f\n", w.item(), b.item());
  std::printf("least-squares slope %.4f intercept %.4f\n", ls_slope, ls_intercept);
  return 0;
}
