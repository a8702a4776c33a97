// src/testing/sequence.h: deterministic, irregular test data for kernel tests, sin(a i + b).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace athanor::testing {

/// n values sin(a i + b), i = 0 .. n - 1, in T: no two neighbours alike, none outside [-1, 1].
template <typename T = float>
std::vector<T> sin_sequence(int64_t n, double a, double b) {
  std::vector<T> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(std::sin(a * double(i) + b));
  return v;
}

}  // namespace athanor::testing
