// src/nn/regularization.cpp: L1 and L2 parameter penalties, as compositions of ops.
#include <athanor/core/error.h>
#include <athanor/nn/regularization.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

namespace athanor::nn {
namespace {

// sum_i sum(term(params[i])): each parameter reduced on its own (accumulated in double by the
// reduce kernel), then the scalars added in list order, so the result is deterministic.
template <typename Term>
Tensor penalty(const char* op, const std::vector<Tensor>& params, Term term) {
  Tensor total;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    ATHANOR_CHECK(p.defined(), "{}: parameter {} is undefined", op, i);
    ATHANOR_CHECK(p.is_floating_point(),
                  "{}: parameter {} (shape {}) is {}; expected a floating-point tensor", op, i,
                  p.shape(), p.dtype());
    const Tensor s = sum(term(p));
    total = total.defined() ? total + s : s;
  }
  return total.defined() ? total : scalar_tensor(0.0);
}

}  // namespace

Tensor l1_penalty(const std::vector<Tensor>& params) {
  return penalty("l1_penalty", params, [](const Tensor& p) { return abs(p); });
}

Tensor l2_penalty(const std::vector<Tensor>& params) {
  return penalty("l2_penalty", params, [](const Tensor& p) { return square(p); });
}

}  // namespace athanor::nn
