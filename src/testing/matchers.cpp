// src/testing/matchers.cpp: tensor comparisons for tests.
#include "testing/matchers.h"

#include <cmath>

namespace athanor::testing {

::testing::AssertionResult tensors_near(const Tensor& actual, const Tensor& expected, double tol) {
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure() << "shapes differ: actual " << to_string(actual.shape())
                                         << ", expected " << to_string(expected.shape());
  }
  const auto a = actual.to_vector<double>();
  const auto e = expected.to_vector<double>();
  double worst = 0;
  size_t at = 0;
  bool bad = false;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool both_nan = std::isnan(a[i]) && std::isnan(e[i]);
    const bool same_inf = std::isinf(a[i]) && a[i] == e[i];
    if (both_nan || same_inf) continue;
    const double d = std::fabs(a[i] - e[i]);
    if (!(d <= tol) && (!bad || d > worst || std::isnan(d))) {
      bad = true;
      worst = d;
      at = i;
    }
  }
  if (!bad) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "element " << at << " differs by " << worst << " (tolerance " << tol << "): actual "
         << a[at] << ", expected " << e[at] << "\nactual:   " << to_string(actual)
         << "\nexpected: " << to_string(expected);
}

::testing::AssertionResult tensors_equal(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure() << "dtypes differ: actual " << name(actual.dtype())
                                         << ", expected " << name(expected.dtype());
  }
  return tensors_near(actual, expected, 0.0);
}

}  // namespace athanor::testing
