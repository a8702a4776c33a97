// src/core/random_test.cpp: Philox known answers, stream layout, thread independence, statistics.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>

#include "testing/expect_error.h"

namespace athanor {
namespace {

using ::testing::HasSubstr;

using testing::error_message;

// Mean and (population) variance of a sample.
template <typename T>
std::pair<double, double> mean_and_variance(const std::vector<T>& v) {
  double sum = 0;
  for (T x : v) sum += static_cast<double>(x);
  const double mean = sum / static_cast<double>(v.size());
  double squares = 0;
  for (T x : v) squares += (static_cast<double>(x) - mean) * (static_cast<double>(x) - mean);
  return {mean, squares / static_cast<double>(v.size())};
}

uint64_t word64(const std::array<uint32_t, 4>& w, int pair) {
  return static_cast<uint64_t>(w[2 * pair]) | static_cast<uint64_t>(w[2 * pair + 1]) << 32;
}

// Runs fill(gen, out, n) with a fresh generator under several thread counts; all must agree.
template <typename T>
void expect_same_for_any_thread_count(const std::function<void(Generator&, T*, int64_t)>& fill) {
  constexpr int64_t kN = 100001;  // odd, so chunk edges fall inside blocks
  ScopedNumThreads guard;
  std::vector<T> reference;
  for (int threads : {1, 2, 3, 5}) {
    set_num_threads(threads);
    Generator gen(1234);
    std::vector<T> out(kN);
    fill(gen, out.data(), kN);
    if (reference.empty()) {
      reference = out;
    } else {
      EXPECT_EQ(std::memcmp(out.data(), reference.data(), kN * sizeof(T)), 0)
          << threads << " threads differ from 1 thread";
    }
  }
}

// Known answers from Random123's kat_vectors for philox4x32-10, with the 32-bit counter words
// {c0, c1, c2, c3} passed as counter_lo = c0 | c1 << 32, counter_hi = c2 | c3 << 32 and the key
// words {k0, k1} as k0 | k1 << 32.
TEST(Philox, MatchesRandom123KnownAnswers) {
  using Words = std::array<uint32_t, 4>;
  EXPECT_EQ(philox4x32(0, 0, 0), (Words{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32(0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff),
            (Words{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32(0x299f31d0a4093822, 0x85a308d3243f6a88, 0x0370734413198a2e),
            (Words{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, CounterHighDefaultsToZero) {
  EXPECT_EQ(philox4x32(7, 3), philox4x32(7, 3, 0));
  EXPECT_NE(philox4x32(7, 3), philox4x32(7, 3, 1));
  EXPECT_NE(philox4x32(7, 3), philox4x32(8, 3));
}

TEST(Generator, ReserveHandsOutConsecutiveCounters) {
  Generator gen(9);
  EXPECT_EQ(gen.seed(), 9u);
  EXPECT_EQ(gen.reserve(3), 0u);
  EXPECT_EQ(gen.reserve(0), 3u);
  EXPECT_EQ(gen.reserve(5), 3u);
  EXPECT_EQ(gen.state().offset, 8u);
  gen.manual_seed(11);
  EXPECT_EQ(gen.seed(), 11u);
  EXPECT_EQ(gen.state().offset, 0u);
}

TEST(Generator, ReserveRejectsWrappingTheOffset) {
  Generator gen;
  gen.set_state({5, std::numeric_limits<uint64_t>::max() - 1});
  EXPECT_EQ(gen.reserve(1), std::numeric_limits<uint64_t>::max() - 1);
  EXPECT_THAT(error_message([&] { gen.reserve(2); }),
              HasSubstr("Generator::reserve: 2 counters requested at offset 18446744073709551615"));
  EXPECT_EQ(gen.state().offset, std::numeric_limits<uint64_t>::max());
}

TEST(Generator, DefaultGeneratorIsSeededByManualSeed) {
  manual_seed(77);
  EXPECT_EQ(default_generator().seed(), 77u);
  EXPECT_EQ(default_generator().state().offset, 0u);
  std::vector<float> a(10), b(10);
  fill_uniform(default_generator(), a.data(), 10, 0, 1);
  manual_seed(77);
  fill_uniform(default_generator(), b.data(), 10, 0, 1);
  EXPECT_EQ(a, b);
  manual_seed(0);
}

TEST(Generator, StateResumesTheStreamExactly) {
  Generator gen(3);
  std::vector<double> skip(7), after(9), resumed(9);
  fill_normal(gen, skip.data(), 7, 0, 1);
  const GeneratorState saved = gen.state();
  fill_normal(gen, after.data(), 9, 0, 1);
  gen.set_state(saved);
  fill_normal(gen, resumed.data(), 9, 0, 1);
  EXPECT_EQ(after, resumed);

  Generator other(100);
  other.set_state(saved);
  EXPECT_EQ(other.seed(), 3u);
  fill_normal(other, resumed.data(), 9, 0, 1);
  EXPECT_EQ(after, resumed);
}

TEST(Random, FloatUniformUsesOneWordPerElement) {
  Generator gen(42);
  std::vector<float> out(10);
  fill_uniform(gen, out.data(), 10, 0, 1);
  for (int64_t i = 0; i < 10; ++i) {
    const uint32_t w = philox4x32(42, static_cast<uint64_t>(i / 4))[i % 4];
    EXPECT_EQ(out[i], static_cast<float>((w >> 8) * 0x1.0p-24)) << "element " << i;
  }
  EXPECT_EQ(gen.state().offset, 3u);  // ceil(10 / 4)
}

TEST(Random, DoubleUniformUsesTwoWordsPerElement) {
  Generator gen(42);
  std::vector<double> out(5);
  fill_uniform(gen, out.data(), 5, 0, 1);
  for (int64_t i = 0; i < 5; ++i) {
    const uint64_t x =
        word64(philox4x32(42, static_cast<uint64_t>(i / 2)), static_cast<int>(i % 2));
    EXPECT_EQ(out[i], static_cast<double>(x >> 11) * 0x1.0p-53) << "element " << i;
  }
  EXPECT_EQ(gen.state().offset, 3u);  // ceil(5 / 2)
}

TEST(Random, NormalUsesBothBoxMullerOutputs) {
  Generator gen(5);
  std::vector<float> f(4);
  fill_normal(gen, f.data(), 4, 0, 1);
  const auto w = philox4x32(5, 0);
  for (int pair = 0; pair < 2; ++pair) {
    const double u1 = ((w[2 * pair] >> 8) + 1) * 0x1.0p-24;
    const double u2 = (w[2 * pair + 1] >> 8) * 0x1.0p-24;
    const double r = std::sqrt(-2 * std::log(u1));
    const double theta = 2 * std::numbers::pi * u2;
    EXPECT_NEAR(f[2 * pair], r * std::cos(theta), 1e-6);
    EXPECT_NEAR(f[2 * pair + 1], r * std::sin(theta), 1e-6);
  }

  Generator gen64(5);
  std::vector<double> d(2);
  fill_normal(gen64, d.data(), 2, 0, 1);
  const double u1 = static_cast<double>((word64(w, 0) >> 11) + 1) * 0x1.0p-53;
  const double u2 = static_cast<double>(word64(w, 1) >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2 * std::log(u1));
  EXPECT_NEAR(d[0], r * std::cos(2 * std::numbers::pi * u2), 1e-12);
  EXPECT_NEAR(d[1], r * std::sin(2 * std::numbers::pi * u2), 1e-12);
}

// Block 14883995 of seed 0 starts with a word whose top 24 bits are 0: u1 must be 2^-24, not 0.
TEST(Random, NormalAvoidsLogOfZero) {
  constexpr uint64_t kBlock = 14883995;
  ASSERT_EQ(philox4x32(0, kBlock)[0] >> 8, 0u);
  Generator gen;
  gen.set_state({0, kBlock});
  std::vector<float> z(2);
  fill_normal(gen, z.data(), 2, 0, 1);
  ASSERT_TRUE(std::isfinite(z[0]) && std::isfinite(z[1]));
  EXPECT_NEAR(std::hypot(z[0], z[1]), std::sqrt(48 * std::numbers::ln2), 1e-5);  // the largest r
}

TEST(Random, RandintIsTheMultiplyHighOfA64BitWord) {
  Generator gen(8);
  std::vector<int64_t> out(6);
  fill_randint(gen, out.data(), 6, 0, int64_t{1} << 62);  // x * 2^62 / 2^64 = x >> 2
  for (int64_t i = 0; i < 6; ++i) {
    const uint64_t x = word64(philox4x32(8, static_cast<uint64_t>(i / 2)), static_cast<int>(i % 2));
    EXPECT_EQ(out[i], static_cast<int64_t>(x >> 2)) << "element " << i;
  }

  gen.manual_seed(8);
  fill_randint(gen, out.data(), 6, 10, 13);
  for (int64_t i = 0; i < 6; ++i) {
    const uint64_t x = word64(philox4x32(8, static_cast<uint64_t>(i / 2)), static_cast<int>(i % 2));
    // floor(x * 3 / 2^64) for a range below 2^32, from x's 32-bit halves.
    const uint64_t expected = ((x >> 32) * 3 + (((x & 0xffffffffu) * 3) >> 32)) >> 32;
    EXPECT_EQ(out[i], 10 + static_cast<int64_t>(expected)) << "element " << i;
  }
}

TEST(Random, SameSeedSameStreamAndDifferentSeedDifferentStream) {
  Generator a(1), b(1), c(2);
  std::vector<float> x(1000), y(1000), z(1000);
  fill_uniform(a, x.data(), 1000, 0, 1);
  fill_uniform(b, y.data(), 1000, 0, 1);
  fill_uniform(c, z.data(), 1000, 0, 1);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(Random, SuccessiveDrawsDifferAndConcatenateWhenBlockAligned) {
  Generator gen(21);
  std::vector<float> first(8), second(12), whole(20);
  fill_uniform(gen, first.data(), 8, 0, 1);
  fill_uniform(gen, second.data(), 12, 0, 1);
  EXPECT_NE(std::vector<float>(first.begin(), first.begin() + 8),
            std::vector<float>(second.begin(), second.begin() + 8));
  Generator fresh(21);
  fill_uniform(fresh, whole.data(), 20, 0, 1);
  EXPECT_EQ(std::vector<float>(whole.begin(), whole.begin() + 8), first);
  EXPECT_EQ(std::vector<float>(whole.begin() + 8, whole.end()), second);
}

TEST(Random, UnalignedDrawsSkipTheRestOfTheirLastBlock) {
  Generator gen(21);
  std::vector<float> first(5), second(4), whole(12);
  fill_uniform(gen, first.data(), 5, 0, 1);   // blocks 0 and 1; lanes 1..3 of block 1 unused
  fill_uniform(gen, second.data(), 4, 0, 1);  // block 2
  Generator fresh(21);
  fill_uniform(fresh, whole.data(), 12, 0, 1);
  EXPECT_EQ(std::vector<float>(whole.begin(), whole.begin() + 5), first);
  EXPECT_EQ(std::vector<float>(whole.begin() + 8, whole.end()), second);
}

TEST(Random, EmptyDrawsAndFailedChecksLeaveTheGeneratorAlone) {
  Generator gen(4);
  fill_uniform(gen, static_cast<float*>(nullptr), 0, 0, 1);
  fill_normal(gen, static_cast<double*>(nullptr), 0, 0, 1);
  fill_bernoulli(gen, static_cast<uint8_t*>(nullptr), 0, 0.5);
  fill_randint(gen, nullptr, 0, 0, 5);
  EXPECT_TRUE(randperm(gen, 0).empty());
  EXPECT_EQ(randperm(gen, 1), std::vector<int64_t>{0});
  float x = 0;
  EXPECT_THROW(fill_uniform(gen, &x, 1, 1, 0), Error);
  EXPECT_EQ(gen.state().offset, 0u);
}

TEST(Random, EveryFillIsIndependentOfTheThreadCount) {
  expect_same_for_any_thread_count<float>(
      [](Generator& g, float* out, int64_t n) { fill_uniform(g, out, n, -1, 3); });
  expect_same_for_any_thread_count<double>(
      [](Generator& g, double* out, int64_t n) { fill_uniform(g, out, n, -1, 3); });
  expect_same_for_any_thread_count<float>(
      [](Generator& g, float* out, int64_t n) { fill_normal(g, out, n, 1, 2); });
  expect_same_for_any_thread_count<double>(
      [](Generator& g, double* out, int64_t n) { fill_normal(g, out, n, 1, 2); });
  expect_same_for_any_thread_count<float>(
      [](Generator& g, float* out, int64_t n) { fill_bernoulli(g, out, n, 0.3); });
  expect_same_for_any_thread_count<double>(
      [](Generator& g, double* out, int64_t n) { fill_bernoulli(g, out, n, 0.3); });
  expect_same_for_any_thread_count<uint8_t>(
      [](Generator& g, uint8_t* out, int64_t n) { fill_bernoulli(g, out, n, 0.3); });
  expect_same_for_any_thread_count<int64_t>(
      [](Generator& g, int64_t* out, int64_t n) { fill_randint(g, out, n, -5, 1000); });
}

TEST(Random, UniformMomentsMatch) {
  constexpr int64_t kN = 1000000;
  Generator gen(2024);
  std::vector<float> f(kN);
  fill_uniform(gen, f.data(), kN, 0, 1);
  auto [mean, variance] = mean_and_variance(f);
  // Standard errors: 2.9e-4 for the mean, 7.5e-5 for the variance.
  EXPECT_NEAR(mean, 0.5, 0.002);
  EXPECT_NEAR(variance, 1.0 / 12, 0.001);
  EXPECT_GE(*std::min_element(f.begin(), f.end()), 0.0f);
  EXPECT_LT(*std::max_element(f.begin(), f.end()), 1.0f);

  std::vector<double> d(kN);
  fill_uniform(gen, d.data(), kN, -3, 5);
  std::tie(mean, variance) = mean_and_variance(d);
  EXPECT_NEAR(mean, 1, 0.02);
  EXPECT_NEAR(variance, 64.0 / 12, 0.07);
  EXPECT_GE(*std::min_element(d.begin(), d.end()), -3.0);
  EXPECT_LT(*std::max_element(d.begin(), d.end()), 5.0);
}

// In a narrow range, low + (high - low) * u rounds to `high` for a good share of u (1/16 for
// float32 here, 1/32 for float64); those values must come back as the largest value below high.
TEST(Random, UniformNeverReachesHigh) {
  constexpr int64_t kN = 10000;
  Generator gen(6);
  const double high32 = 1 + 0x1.0p-20;
  std::vector<float> f(kN);
  fill_uniform(gen, f.data(), kN, 1, high32);
  const float below32 = std::nextafter(static_cast<float>(high32), 0.0f);
  EXPECT_GE(*std::min_element(f.begin(), f.end()), 1.0f);
  EXPECT_EQ(*std::max_element(f.begin(), f.end()), below32);
  EXPECT_GT(std::count(f.begin(), f.end(), below32), kN / 32);

  const double high64 = 1 + 0x1.0p-48;
  std::vector<double> d(kN);
  fill_uniform(gen, d.data(), kN, 1, high64);
  const double below64 = std::nextafter(high64, 0.0);
  EXPECT_GE(*std::min_element(d.begin(), d.end()), 1.0);
  EXPECT_EQ(*std::max_element(d.begin(), d.end()), below64);
  EXPECT_GT(std::count(d.begin(), d.end(), below64), kN / 64);
}

TEST(Random, NormalMomentsMatch) {
  constexpr int64_t kN = 1000000;
  Generator gen(99);
  std::vector<float> f(kN);
  fill_normal(gen, f.data(), kN, 0, 1);
  auto [mean, variance] = mean_and_variance(f);
  // Standard errors: 1e-3 for the mean, 7e-4 for the standard deviation.
  EXPECT_NEAR(mean, 0, 0.01);
  EXPECT_NEAR(std::sqrt(variance), 1, 0.01);

  std::vector<double> d(kN);
  fill_normal(gen, d.data(), kN, 3, 2);
  std::tie(mean, variance) = mean_and_variance(d);
  EXPECT_NEAR(mean, 3, 0.02);
  EXPECT_NEAR(std::sqrt(variance), 2, 0.02);
  // About 4.55% of a normal lies beyond 2 sigma (standard error 2e-4).
  const auto beyond =
      std::count_if(d.begin(), d.end(), [](double x) { return std::abs(x - 3) > 4; });
  EXPECT_NEAR(static_cast<double>(beyond) / kN, 0.0455, 0.002);

  fill_normal(gen, d.data(), 100, 5, 0);
  EXPECT_TRUE(std::all_of(d.begin(), d.begin() + 100, [](double x) { return x == 5; }));
}

TEST(Random, BernoulliFrequencyMatches) {
  constexpr int64_t kN = 1000000;
  Generator gen(13);
  std::vector<uint8_t> mask(kN);
  fill_bernoulli(gen, mask.data(), kN, 0.3);
  EXPECT_TRUE(std::all_of(mask.begin(), mask.end(), [](uint8_t b) { return b <= 1; }));
  // Standard error 4.6e-4.
  EXPECT_NEAR(static_cast<double>(std::count(mask.begin(), mask.end(), 1)) / kN, 0.3, 0.003);

  std::vector<float> f(kN);
  fill_bernoulli(gen, f.data(), kN, 0.9);
  EXPECT_TRUE(std::all_of(f.begin(), f.end(), [](float x) { return x == 0 || x == 1; }));
  EXPECT_NEAR(std::accumulate(f.begin(), f.end(), 0.0) / kN, 0.9, 0.003);

  std::vector<double> d(1000);
  fill_bernoulli(gen, d.data(), 1000, 0);
  EXPECT_TRUE(std::all_of(d.begin(), d.end(), [](double x) { return x == 0; }));
  fill_bernoulli(gen, d.data(), 1000, 1);
  EXPECT_TRUE(std::all_of(d.begin(), d.end(), [](double x) { return x == 1; }));
}

TEST(Random, RandintCoversItsRangeAndStaysInside) {
  constexpr int64_t kN = 100000;
  Generator gen(17);
  std::vector<int64_t> out(kN);
  fill_randint(gen, out.data(), kN, -2, 3);
  std::map<int64_t, int64_t> counts;
  for (int64_t v : out) ++counts[v];
  ASSERT_EQ(counts.size(), 5u);
  EXPECT_EQ(counts.begin()->first, -2);
  EXPECT_EQ(counts.rbegin()->first, 2);
  for (auto [value, count] : counts) {
    EXPECT_NEAR(static_cast<double>(count) / kN, 0.2, 0.01) << "value " << value;  // se 1.3e-3
  }

  // The widest range: high - low = 2^64 - 1 does not overflow.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  fill_randint(gen, out.data(), 1000, kMin, kMax);
  const auto negative =
      std::count_if(out.begin(), out.begin() + 1000, [](int64_t v) { return v < 0; });
  EXPECT_GT(negative, 400);
  EXPECT_LT(negative, 600);
  EXPECT_TRUE(std::none_of(out.begin(), out.begin() + 1000, [](int64_t v) { return v == kMax; }));

  fill_randint(gen, out.data(), 1000, 41, 42);
  EXPECT_TRUE(std::all_of(out.begin(), out.begin() + 1000, [](int64_t v) { return v == 41; }));
}

TEST(Random, RandpermIsAReproduciblePermutation) {
  Generator a(31), b(31), c(32);
  const std::vector<int64_t> p = randperm(a, 1000);
  std::vector<int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), int64_t{0});
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(p, identity);
  EXPECT_EQ(randperm(b, 1000), p);
  EXPECT_NE(randperm(c, 1000), p);
  EXPECT_EQ(a.state().offset, 500u);
  EXPECT_NE(randperm(a, 1000), p);  // the next draw moves on
}

TEST(Random, RandpermIsUniformOverSmallPermutations) {
  constexpr int kDraws = 60000;
  Generator gen(5);
  std::map<std::vector<int64_t>, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[randperm(gen, 3)];
  ASSERT_EQ(counts.size(), 6u);
  for (const auto& [perm, count] : counts) {
    EXPECT_NEAR(count, kDraws / 6, 600) << "one of the six permutations";  // se 91
  }
}

TEST(Random, ChecksSayWhatWasWrongAndWhatWasExpected) {
  Generator gen;
  float f = 0;
  double d = 0;
  int64_t i = 0;
  EXPECT_THAT(error_message([&] { fill_uniform(gen, &f, 1, 2, 1); }),
              HasSubstr("fill_uniform: expected low < high, got low=2 and high=1"));
  EXPECT_THAT(error_message([&] { fill_uniform(gen, &d, 1, 0, INFINITY); }),
              HasSubstr("fill_uniform: expected a finite range, got low=0 and high=inf"));
  EXPECT_THAT(error_message([&] { fill_uniform(gen, &f, 1, 1 + 0x1.0p-30, 1 + 0x1.0p-29); }),
              HasSubstr("fill_uniform: expected [low, high) to hold a float32 value"));
  EXPECT_THAT(error_message([&] { fill_uniform(gen, &f, -1, 0, 1); }),
              HasSubstr("fill_uniform: expected n >= 0 elements, got -1"));
  EXPECT_THAT(error_message([&] { fill_normal(gen, &f, 1, 0, -1); }),
              HasSubstr("fill_normal: expected std >= 0, got -1"));
  EXPECT_THAT(error_message([&] { fill_normal(gen, &d, 1, NAN, 1); }),
              HasSubstr("fill_normal: expected a finite mean, got nan"));
  EXPECT_THAT(error_message([&] { fill_bernoulli(gen, &f, 1, 1.5); }),
              HasSubstr("fill_bernoulli: expected a probability in [0, 1], got 1.5"));
  EXPECT_THAT(error_message([&] { fill_bernoulli(gen, &d, 1, -0.25); }),
              HasSubstr("fill_bernoulli: expected a probability in [0, 1], got -0.25"));
  EXPECT_THAT(error_message([&] { fill_randint(gen, &i, 1, 3, 3); }),
              HasSubstr("fill_randint: expected low < high, got low=3 and high=3"));
  EXPECT_THAT(error_message([&] { randperm(gen, -1); }),
              HasSubstr("randperm: expected n >= 0, got -1"));
  EXPECT_EQ(gen.state().offset, 0u);
}

}  // namespace
}  // namespace athanor
