// src/backend/cpu/linear_narrow.h: a float32 linear layer with few output features (a classifier's
// last layer, softmax regression) as AVX2 dot products, where oneDNN's product runs at a third of
// the core's peak.
#pragma once

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// Whether linear_narrow takes this product: float32, 1 to kNarrowMostOutputs outputs, x's and
/// w's rows contiguous, a build with AVX2 and FMA.
bool linear_narrow_applies(const View& x, const View& w, const View& out);

inline constexpr int64_t kNarrowMostOutputs = 16;

/// The contract of cpu::linear where linear_narrow_applies: out [M, N] = x [M, K] w [N, K]^T
/// (+ bias [N]). Each output is summed by one thread in a fixed order: results do not depend on
/// the thread count.
void linear_narrow(const View& x, const View& w, const View* bias, const View& out);

}  // namespace athanor::cpu
