// src/models/model_utils.cpp: input checks, standardization and the gradient-solver loop shared by
// the models.
#include "models/model_utils.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/random.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>
#include <athanor/ops/join.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/sgd.h>

namespace athanor::models::detail {

namespace {

// Host doubles of any real, integer or bool tensor, row-major.
std::vector<double> host_values(const Tensor& t) {
  NoGradGuard no_grad;
  return t.detach().to(kFloat64).contiguous().to_vector<double>();
}

void check_finite(const std::vector<double>& values, const Shape& shape, const char* name,
                  const std::string& where) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    const auto cols = static_cast<size_t>(shape.rank() == 2 ? shape[1] : 1);
    const std::string at =
        shape.rank() == 2 ? fmt::format("[{}, {}]", i / cols, i % cols) : fmt::format("[{}]", i);
    ATHANOR_CHECK(false, "{}: {} holds {} at {}; expected finite values", where, name, values[i],
                  at);
  }
}

// Re-enables gradient recording for a fit called under NoGradGuard.
class EnableGrad {
 public:
  EnableGrad() : previous_(is_grad_enabled()) { set_grad_enabled(true); }
  ~EnableGrad() { set_grad_enabled(previous_); }
  EnableGrad(const EnableGrad&) = delete;
  EnableGrad& operator=(const EnableGrad&) = delete;

 private:
  bool previous_;
};

double max_abs(const Tensor& t) {
  NoGradGuard no_grad;
  return max(abs(t)).item();
}

// The largest eigenvalue of [z, 1]^T [z, 1] / N (of z^T z / N without the ones column), by power
// iteration with athanor's matmul. It converges from below; the step sizes built on it keep a
// margin of 2 (gradient descent is stable for lr < 2 / L).
double largest_curvature(const Tensor& z, bool with_ones) {
  NoGradGuard no_grad;
  const auto n = static_cast<double>(z.shape(0));
  const Tensor a = with_ones ? concat({z, ones({z.shape(0), 1}, kFloat64)}, 1) : z;
  Tensor v = ones({a.shape(1), 1}, kFloat64);
  double lambda = 0;
  for (int i = 0; i < 100; ++i) {
    const Tensor av = matmul(a.t(), matmul(a, v)) / n;
    const double norm = std::sqrt(sum(square(av)).item());
    if (norm == 0) return 0;
    const double previous = lambda;
    lambda = sum(v * av).item() / sum(v * v).item();  // Rayleigh quotient
    v = av / norm;
    if (std::abs(lambda - previous) <= 1e-9 * lambda) break;
  }
  return lambda;
}

}  // namespace

Matrix features_to_host(const Tensor& x, const std::string& where) {
  ATHANOR_CHECK(x.defined(), "{}: X is an undefined tensor; expected X of shape [N, D]", where);
  ATHANOR_CHECK(x.dim() == 2, "{}: expected X of shape [N, D] (samples, features), got shape {}",
                where, x.shape());
  ATHANOR_CHECK(x.shape(0) > 0 && x.shape(1) > 0,
                "{}: X of shape {} is empty; expected at least one sample and one feature", where,
                x.shape());
  Matrix m(x.shape(0), x.shape(1));
  m.data = host_values(x);
  check_finite(m.data, x.shape(), "X", where);
  return m;
}

Matrix targets_to_host(const Tensor& y, const Shape& x_shape, const std::string& where,
                       bool& single) {
  ATHANOR_CHECK(y.defined(), "{}: y is an undefined tensor; expected y of shape [N] or [N, K]",
                where);
  ATHANOR_CHECK(y.dim() == 1 || y.dim() == 2, "{}: expected y of shape [N] or [N, K], got shape {}",
                where, y.shape());
  ATHANOR_CHECK(y.shape(0) == x_shape[0],
                "{}: X has {} samples but y has {} (X shape {}, y shape {}); expected one target "
                "row per sample",
                where, x_shape[0], y.shape(0), x_shape, y.shape());
  ATHANOR_CHECK(y.numel() > 0, "{}: y of shape {} is empty; expected at least one target", where,
                y.shape());
  single = y.dim() == 1;
  Matrix m(y.shape(0), single ? 1 : y.shape(1));
  m.data = host_values(y);
  check_finite(m.data, y.shape(), "y", where);
  return m;
}

void check_fitted(bool fitted, const std::string& where) {
  ATHANOR_CHECK(fitted, "{}: the model is not fitted; call fit(X, y) first", where);
}

void check_feature_count(const Tensor& x, int64_t features, const std::string& where) {
  ATHANOR_CHECK(x.defined() && x.dim() == 2,
                "{}: expected X of shape [N, {}] (samples, features), got {}", where, features,
                x.defined() ? fmt::format("shape {}", x.shape()) : "an undefined tensor");
  ATHANOR_CHECK(x.shape(1) == features,
                "{}: X has {} features (shape {}), but the model was fitted on {}", where,
                x.shape(1), x.shape(), features);
}

Standardization standardization(const Matrix& x, bool center) {
  Standardization s;
  s.mean.assign(static_cast<size_t>(x.cols), 0.0);
  s.scale.assign(static_cast<size_t>(x.cols), 1.0);
  const auto n = static_cast<double>(x.rows);
  for (int64_t j = 0; j < x.cols; ++j) {
    double mean = 0;
    if (center) {
      for (int64_t i = 0; i < x.rows; ++i) mean += x(i, j);
      mean /= n;
    }
    double sq = 0;
    for (int64_t i = 0; i < x.rows; ++i) sq += (x(i, j) - mean) * (x(i, j) - mean);
    const double scale = std::sqrt(sq / n);
    s.mean[static_cast<size_t>(j)] = mean;
    // A column that is constant up to rounding stays unscaled rather than blown up.
    s.scale[static_cast<size_t>(j)] = scale > 1e-12 * std::max(1.0, std::abs(mean)) ? scale : 1.0;
  }
  return s;
}

Tensor standardize(const Matrix& x, const Standardization& s) {
  Matrix z = x;
  for (int64_t i = 0; i < x.rows; ++i) {
    for (int64_t j = 0; j < x.cols; ++j) {
      z(i, j) = (x(i, j) - s.mean[static_cast<size_t>(j)]) / s.scale[static_cast<size_t>(j)];
    }
  }
  return to_tensor(z);
}

Matrix linear_predict(const Matrix& x, const std::vector<double>& coef,
                      const std::vector<double>& intercept) {
  const auto k = static_cast<int64_t>(intercept.size());
  Matrix out(x.rows, k);
  for (int64_t i = 0; i < x.rows; ++i) {
    for (int64_t r = 0; r < k; ++r) {
      double v = intercept[static_cast<size_t>(r)];
      for (int64_t j = 0; j < x.cols; ++j) v += x(i, j) * coef[static_cast<size_t>(r * x.cols + j)];
      out(i, r) = v;
    }
  }
  return out;
}

Tensor to_tensor(const Matrix& m) { return Tensor::from(m.data, Shape{m.rows, m.cols}, kFloat64); }

void check_settings(const GradientSettings& s, const std::string& where) {
  ATHANOR_CHECK(s.lr >= 0 && std::isfinite(s.lr),
                "{}: lr must be >= 0 (0 chooses a step size), got {}", where, s.lr);
  ATHANOR_CHECK(s.max_iter >= 1, "{}: max_iter must be >= 1, got {}", where, s.max_iter);
  ATHANOR_CHECK(s.tol >= 0, "{}: tol must be >= 0, got {}", where, s.tol);
  ATHANOR_CHECK(s.n_iter_no_change >= 1, "{}: n_iter_no_change must be >= 1, got {}", where,
                s.n_iter_no_change);
  ATHANOR_CHECK(s.batch_size >= 1, "{}: batch_size must be >= 1, got {}", where, s.batch_size);
  ATHANOR_CHECK(s.momentum >= 0 && s.momentum < 1, "{}: momentum must be in [0, 1), got {}", where,
                s.momentum);
  ATHANOR_CHECK(!s.nesterov || s.momentum > 0, "{}: nesterov needs momentum > 0, got momentum {}",
                where, s.momentum);
}

GradientResult fit_by_gradient(const GradientProblem& p, const GradientSettings& s) {
  EnableGrad enable_grad;
  const int64_t n = p.features.shape(0);
  const int64_t d = p.features.shape(1);
  const bool adam = s.solver == LinearSolver::kAdam;
  double lr = s.lr;
  if (lr == 0) {
    const double curvature = p.curvature_factor * largest_curvature(p.features, p.fit_intercept) +
                             p.l2 * max_abs(p.inv_scale) * max_abs(p.inv_scale);
    lr = adam ? 0.01 : (s.solver == LinearSolver::kGD ? 1.0 : 0.5) / std::max(curvature, 1e-12);
  }

  Tensor w = zeros({p.outputs, d}, kFloat64);
  w.set_requires_grad();
  std::vector<Tensor> params{w};
  Tensor b;
  if (p.fit_intercept) {
    b = zeros({p.outputs}, kFloat64);
    b.set_requires_grad();
    params.push_back(b);
  }
  const bool prox = p.l1 > 0 && !adam;
  const bool full_batch = s.solver == LinearSolver::kGD || s.batch_size >= n;
  // Heavy-ball momentum does not combine with a proximal step; FISTA's extrapolation does.
  const bool fista = prox && full_batch && s.momentum > 0;
  std::unique_ptr<optim::Optimizer> opt;
  if (adam) {
    opt = std::make_unique<optim::Adam>(params, optim::AdamOptions{.lr = lr});
  } else if (fista) {
    opt = std::make_unique<optim::SGD>(params, optim::SGDOptions{.lr = lr});
  } else {
    opt = std::make_unique<optim::SGD>(
        params, optim::SGDOptions{.lr = lr, .momentum = s.momentum, .nesterov = s.nesterov});
  }
  // The L1 part by a proximal step: argmin_u (u - v)^2 / (2 lr) + l1 |u| inv_scale_j, for v the
  // gradient step's result, is soft-thresholding of v at lr * l1 * inv_scale_j (the penalty is on
  // the original coefficient w_j * inv_scale_j).
  const Tensor threshold = prox ? p.inv_scale * (lr * p.l1) : Tensor();

  int64_t iteration = 0;
  // One update on a batch; returns the batch objective before it.
  auto step = [&](const Tensor& z, const Tensor& t) {
    opt->zero_grad();
    Tensor out = matmul(z, w.t());
    if (b.defined()) out = out + b;
    Tensor objective = p.loss(out, t);
    if (p.l2 > 0) objective = objective + (0.5 * p.l2) * sum(square(w * p.inv_scale));
    if (p.l1 > 0 && !prox) objective = objective + p.l1 * sum(abs(w * p.inv_scale));
    const double value = objective.item();
    ATHANOR_CHECK(std::isfinite(value),
                  "{}: the gradient solver diverged (objective {} at iteration {} with lr {}); "
                  "expected a smaller lr (or lr = 0 to choose one)",
                  p.where, value, iteration, lr);
    objective.backward();
    opt->step();
    if (prox) {
      NoGradGuard no_grad;
      w.copy_(sign(w) * relu(abs(w) - threshold));
    }
    return value;
  };

  GradientResult result;
  if (fista) {
    // FISTA (Beck & Teboulle, 2009): the proximal step is taken from the extrapolated point
    // y_k = x_k + (t_{k-1} - 1) / t_k (x_k - x_{k-1}), with t_k = (1 + sqrt(1 + 4 t_{k-1}^2)) / 2,
    // restarted (t = 1) whenever the step opposes the momentum, (y_k - x_{k+1}) . (x_{k+1} - x_k)
    // > 0 (O'Donoghue & Candes, 2015), which restores linear convergence. The parameters hold
    // y_k between iterations; the stopping measure is the gradient mapping |y_k - x_{k+1}| / lr.
    std::vector<Tensor> previous;  // x_k
    for (const Tensor& param : params) previous.push_back(param.detach().clone());
    double t = 1;
    double first = -1;
    for (iteration = 1; iteration <= s.max_iter; ++iteration) {
      std::vector<Tensor> y;
      for (const Tensor& param : params) y.push_back(param.detach().clone());
      step(p.features, p.targets);
      NoGradGuard no_grad;
      double measure = 0, direction = 0;
      std::vector<Tensor> x;
      for (size_t i = 0; i < params.size(); ++i) {
        x.push_back(params[i].detach().clone());
        measure = std::max(measure, max_abs(y[i] - x[i]) / lr);
        direction += sum((y[i] - x[i]) * (x[i] - previous[i])).item();
      }
      if (first < 0) first = measure;
      if (measure <= s.tol * first) {
        result.converged = true;
        break;
      }
      const double t_next = direction > 0 ? 1.0 : (1 + std::sqrt(1 + 4 * t * t)) / 2;
      const double beta = direction > 0 ? 0.0 : (t - 1) / t_next;
      for (size_t i = 0; i < params.size(); ++i) {
        Tensor(params[i]).copy_(x[i] + beta * (x[i] - previous[i]));
      }
      previous = std::move(x);
      t = t_next;
    }
    if (!result.converged) {
      for (size_t i = 0; i < params.size(); ++i) Tensor(params[i]).copy_(previous[i]);
    }
  } else if (full_batch) {
    // Full batch: stop on the size of the update direction, relative to the first one.
    double first = -1;
    for (iteration = 1; iteration <= s.max_iter; ++iteration) {
      Tensor w0, b0;
      if (!adam) {
        w0 = w.detach().clone();
        if (b.defined()) b0 = b.detach().clone();
      }
      step(p.features, p.targets);
      double measure = 0;
      if (adam) {
        for (const Tensor& param : params) measure = std::max(measure, max_abs(param.grad()));
      } else {
        NoGradGuard no_grad;
        measure = max_abs(w0 - w) / lr;
        if (b.defined()) measure = std::max(measure, max_abs(b0 - b) / lr);
      }
      if (first < 0) first = measure;
      if (measure <= s.tol * first) {
        result.converged = true;
        break;
      }
    }
  } else {
    // Mini-batches of a fresh permutation each epoch; stop when the epoch's mean objective stops
    // improving (scikit-learn's SGD rule, relative).
    Generator gen(s.seed);
    double best = std::numeric_limits<double>::infinity();
    int64_t stalled = 0;
    for (iteration = 1; iteration <= s.max_iter; ++iteration) {
      const Tensor order = randperm(n, &gen);
      double total = 0;
      int64_t batches = 0;
      for (int64_t start = 0; start < n; start += s.batch_size, ++batches) {
        const Tensor idx = order.narrow(0, start, std::min(s.batch_size, n - start));
        total += step(index_select(p.features, 0, idx), index_select(p.targets, 0, idx));
      }
      const double loss = total / static_cast<double>(batches);
      stalled = iteration > 1 && loss > best - s.tol * std::abs(best) ? stalled + 1 : 0;
      best = std::min(best, loss);
      if (s.tol > 0 && stalled >= s.n_iter_no_change) {
        result.converged = true;
        break;
      }
    }
  }
  result.n_iter = std::min(iteration, s.max_iter);
  result.weight = Matrix(p.outputs, d);
  result.weight.data = w.detach().to_vector<double>();
  result.bias.assign(static_cast<size_t>(p.outputs), 0.0);
  if (b.defined()) result.bias = b.detach().to_vector<double>();
  return result;
}

void unstandardize(const GradientResult& fit, const Standardization& s, std::vector<double>& coef,
                   std::vector<double>& intercept) {
  const int64_t k = fit.weight.rows;
  const int64_t d = fit.weight.cols;
  coef.assign(static_cast<size_t>(k * d), 0.0);
  intercept = fit.bias;
  for (int64_t r = 0; r < k; ++r) {
    for (int64_t j = 0; j < d; ++j) {
      const double c = fit.weight(r, j) / s.scale[static_cast<size_t>(j)];
      coef[static_cast<size_t>(r * d + j)] = c;
      intercept[static_cast<size_t>(r)] -= c * s.mean[static_cast<size_t>(j)];
    }
  }
}

}  // namespace athanor::models::detail
