// src/backend/cpu/linear_wide.h: a float32 linear layer of more than 16 outputs as AVX-512 dot
// products, each thread on the rows of w that the optimizer's chunk of the same index updates.
#pragma once

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// The inputs per row linear_wide takes. With fewer than kWideLeastK, reducing each sum across
/// its lanes costs more than oneDNN's packing (64 x 128 x 512 ran at 0.78 of oneDNN's speed); up
/// to kWideMostK, a tile's 6 rows of w fit in the L1 cache.
inline constexpr int64_t kWideLeastK = 256;
inline constexpr int64_t kWideMostK = 1024;
/// Rows up to which linear_wide takes a product (a training batch): x is read again for each
/// group of 6 columns, from the L2 cache. 256 x 512 x 512 ran at 0.88 of oneDNN's speed.
inline constexpr int64_t kWideMostRows = 128;

/// Whether linear_wide takes this product: float32, up to kWideMostRows rows, more than
/// kNarrowMostOutputs outputs, kWideLeastK to kWideMostK inputs, x's, w's and out's rows
/// contiguous, a build with AVX-512.
bool linear_wide_applies(const View& x, const View& w, const View& out);

/// The contract of cpu::linear where linear_wide_applies, then with `relu` max(y, 0) in place (NaN
/// passes). Each output is summed by one thread in a fixed order: results depend neither on the
/// thread count nor on the other rows and columns. Thread t of T computes columns [N t / T,
/// N (t + 1) / T).
void linear_wide(const View& x, const View& w, const View* bias, const View& out, bool relu);

}  // namespace athanor::cpu
