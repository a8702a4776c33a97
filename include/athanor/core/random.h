// include/athanor/core/random.h: the Philox4x32-10 generator and the random fills built on it.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace athanor {

/// The state of a Generator, for checkpoints: seed and the number of 128-bit counters consumed.
struct GeneratorState {
  uint64_t seed = 0;
  uint64_t offset = 0;
};

/// Philox4x32-10 counter-based generator (Salmon et al., 2011, "Parallel random numbers: as easy
/// as 1, 2, 3"). Block j of a generator seeded with s is philox4x32(s, j, 0): four 32-bit words
/// that depend only on (s, j). A draw reserves consecutive blocks, so successive draws never
/// overlap and each element is a pure function of (seed, block, lane), whatever the thread count.
/// A Generator is a plain value (copy it to fork a stream) and is not synchronised: give each
/// thread its own, or guard a shared one.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  /// Restarts the stream: sets the seed and resets the offset to 0.
  void manual_seed(uint64_t seed);
  uint64_t seed() const;

  GeneratorState state() const;
  /// Resumes exactly where state() was taken.
  void set_state(GeneratorState s);

  /// Reserves `n` consecutive 128-bit counters for one draw and returns the first (advances
  /// offset). Throws athanor::Error if the 64-bit offset would wrap.
  uint64_t reserve(uint64_t n);

 private:
  uint64_t seed_ = 0;
  uint64_t offset_ = 0;
};

/// The process-wide generator used when none is given; seeded with 0 unless manual_seed is called.
/// Not synchronised, like every Generator.
Generator& default_generator();

/// Seeds the default generator (and resets its offset to 0).
void manual_seed(uint64_t seed);

/// One Philox4x32-10 block: four 32-bit random words for (key, counter). The 128-bit counter is
/// {counter_lo, counter_hi} with 32-bit words in little-endian order (word 0 = low half of
/// counter_lo, word 3 = high half of counter_hi); key word 0 = low half of `key`, word 1 = high.
std::array<uint32_t, 4> philox4x32(uint64_t key, uint64_t counter_lo, uint64_t counter_hi = 0);

// Fills over raw buffers (the tensor layer calls these). Each validates its arguments, then
// reserves ceil(n / k) blocks from `gen` (k elements per block, given below; nothing for n == 0)
// and sets element i from block first + i / k. Work is split with parallel_for but the output never
// depends on the thread count. Since a draw of n elements with n % k == 0 uses every word it
// reserves, draws of a then b elements (a % k == 0) equal one draw of a + b split in two.
// A failed check throws athanor::Error and leaves `gen` untouched.

/// Uniform on [low, high); k = 4: element i is word i % 4, u = (w >> 8) * 2^-24 in [0, 1 - 2^-24].
/// low + (high - low) * u is rounded to float32 and clamped into [low, high), since rounding may
/// otherwise reach `high`. Requires low < high, a finite range, and some float32 in [low, high).
void fill_uniform(Generator& gen, float* out, int64_t n, double low, double high);
/// Uniform on [low, high); k = 2: element i takes words 2(i % 2) (low half) and 2(i % 2) + 1
/// (high half) of its block as one 64-bit x, u = (x >> 11) * 2^-53 in [0, 1 - 2^-53], then as
/// above.
void fill_uniform(Generator& gen, double* out, int64_t n, double low, double high);

/// Normal(mean, stddev^2) by Box-Muller; k = 4: words (0, 1) and (2, 3) of a block form two pairs
/// (u1 in (0, 1] from the first word, u2 in [0, 1) from the second, 24 bits each) giving
/// r = sqrt(-2 ln u1): lane 0 = r cos(2 pi u2), lane 1 = r sin(2 pi u2), lanes 2, 3 likewise.
/// 24-bit u1 truncates the tails at |z| <= 5.77. Requires stddev >= 0 (0 fills with mean).
void fill_normal(Generator& gen, float* out, int64_t n, double mean, double stddev);
/// As for float32 with 53-bit uniforms (each from two words, as in fill_uniform), so k = 2: one
/// pair per block, lane 0 = r cos, lane 1 = r sin. Tails reach |z| <= 8.57.
void fill_normal(Generator& gen, double* out, int64_t n, double mean, double stddev);

/// 1 with probability p, else 0; k = 4: element i is 1 iff word i % 4 < floor(p * 2^32), so the
/// probability is p to within 2^-32 (exactly 0 for p = 0 and 1 for p = 1). Requires p in [0, 1].
void fill_bernoulli(Generator& gen, float* out, int64_t n, double p);
void fill_bernoulli(Generator& gen, double* out, int64_t n, double p);
/// As above with 0/1 bytes; also used for bool masks.
void fill_bernoulli(Generator& gen, uint8_t* out, int64_t n, double p);

/// Integers uniform on [low, high); k = 2: element i takes a 64-bit x from two words (as in the
/// float64 fill_uniform) and returns low + floor(x * (high - low) / 2^64) (Lemire's multiply-high,
/// no rejection, so the output is a fixed function of the block). Any low < high works; a value's
/// probability is off by less than (high - low) * 2^-64 relative, negligible below 2^32 or so.
void fill_randint(Generator& gen, int64_t* out, int64_t n, int64_t low, int64_t high);

/// A uniformly random permutation of 0..n-1 (Fisher-Yates driven by the generator). Step t, for
/// t = 0 .. n-2, swaps position j = n-1-t with position floor(x_t * (j + 1) / 2^64), x_t being the
/// 64-bit value t in the fill_randint layout; it reserves floor(n / 2) blocks. Requires n >= 0.
std::vector<int64_t> randperm(Generator& gen, int64_t n);

}  // namespace athanor
