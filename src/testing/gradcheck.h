// src/testing/gradcheck.h: whole-Jacobian finite-difference checks of backward, for tests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor::testing {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double rtol = 1e-5;  // |analytical - numerical| <= atol + rtol * |numerical|
  double atol = 1e-8;
};

struct GradcheckResult {
  bool ok = true;
  double worst_error = 0;  // largest |analytical - numerical| - rtol * |numerical|
  std::string message;     // the worst element, or why the check could not run
};

using MultiInputFn = std::function<Tensor(const std::vector<Tensor>&)>;

/// Compares, for every floating input and every output element, the Jacobian row from backward
/// (one-hot output gradients) with central differences of `f`. Inputs must be float64; integer
/// inputs (indices) are passed through unperturbed.
GradcheckResult gradcheck(const MultiInputFn& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

/// As above, and also the gradients of `parameters`: float64 leaves that f uses directly (a
/// module's weights), perturbed in place and restored; f receives the inputs only.
GradcheckResult gradcheck(const MultiInputFn& f, const std::vector<Tensor>& inputs,
                          const std::vector<Tensor>& parameters,
                          const GradcheckOptions& options = {});

/// gtest assertion: EXPECT that gradcheck passes, printing the worst element otherwise.
void expect_gradients_match_finite_differences(const MultiInputFn& f,
                                               const std::vector<Tensor>& inputs,
                                               const GradcheckOptions& options = {});
void expect_gradients_match_finite_differences(const MultiInputFn& f,
                                               const std::vector<Tensor>& inputs,
                                               const std::vector<Tensor>& parameters,
                                               const GradcheckOptions& options = {});
void expect_gradients_match_finite_differences(const std::function<Tensor(const Tensor&)>& f,
                                               const std::vector<Tensor>& inputs,
                                               const GradcheckOptions& options = {});

/// Normal random float64 values for gradient checks (fixed seed per call site).
Tensor random_normal(const Shape& shape, uint64_t seed = 1);
/// Uniform random float64 values in [low, high).
Tensor random_uniform(const Shape& shape, double low, double high, uint64_t seed = 1);

}  // namespace athanor::testing
