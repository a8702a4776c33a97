// src/backend/cpu/channel_blocks.h: one sample's block of B channels moved between oneDNN's
// channel-blocked layouts (nChw8c, nChw16c: [plane][B]) and planes ([channel][plane]), for kernels
// that work on a convolution's output or gradient a plane at a time in the L1 cache.
#pragma once

#include <cstdint>

namespace athanor::cpu {

/// [plane][B] -> the first `channels` planes [channels][plane] (channels <= B).
void unblock_channels(const float* src, int64_t B, int64_t channels, int64_t plane, float* planes);

/// `channels` planes [channels][plane] -> [plane][B], the B - channels padding channels zero.
void block_channels(const float* planes, int64_t B, int64_t channels, int64_t plane, float* dst);

}  // namespace athanor::cpu
