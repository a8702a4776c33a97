// src/backend/cpu/panel_gemm.h: a matrix product whose right operand is packed once and reused,
// for the recurrent layers' per-step products (h_{t-1} W_hh^T, 28 times per batch against one
// W_hh), where oneDNN packs the same matrix again on every call.
#pragma once

#include <cstdint>

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// Columns per panel of a packed matrix.
inline constexpr int64_t kPanelCols = 16;

/// Elements of b [K, N] packed: K rows of each 16-column panel, the last panel zero-padded.
inline int64_t packed_size(int64_t K, int64_t N) {
  return K * ((N + kPanelCols - 1) / kPanelCols * kPanelCols);
}

/// Writes b [K, N] (a 2-D float32 or float64 view, any strides) into `packed`, packed_size(K, N)
/// elements of b's dtype: panel p holds b[k][16 p .. 16 p + 16) for k = 0 .. K - 1.
void pack_panels(const View& b, void* packed);

/// out [M, N] (dense rows) = a [M, K] (unit column stride) @ b, from its packed panels. Each
/// element is a[i][0] b[0][j] + ... + a[i][K-1] b[K-1][j] in fused multiply-adds, in that
/// order: a row's result depends neither on the other rows nor on the thread count.
void panel_gemm(const View& a, const void* packed, const View& out);

}  // namespace athanor::cpu
