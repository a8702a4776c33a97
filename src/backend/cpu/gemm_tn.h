// src/backend/cpu/gemm_tn.h: a float32 matrix product whose operands are both stored k-major,
// out = a^T b with a^T [K, M] and b [K, N] row-major: the recurrent layers' weight gradients
// (dgates^T h_prev over every step's rows), where oneDNN ran at half the core's peak.
#pragma once

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// Whether gemm_tn takes out [M, N] = a [M, K] @ b [K, N]: float32, a's rows adjacent in memory
/// (a.strides[0] == 1, a transposed view of a k-major matrix), b's and out's rows contiguous
/// (unit column stride), a build with AVX2 and FMA.
bool gemm_tn_applies(const View& a, const View& b, const View& out);

/// out = a @ b where gemm_tn_applies. Each element is a[i][0] b[0][j] + ... + a[i][K-1] b[K-1][j]
/// in fused multiply-adds, in that order: results depend neither on the thread count nor on the
/// other rows. With row_sums (float32 [M]), also row_sums[i] = a[i][0] + ... + a[i][K-1], added
/// in that order in double from 0, from the reads that pack a (a layer's bias gradient, the
/// column sums of the dgates^T it multiplies, for the cost of the adds alone).
void gemm_tn(const View& a, const View& b, const View& out, const View* row_sums = nullptr);

}  // namespace athanor::cpu
