// src/ops/dropout.cpp: inverted dropout, one node whose gradient reuses the forward's mask.
#include <athanor/autograd/node.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/dropout.h>

#include "ops/op_utils.h"

namespace athanor {

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  ATHANOR_CHECK(p >= 0 && p <= 1, "dropout: expected a probability p in [0, 1], got {}", p);
  ops::check_floating("dropout", x);
  // As PyTorch: nothing to drop, so x itself, and the generator is left untouched.
  if (!training || p == 0 || x.numel() == 0) return x;
  // mask = Bernoulli(1 - p) / (1 - p), divided as PyTorch does (in x's dtype), so kept values equal
  // PyTorch's for the same mask. p == 1 keeps nothing; the division would give 0 / 0.
  Tensor mask = bernoulli(x.shape(), 1.0 - p, x.dtype(), gen);
  if (p < 1) mask = mask / (1.0 - p);
  Tensor y = x.detach() * mask;
  // y = x * mask, so dx = dy * mask.
  return with_backward("dropout", y, {x}, [mask](const Tensor& dy) { return Grads{dy * mask}; });
}

}  // namespace athanor
