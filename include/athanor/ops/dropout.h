// include/athanor/ops/dropout.h: inverted dropout.
#pragma once

#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>

namespace athanor {

/// Inverted dropout: zeros each element with probability p and scales the rest by 1 / (1 - p) when
/// training; identity otherwise. gen == nullptr uses default_generator().
/// y = x * mask / (1 - p) with mask ~ Bernoulli(1 - p) of x's shape, so dx = dy * mask / (1 - p).
/// p == 0, eval mode or an empty x return x itself and draw nothing; p == 1 gives zeros (gradient
/// 0). p outside [0, 1] is an error.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);

}  // namespace athanor
