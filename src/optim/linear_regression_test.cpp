// src/optim/linear_regression_test.cpp: the optimizers solve least squares: full-batch gradient
// descent reaches the closed-form solution within 1e-4, mini-batch SGD and Adam (with a per-batch
// cosine schedule) within 1e-2.
#include <array>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>
#include <athanor/ops/join.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/optim/optim.h>

namespace athanor::optim {
namespace {

constexpr int64_t kSamples = 256;

struct Problem {
  Tensor x, y;
  std::vector<double> solution;  // weights then bias, by the normal equations
};

Problem make_problem() {
  Generator gen(17);
  Problem p;
  p.x = uniform({kSamples, 3}, -1.0, 1.0, kFloat64, &gen);
  p.y = matmul(p.x, Tensor::from({{2.0}, {-1.0}, {0.5}})) + 0.3 +
        0.05 * randn({kSamples, 1}, kFloat64, &gen);
  // [x, 1]^T [x, 1] w = [x, 1]^T y, solved by Gauss-Jordan elimination.
  const Tensor xa = concat({p.x, ones({kSamples, 1}, kFloat64)}, 1);
  const auto a = matmul(xa.t(), xa).to_vector<double>();
  const auto rhs = matmul(xa.t(), p.y).to_vector<double>();
  std::array<std::array<double, 5>, 4> m{};
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 4; ++j) m[i][j] = a[i * 4 + j];
    m[i][4] = rhs[i];
  }
  for (size_t c = 0; c < 4; ++c) {
    for (size_t r = 0; r < 4; ++r) {
      if (r == c) continue;
      const double f = m[r][c] / m[c][c];
      for (size_t k = 0; k < 5; ++k) m[r][k] -= f * m[c][k];
    }
  }
  for (size_t i = 0; i < 4; ++i) p.solution.push_back(m[i][4] / m[i][i]);
  return p;
}

struct Linear {
  Tensor w = zeros({3, 1}, kFloat64).set_requires_grad();
  Tensor b = zeros({1}, kFloat64).set_requires_grad();

  void loss_backward(const Tensor& x, const Tensor& y) const {
    mean(square(matmul(x, w) + b - y)).backward();
  }
  // The largest distance to the least-squares solution.
  double error(const std::vector<double>& solution) const {
    const std::vector<double> got = w.to_vector<double>();
    double worst = std::abs(b.item() - solution[3]);
    for (size_t i = 0; i < 3; ++i) worst = std::max(worst, std::abs(got[i] - solution[i]));
    return worst;
  }
};

// Trains on shuffled mini-batches (a fresh permutation per epoch), stepping `schedule` per batch.
void train_mini_batch(const Problem& p, const Linear& model, Optimizer& opt, LRScheduler& schedule,
                      int epochs, int64_t batch) {
  Generator gen(5);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const Tensor order = randperm(kSamples, &gen);
    for (int64_t start = 0; start < kSamples; start += batch) {
      const Tensor idx = order.narrow(0, start, batch);
      opt.zero_grad();
      model.loss_backward(index_select(p.x, 0, idx), index_select(p.y, 0, idx));
      opt.step();
      schedule.step();
    }
  }
}

TEST(LinearRegression, FullBatchGradientDescentReachesLeastSquares) {
  const Problem p = make_problem();
  const Linear model;
  SGD opt({model.w, model.b}, {.lr = 0.5});
  for (int step = 0; step < 1500; ++step) {
    opt.zero_grad();
    model.loss_backward(p.x, p.y);
    opt.step();
  }
  EXPECT_LT(model.error(p.solution), 1e-4);
}

TEST(LinearRegression, MiniBatchSgdGetsClose) {
  const Problem p = make_problem();
  const Linear model;
  SGD opt({model.w, model.b}, {.lr = 0.1, .momentum = 0.9});
  const int epochs = 40;
  const int64_t batch = 16;
  CosineAnnealingLR schedule(opt, epochs * (kSamples / batch));
  train_mini_batch(p, model, opt, schedule, epochs, batch);
  EXPECT_LT(model.error(p.solution), 1e-2);
}

TEST(LinearRegression, MiniBatchAdamGetsClose) {
  const Problem p = make_problem();
  const Linear model;
  Adam opt({model.w, model.b}, {.lr = 0.05});
  const int epochs = 40;
  const int64_t batch = 16;
  const auto schedule =
      with_warmup(std::make_shared<CosineAnnealingLR>(opt, epochs * (kSamples / batch) - 20), 20);
  train_mini_batch(p, model, opt, *schedule, epochs, batch);
  EXPECT_LT(model.error(p.solution), 1e-2);
}

}  // namespace
}  // namespace athanor::optim
