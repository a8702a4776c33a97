// src/backend/cpu/channel_blocks.cpp: one sample's block of channels moved between oneDNN's
// channel-blocked layout and planes, 8 x 8 at a time in AVX2 registers.
#include "backend/cpu/channel_blocks.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace athanor::cpu {
namespace {

#if defined(__AVX2__)
// The 8 x 8 matrix of rows v[0..7] transposed in place: v[i][j] <- v[j][i].
void transpose8(__m256 v[8]) {
  __m256 t[8];
  for (int r = 0; r < 8; r += 2) {
    t[r] = _mm256_unpacklo_ps(v[r], v[r + 1]);      // per 128-bit half: r0 r'0 r1 r'1
    t[r + 1] = _mm256_unpackhi_ps(v[r], v[r + 1]);  // r2 r'2 r3 r'3
  }
  for (int q = 0; q < 8; q += 4) {
    for (int h = 0; h < 2; ++h) {
      v[q + 2 * h] = _mm256_shuffle_ps(t[q + h], t[q + 2 + h], _MM_SHUFFLE(1, 0, 1, 0));
      v[q + 2 * h + 1] = _mm256_shuffle_ps(t[q + h], t[q + 2 + h], _MM_SHUFFLE(3, 2, 3, 2));
    }
  }
  // v[0..3]: columns (0, 4), (1, 5), (2, 6), (3, 7) of rows 0-3 in the two halves; v[4..7] the
  // same of rows 4-7.
  for (int c = 0; c < 4; ++c) {
    t[c] = _mm256_permute2f128_ps(v[c], v[c + 4], 0x20);
    t[c + 4] = _mm256_permute2f128_ps(v[c], v[c + 4], 0x31);
  }
  for (int c = 0; c < 8; ++c) v[c] = t[c];
}
#endif

}  // namespace

// One sample's block of B channels, [plane][B] -> `channels` planes [channels][plane].
void unblock_channels(const float* src, int64_t B, int64_t channels, int64_t plane, float* planes) {
  int64_t at = 0;
#if defined(__AVX2__)
  if (B == 8) {  // 8 pixels x 8 channels at a time
    for (; at + 8 <= plane; at += 8) {
      __m256 v[8];
      for (int p = 0; p < 8; ++p) v[p] = _mm256_loadu_ps(src + (at + p) * 8);
      transpose8(v);
      for (int c = 0; c < channels; ++c) _mm256_storeu_ps(planes + c * plane + at, v[c]);
    }
  }
#endif
  for (; at < plane; ++at) {
    for (int64_t c = 0; c < channels; ++c) planes[c * plane + at] = src[at * B + c];
  }
}

// The inverse: `channels` planes [channels][plane] -> [plane][B], the B - channels padding
// channels zero.
void block_channels(const float* planes, int64_t B, int64_t channels, int64_t plane, float* dst) {
  int64_t at = 0;
#if defined(__AVX2__)
  if (B == 8) {
    for (; at + 8 <= plane; at += 8) {
      __m256 v[8];
      for (int c = 0; c < 8; ++c) {
        v[c] = c < channels ? _mm256_loadu_ps(planes + c * plane + at) : _mm256_setzero_ps();
      }
      transpose8(v);
      for (int p = 0; p < 8; ++p) _mm256_storeu_ps(dst + (at + p) * 8, v[p]);
    }
  }
#endif
  for (; at < plane; ++at) {
    for (int64_t c = 0; c < channels; ++c) dst[at * B + c] = planes[c * plane + at];
    for (int64_t c = channels; c < B; ++c) dst[at * B + c] = 0.0f;
  }
}

}  // namespace athanor::cpu
