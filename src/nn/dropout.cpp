// src/nn/dropout.cpp: Dropout.
#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/nn/dropout.h>
#include <athanor/ops/dropout.h>

namespace athanor::nn {

Dropout::Dropout(double p, std::optional<uint64_t> seed) : p_(p) {
  ATHANOR_CHECK(p >= 0.0 && p <= 1.0, "Dropout: p must be in [0, 1], got {}", p);
  if (seed) generator_.emplace(*seed);
}

Tensor Dropout::forward(const Tensor& x) {
  return dropout(x, p_, is_training(), generator_ ? &*generator_ : nullptr);
}

std::string Dropout::extra_repr() const { return fmt::format("p={}, inplace=False", p_); }

}  // namespace athanor::nn
