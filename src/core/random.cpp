// src/core/random.cpp: Philox4x32-10, the Generator and the parallel random fills.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>

namespace athanor {
namespace {

// Philox4x32 constants (Salmon et al., 2011): round multipliers and Weyl key increments.
constexpr uint32_t kPhiloxM0 = 0xD2511F53;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9;
constexpr uint32_t kPhiloxW1 = 0xBB67AE85;
constexpr int kPhiloxRounds = 10;

// Elements per parallel_for chunk: large enough to amortise a thread wake-up.
constexpr int64_t kGrain = 16384;

using Block = std::array<uint32_t, 4>;

// The high 64 bits of the 128-bit product a * b, from 32-bit halves (portable, no __int128).
uint64_t mul_high(uint64_t a, uint64_t b) {
  const uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
  // At most 3 * (2^32 - 1) + (2^32 - 1)^2 < 2^64: the carries cannot overflow.
  const uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + lo_hi;
  return a_hi * b_hi + (hi_lo >> 32) + (cross >> 32);
}

uint64_t word64(const Block& w, int pair) {
  return static_cast<uint64_t>(w[2 * pair]) | static_cast<uint64_t>(w[2 * pair + 1]) << 32;
}

// [0, 1 - 2^-24] from the top 24 bits of a word: exact in float32.
double unit24(uint32_t w) { return static_cast<double>(w >> 8) * 0x1.0p-24; }
// (0, 1] from the same bits, for Box-Muller's log.
double unit24_open0(uint32_t w) { return static_cast<double>((w >> 8) + 1) * 0x1.0p-24; }
// [0, 1 - 2^-53] from the top 53 bits of a 64-bit value: exact in float64.
double unit53(uint64_t x) { return static_cast<double>(x >> 11) * 0x1.0p-53; }
double unit53_open0(uint64_t x) { return static_cast<double>((x >> 11) + 1) * 0x1.0p-53; }

// Reserves ceil(n / kPerBlock) blocks, then sets out[i] from block first + i / kPerBlock:
// make(words, values) turns one block into kPerBlock values and out[i] = values[i % kPerBlock]. A
// chunk may start or end mid-block; it recomputes that block, so the split never changes the
// output.
template <int kPerBlock, typename T, typename Make>
void fill_blocks(Generator& gen, T* out, int64_t n, const Make& make) {
  if (n == 0) return;
  ATHANOR_ASSERT(out != nullptr);
  const uint64_t key = gen.seed();
  const uint64_t first = gen.reserve(static_cast<uint64_t>((n + kPerBlock - 1) / kPerBlock));
  parallel_for(0, n, kGrain, [&](int64_t lo, int64_t hi) {
    std::array<T, kPerBlock> values;
    int64_t i = lo;
    while (i < hi) {
      const int64_t block = i / kPerBlock;
      make(philox4x32(key, first + static_cast<uint64_t>(block)), values);
      const int64_t end = std::min(hi, (block + 1) * kPerBlock);
      for (; i < end; ++i) out[i] = values[i - block * kPerBlock];
    }
  });
}

void check_count(const char* op, int64_t n) {
  ATHANOR_CHECK(n >= 0, "{}: expected n >= 0 elements, got {}", op, n);
}

// Maps u in [0, 1) to low + (high - low) * u in T, clamped into [low, high): the product, the sum
// and the conversion to T each round, and together they can land on `high` exactly.
template <typename T>
class UniformMap {
 public:
  UniformMap(double low, double high) : low_(low), scale_(high - low) {
    ATHANOR_CHECK(low < high, "fill_uniform: expected low < high, got low={} and high={}", low,
                  high);
    ATHANOR_CHECK(std::isfinite(low) && std::isfinite(high) && std::isfinite(scale_),
                  "fill_uniform: expected a finite range, got low={} and high={}", low, high);
    constexpr T kInf = std::numeric_limits<T>::infinity();
    min_ = static_cast<T>(low);
    if (min_ < low) min_ = std::nextafter(min_, kInf);
    max_ = static_cast<T>(high);
    if (max_ >= high) max_ = std::nextafter(max_, -kInf);
    ATHANOR_CHECK(min_ <= max_,
                  "fill_uniform: expected [low, high) to hold a {} value, got low={} and high={}",
                  sizeof(T) == 4 ? "float32" : "float64", low, high);
  }

  T operator()(double u) const { return std::clamp(static_cast<T>(low_ + scale_ * u), min_, max_); }

 private:
  double low_;
  double scale_;
  T min_;
  T max_;
};

template <typename T>
void fill_uniform_impl(Generator& gen, T* out, int64_t n, double low, double high) {
  check_count("fill_uniform", n);
  const UniformMap<T> map(low, high);
  if constexpr (sizeof(T) == 4) {
    fill_blocks<4>(gen, out, n, [&](const Block& w, std::array<T, 4>& v) {
      for (int lane = 0; lane < 4; ++lane) v[lane] = map(unit24(w[lane]));
    });
  } else {
    fill_blocks<2>(gen, out, n, [&](const Block& w, std::array<T, 2>& v) {
      for (int lane = 0; lane < 2; ++lane) v[lane] = map(unit53(word64(w, lane)));
    });
  }
}

void check_normal(int64_t n, double mean, double stddev) {
  check_count("fill_normal", n);
  ATHANOR_CHECK(std::isfinite(mean), "fill_normal: expected a finite mean, got {}", mean);
  ATHANOR_CHECK(stddev >= 0, "fill_normal: expected std >= 0, got {}", stddev);
  ATHANOR_CHECK(std::isfinite(stddev), "fill_normal: expected a finite std, got {}", stddev);
}

// Box-Muller: u1 in (0, 1], u2 in [0, 1) -> two independent standard normals r cos t, r sin t.
template <typename T>
void box_muller(double u1, double u2, double mean, double stddev, T* pair) {
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  pair[0] = static_cast<T>(mean + stddev * r * std::cos(theta));
  pair[1] = static_cast<T>(mean + stddev * r * std::sin(theta));
}

template <typename T>
void fill_bernoulli_impl(Generator& gen, T* out, int64_t n, double p) {
  check_count("fill_bernoulli", n);
  ATHANOR_CHECK(p >= 0 && p <= 1, "fill_bernoulli: expected a probability in [0, 1], got {}", p);
  // P(word < threshold) = threshold / 2^32; p * 2^32 is exact, so the error is the truncation.
  const auto threshold = static_cast<uint64_t>(p * 0x1.0p32);
  fill_blocks<4>(gen, out, n, [&](const Block& w, std::array<T, 4>& v) {
    for (int lane = 0; lane < 4; ++lane) v[lane] = w[lane] < threshold ? T{1} : T{0};
  });
}

}  // namespace

std::array<uint32_t, 4> philox4x32(uint64_t key, uint64_t counter_lo, uint64_t counter_hi) {
  Block c = {static_cast<uint32_t>(counter_lo), static_cast<uint32_t>(counter_lo >> 32),
             static_cast<uint32_t>(counter_hi), static_cast<uint32_t>(counter_hi >> 32)};
  uint32_t k0 = static_cast<uint32_t>(key);
  uint32_t k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < kPhiloxRounds; ++round) {
    if (round > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    const uint64_t p0 = static_cast<uint64_t>(kPhiloxM0) * c[0];
    const uint64_t p1 = static_cast<uint64_t>(kPhiloxM1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0, static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1, static_cast<uint32_t>(p0)};
  }
  return c;
}

Generator::Generator(uint64_t seed) : seed_(seed) {}

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() const { return seed_; }

GeneratorState Generator::state() const { return {seed_, offset_}; }

void Generator::set_state(GeneratorState s) {
  seed_ = s.seed;
  offset_ = s.offset;
}

uint64_t Generator::reserve(uint64_t n) {
  ATHANOR_CHECK(n <= std::numeric_limits<uint64_t>::max() - offset_,
                "Generator::reserve: {} counters requested at offset {}; expected at most 2^64 "
                "counters per seed (call manual_seed to start a new stream)",
                n, offset_);
  const uint64_t first = offset_;
  offset_ += n;
  return first;
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

void fill_uniform(Generator& gen, float* out, int64_t n, double low, double high) {
  fill_uniform_impl(gen, out, n, low, high);
}

void fill_uniform(Generator& gen, double* out, int64_t n, double low, double high) {
  fill_uniform_impl(gen, out, n, low, high);
}

void fill_normal(Generator& gen, float* out, int64_t n, double mean, double stddev) {
  check_normal(n, mean, stddev);
  fill_blocks<4>(gen, out, n, [&](const Block& w, std::array<float, 4>& v) {
    box_muller(unit24_open0(w[0]), unit24(w[1]), mean, stddev, &v[0]);
    box_muller(unit24_open0(w[2]), unit24(w[3]), mean, stddev, &v[2]);
  });
}

void fill_normal(Generator& gen, double* out, int64_t n, double mean, double stddev) {
  check_normal(n, mean, stddev);
  fill_blocks<2>(gen, out, n, [&](const Block& w, std::array<double, 2>& v) {
    box_muller(unit53_open0(word64(w, 0)), unit53(word64(w, 1)), mean, stddev, &v[0]);
  });
}

void fill_bernoulli(Generator& gen, float* out, int64_t n, double p) {
  fill_bernoulli_impl(gen, out, n, p);
}

void fill_bernoulli(Generator& gen, double* out, int64_t n, double p) {
  fill_bernoulli_impl(gen, out, n, p);
}

void fill_bernoulli(Generator& gen, uint8_t* out, int64_t n, double p) {
  fill_bernoulli_impl(gen, out, n, p);
}

void fill_randint(Generator& gen, int64_t* out, int64_t n, int64_t low, int64_t high) {
  check_count("fill_randint", n);
  ATHANOR_CHECK(low < high, "fill_randint: expected low < high, got low={} and high={}", low, high);
  // Unsigned arithmetic: high - low may exceed INT64_MAX, and low + offset wraps back into range.
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  fill_blocks<2>(gen, out, n, [&](const Block& w, std::array<int64_t, 2>& v) {
    for (int lane = 0; lane < 2; ++lane) {
      v[lane] = static_cast<int64_t>(static_cast<uint64_t>(low) + mul_high(word64(w, lane), range));
    }
  });
}

std::vector<int64_t> randperm(Generator& gen, int64_t n) {
  ATHANOR_CHECK(n >= 0, "randperm: expected n >= 0, got {}", n);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  if (n < 2) return perm;
  const uint64_t key = gen.seed();
  const uint64_t first = gen.reserve(static_cast<uint64_t>(n / 2));
  Block w{};
  for (int64_t t = 0; t < n - 1; ++t) {
    if (t % 2 == 0) w = philox4x32(key, first + static_cast<uint64_t>(t / 2));
    const int64_t j = n - 1 - t;
    const auto k = static_cast<int64_t>(mul_high(word64(w, t % 2), static_cast<uint64_t>(j + 1)));
    std::swap(perm[j], perm[k]);
  }
  return perm;
}

}  // namespace athanor
