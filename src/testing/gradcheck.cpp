// src/testing/gradcheck.cpp: finite-difference gradient checks.
#include "testing/gradcheck.h"

#include <cmath>

#include <gtest/gtest.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/random.h>
#include <athanor/ops/shape.h>

#include "testing/coverage.h"

namespace athanor::testing {
namespace {

std::string index_string(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[static_cast<size_t>(d)] = flat % shape[d];
    flat /= shape[d];
  }
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

}  // namespace

GradcheckResult gradcheck(const MultiInputFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& o) {
  return gradcheck(f, inputs, {}, o);
}

GradcheckResult gradcheck(const MultiInputFn& f_inputs, const std::vector<Tensor>& inputs,
                          const std::vector<Tensor>& parameters, const GradcheckOptions& o) {
  GradcheckResult result;
  std::vector<Tensor> leaves;
  for (const Tensor& p : parameters) {
    if (p.dtype() != kFloat64 || !p.is_contiguous() || !p.is_leaf() || !p.requires_grad()) {
      return {false, 0,
              fmt::format("gradcheck: parameters must be contiguous float64 leaves requiring "
                          "grad, got {} {}",
                          p.dtype(), p.shape())};
    }
  }
  // The function sees the inputs only; the parameters (the trailing leaves) are used by it
  // directly and perturbed in place.
  const size_t n_inputs = inputs.size();
  const auto f = [&](const std::vector<Tensor>& all) {
    return f_inputs(std::vector<Tensor>(all.begin(), all.begin() + static_cast<long>(n_inputs)));
  };
  for (const Tensor& in : inputs) {
    Tensor leaf = in.contiguous().clone().detach();
    if (leaf.is_floating_point()) {
      if (leaf.dtype() != kFloat64) {
        return {false, 0, fmt::format("gradcheck: inputs must be float64, got {}", leaf.dtype())};
      }
      leaf.set_requires_grad(true);
    }
    leaves.push_back(leaf);
  }
  for (const Tensor& p : parameters) leaves.push_back(p);
  const Tensor y = f(leaves);
  if (!y.requires_grad()) return {false, 0, "gradcheck: the output does not require grad"};
  if (y.dtype() != kFloat64) {
    return {false, 0, fmt::format("gradcheck: the output is {}, expected float64", y.dtype())};
  }
  note_gradchecked(y);
  const int64_t n_out = y.numel();

  // Analytical rows: one backward per output element.
  std::vector<std::vector<double>> analytical(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    analytical[i].assign(static_cast<size_t>(leaves[i].numel() * n_out), 0.0);
  }
  for (int64_t k = 0; k < n_out; ++k) {
    for (Tensor& leaf : leaves) leaf.set_grad(Tensor());
    Tensor dy = zeros(y.shape(), kFloat64);
    dy.as_strided(Shape{1}, Shape{1}, k).fill_(1.0);
    y.backward(dy, /*retain_graph=*/true);
    for (size_t i = 0; i < leaves.size(); ++i) {
      const Tensor g = leaves[i].grad();
      if (!g.defined()) continue;
      const auto values = g.to_vector<double>();
      for (size_t j = 0; j < values.size(); ++j) {
        analytical[i][j * static_cast<size_t>(n_out) + static_cast<size_t>(k)] = values[j];
      }
    }
  }

  // Numerical columns: central differences per input element.
  NoGradGuard no_grad;
  for (size_t i = 0; i < leaves.size(); ++i) {
    Tensor& leaf = leaves[i];
    if (!leaf.is_floating_point()) continue;
    double* data = leaf.data_ptr<double>();
    for (int64_t j = 0; j < leaf.numel(); ++j) {
      const double saved = data[j];
      data[j] = saved + o.eps;
      const auto plus = f(leaves).to_vector<double>();
      data[j] = saved - o.eps;
      const auto minus = f(leaves).to_vector<double>();
      data[j] = saved;
      for (int64_t k = 0; k < n_out; ++k) {
        const double numerical =
            (plus[static_cast<size_t>(k)] - minus[static_cast<size_t>(k)]) / (2 * o.eps);
        const double a = analytical[i][static_cast<size_t>(j * n_out + k)];
        const double excess = std::fabs(a - numerical) - o.rtol * std::fabs(numerical);
        const bool bad = !(excess <= o.atol);  // also catches NaN
        if (bad && (result.ok || excess > result.worst_error || std::isnan(excess))) {
          result.ok = false;
          result.worst_error = excess;
          result.message = fmt::format(
              "gradient mismatch for input {} (shape {}) element {} and output element {}: "
              "backward gives {:.10g}, finite differences {:.10g}",
              i, leaf.shape(), index_string(leaf.shape(), j), index_string(y.shape(), k), a,
              numerical);
        } else if (result.ok) {
          result.worst_error = std::max(result.worst_error, excess);
        }
      }
    }
  }
  return result;
}

void expect_gradients_match_finite_differences(const MultiInputFn& f,
                                               const std::vector<Tensor>& inputs,
                                               const GradcheckOptions& options) {
  const GradcheckResult r = gradcheck(f, inputs, options);
  EXPECT_TRUE(r.ok) << r.message;
}

void expect_gradients_match_finite_differences(const MultiInputFn& f,
                                               const std::vector<Tensor>& inputs,
                                               const std::vector<Tensor>& parameters,
                                               const GradcheckOptions& options) {
  const GradcheckResult r = gradcheck(f, inputs, parameters, options);
  EXPECT_TRUE(r.ok) << r.message;
}

void expect_gradients_match_finite_differences(const std::function<Tensor(const Tensor&)>& f,
                                               const std::vector<Tensor>& inputs,
                                               const GradcheckOptions& options) {
  expect_gradients_match_finite_differences(
      [&f](const std::vector<Tensor>& xs) { return f(xs.at(0)); }, inputs, options);
}

Tensor random_normal(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  return randn(shape, kFloat64, &gen);
}

Tensor random_uniform(const Shape& shape, double low, double high, uint64_t seed) {
  Generator gen(seed);
  return uniform(shape, low, high, kFloat64, &gen);
}

}  // namespace athanor::testing
