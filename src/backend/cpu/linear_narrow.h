// src/backend/cpu/linear_narrow.h: a float32 linear layer with few output features (a classifier's
// last layer, softmax regression) as AVX2 loops, forward and backward, where oneDNN's products
// run at a third of the core's peak or less.
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

/// Whether linear_narrow_backward takes this backward: float32 operands with contiguous rows, at
/// least one row, 1 to kNarrowMostOutputs outputs (dy's columns) and K >= 1, a build with AVX2 and
/// FMA. x is read only for dw.
bool linear_narrow_backward_applies(const View& x, const View& w, const View& dy, const View* dx,
                                    const View* dw);

/// dx [M, K] = dy [M, N] w [N, K] and dw [N, K] = dy^T x [M, K], each where not null. Each
/// element is one chain of fused multiply-adds from zero, over j (dx) or i (dw) in increasing
/// order: results do not depend on the thread count.
void linear_narrow_backward(const View& x, const View& w, const View& dy, const View* dx,
                            const View* dw);

}  // namespace athanor::cpu
