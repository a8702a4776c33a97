// src/backend/cpu/avx2_lanes.h: lane helpers shared by the AVX2 kernels: the mask of a vector's
// first n lanes (a row's short last vector) and a vector's lane sum in a fixed order.
#pragma once

#if defined(__AVX2__)
#include <cstdint>

#include <immintrin.h>

namespace athanor::cpu {

/// Lanes [0, n) set, n in [0, 8]: for masked loads of a row's last, short vector.
inline __m256i first_lanes(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/// The sum of v's lanes as ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)), always in that order.
inline float lane_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace athanor::cpu

#endif
