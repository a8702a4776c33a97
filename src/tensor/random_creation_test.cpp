// src/tensor/random_creation_test.cpp: rand, uniform, randn, normal, bernoulli, randint and
// randperm: reproducibility with a seeded Generator, the default generator, independence from the
// thread count, ranges and moments, and argument errors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>

#include "testing/matchers.h"  // EXPECT_THROW_WITH_MESSAGE only (the tensor layer cannot link ops)

namespace athanor {
namespace {

// Mean and population variance.
std::pair<double, double> moments(const std::vector<double>& v) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return {mean, var / static_cast<double>(v.size())};
}

// Every random factory, drawing `shape` from `gen`, as float64 values for comparison.
using Draw = std::function<Tensor(const Shape&, Generator*)>;
std::vector<std::pair<const char*, Draw>> all_draws() {
  return {
      {"rand f32", [](const Shape& s, Generator* g) { return rand(s, kFloat32, g); }},
      {"rand f64", [](const Shape& s, Generator* g) { return rand(s, kFloat64, g); }},
      {"uniform", [](const Shape& s, Generator* g) { return uniform(s, -3, 5, kFloat32, g); }},
      {"randn f32", [](const Shape& s, Generator* g) { return randn(s, kFloat32, g); }},
      {"randn f64", [](const Shape& s, Generator* g) { return randn(s, kFloat64, g); }},
      {"normal", [](const Shape& s, Generator* g) { return normal(s, 2, 3, kFloat64, g); }},
      {"bernoulli", [](const Shape& s, Generator* g) { return bernoulli(s, 0.3, kFloat32, g); }},
      {"bernoulli i64", [](const Shape& s, Generator* g) { return bernoulli(s, 0.7, kInt64, g); }},
      {"randint", [](const Shape& s, Generator* g) { return randint(-5, 1000, s, g); }},
      {"randperm", [](const Shape& s, Generator* g) { return randperm(s.numel(), g); }},
  };
}

TEST(RandomCreation, SameSeedSameValuesAndSuccessiveDrawsDiffer) {
  for (const auto& [label, draw] : all_draws()) {
    SCOPED_TRACE(label);
    Generator g1(42), g2(42), g3(43);
    const std::vector<double> a = draw(Shape{1000}, &g1).to_vector<double>();
    EXPECT_EQ(draw(Shape{1000}, &g2).to_vector<double>(), a);
    EXPECT_NE(draw(Shape{1000}, &g1).to_vector<double>(), a);  // the stream moved on
    EXPECT_NE(draw(Shape{1000}, &g3).to_vector<double>(), a);  // another seed
  }
}

TEST(RandomCreation, IndependentOfTheThreadCount) {
  ScopedNumThreads guard;
  for (const auto& [label, draw] : all_draws()) {
    SCOPED_TRACE(label);
    set_num_threads(1);
    Generator g1(7);
    const std::vector<double> serial = draw(Shape{100000}, &g1).to_vector<double>();
    set_num_threads(2);
    Generator g2(7);
    EXPECT_EQ(draw(Shape{100000}, &g2).to_vector<double>(), serial);
    EXPECT_EQ(g1.state().offset, g2.state().offset);  // the same counters were reserved
  }
}

TEST(RandomCreation, DefaultGeneratorFollowsManualSeed) {
  manual_seed(123);
  const std::vector<double> a = randn(Shape{500}).to_vector<double>();
  const std::vector<double> b = rand(Shape{64}, kFloat64).to_vector<double>();
  manual_seed(123);
  EXPECT_EQ(randn(Shape{500}).to_vector<double>(), a);
  EXPECT_EQ(rand(Shape{64}, kFloat64).to_vector<double>(), b);
  // The default generator is an ordinary Generator seeded the same way.
  Generator g(123);
  EXPECT_EQ(randn(Shape{500}, kFloat32, &g).to_vector<double>(), a);
  // An explicit generator leaves the default one alone.
  manual_seed(5);
  Generator other(99);
  (void)rand(Shape{100}, kFloat32, &other);
  Generator fresh(5);
  EXPECT_EQ(rand(Shape{10}).to_vector<double>(),
            rand(Shape{10}, kFloat32, &fresh).to_vector<double>());
}

TEST(RandomCreation, UniformRangeAndMoments) {
  Generator g(1);
  const Tensor t = uniform(Shape{200, 500}, -2.0, 3.0, kFloat64, &g);
  EXPECT_EQ(t.dtype(), kFloat64);
  EXPECT_EQ(t.shape(), (Shape{200, 500}));
  const std::vector<double> v = t.to_vector<double>();
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 3.0);
  // Mean 0.5, variance 25 / 12; the mean's standard error is sqrt(25/12 / 1e5) ~ 0.0046.
  const auto [mean, var] = moments(v);
  EXPECT_NEAR(mean, 0.5, 0.025);
  EXPECT_NEAR(var, 25.0 / 12.0, 0.05);
  const std::vector<double> r = rand(Shape{100000}, kFloat32, &g).to_vector<double>();
  EXPECT_GE(*std::min_element(r.begin(), r.end()), 0.0);
  EXPECT_LT(*std::max_element(r.begin(), r.end()), 1.0);
  EXPECT_NEAR(moments(r).first, 0.5, 0.005);  // standard error 0.0009
}

TEST(RandomCreation, NormalMoments) {
  Generator g(2);
  const auto [m0, v0] = moments(randn(Shape{100000}, kFloat32, &g).to_vector<double>());
  EXPECT_NEAR(m0, 0.0, 0.015);  // standard error 0.0032
  EXPECT_NEAR(v0, 1.0, 0.03);   // standard error of the variance ~ sqrt(2 / 1e5) = 0.0045
  const auto [m1, v1] = moments(normal(Shape{100000}, 3.0, 2.0, kFloat64, &g).to_vector<double>());
  EXPECT_NEAR(m1, 3.0, 0.03);
  EXPECT_NEAR(v1, 4.0, 0.12);
  // std 0 is allowed and gives the mean.
  EXPECT_THAT(normal(Shape{3}, 1.5, 0.0, kFloat64, &g).to_vector<double>(), ::testing::Each(1.5));
}

TEST(RandomCreation, BernoulliFrequencyAndDtypes) {
  Generator g(3);
  const std::vector<double> v = bernoulli(Shape{100000}, 0.3, kFloat64, &g).to_vector<double>();
  int64_t ones = 0, others = 0;
  for (double x : v) {
    ones += x == 1.0;
    others += x != 0.0 && x != 1.0;
  }
  EXPECT_EQ(others, 0);
  EXPECT_NEAR(static_cast<double>(ones) / 1e5, 0.3, 0.01);  // standard error 0.0014
  // Every dtype draws the same pattern from the same stream.
  std::vector<double> reference;
  for (DType dt : {kFloat32, kFloat64, kUInt8, kBool, kInt64}) {
    Generator gd(11);
    const Tensor t = bernoulli(Shape{4, 50}, 0.5, dt, &gd);
    EXPECT_EQ(t.dtype(), dt);
    if (reference.empty())
      reference = t.to_vector<double>();
    else
      EXPECT_EQ(t.to_vector<double>(), reference) << name(dt);
  }
  // p = 0 and p = 1 are exact.
  EXPECT_THAT(bernoulli(Shape{1000}, 0.0, kFloat32, &g).to_vector<double>(), ::testing::Each(0.0));
  EXPECT_THAT(bernoulli(Shape{1000}, 1.0, kBool, &g).to_vector<bool>(), ::testing::Each(true));
}

TEST(RandomCreation, RandintRangeAndFrequencies) {
  Generator g(4);
  const Tensor t = randint(-3, 4, Shape{70000}, &g);
  EXPECT_EQ(t.dtype(), kInt64);
  std::vector<int64_t> counts(7, 0);
  for (int64_t x : t.to_vector<int64_t>()) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 4);
    ++counts[static_cast<size_t>(x + 3)];
  }
  for (int64_t c : counts) EXPECT_NEAR(static_cast<double>(c), 10000.0, 500.0);  // sd ~ 93
  EXPECT_THAT(randint(5, 6, Shape{10}, &g).to_vector<int64_t>(), ::testing::Each(5));
}

TEST(RandomCreation, RandpermIsAPermutation) {
  Generator g(5);
  const Tensor p = randperm(1000, &g);
  EXPECT_EQ(p.dtype(), kInt64);
  EXPECT_EQ(p.shape(), Shape{1000});
  std::vector<int64_t> v = p.to_vector<int64_t>();
  std::vector<int64_t> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), int64_t{0});
  EXPECT_EQ(sorted, expected);
  EXPECT_NE(v, expected);  // 1 / 1000! chance of failing
  EXPECT_EQ(randperm(0, &g).shape(), Shape{0});
  EXPECT_THAT(randperm(1, &g).to_vector<int64_t>(), ::testing::ElementsAre(0));
}

TEST(RandomCreation, EmptyShapeDrawsNothing) {
  Generator g(6);
  EXPECT_EQ(rand(Shape{0, 5}, kFloat32, &g).numel(), 0);
  EXPECT_EQ(randn(Shape{0}, kFloat64, &g).numel(), 0);
  EXPECT_EQ(g.state().offset, 0u);
}

TEST(RandomCreation, BadArgumentsNameTheFactory) {
  Generator g(0);
  EXPECT_THROW_WITH_MESSAGE(rand(Shape{2}, kInt64, &g),
                            "rand: expected a floating-point dtype, got int64");
  EXPECT_THROW_WITH_MESSAGE(uniform(Shape{2}, 0, 1, kBool, &g),
                            "uniform: expected a floating-point dtype, got bool");
  EXPECT_THROW_WITH_MESSAGE(randn(Shape{2}, kUInt8, &g),
                            "randn: expected a floating-point dtype, got uint8");
  EXPECT_THROW_WITH_MESSAGE(normal(Shape{2}, 0, 1, kInt64, &g),
                            "normal: expected a floating-point dtype, got int64");
  EXPECT_THROW_WITH_MESSAGE(uniform(Shape{2}, 1.0, 1.0, kFloat32, &g),
                            "uniform: expected low < high, got low=1 and high=1");
  EXPECT_THROW_WITH_MESSAGE(normal(Shape{2}, 0.0, -1.0, kFloat32, &g),
                            "normal: expected std >= 0, got -1");
  EXPECT_THROW_WITH_MESSAGE(bernoulli(Shape{2}, 1.5, kFloat32, &g),
                            "bernoulli: expected a probability p in [0, 1], got 1.5");
  EXPECT_THROW_WITH_MESSAGE(bernoulli(Shape{2}, NAN, kInt64, &g),
                            "bernoulli: expected a probability p in [0, 1], got nan");
  EXPECT_THROW_WITH_MESSAGE(randint(3, 3, Shape{2}, &g),
                            "randint: expected low < high, got low=3 and high=3");
  EXPECT_THROW_WITH_MESSAGE(randperm(-1, &g), "randperm: expected n >= 0, got -1");
  EXPECT_EQ(g.state().offset, 0u);  // failed calls draw nothing
}

}  // namespace
}  // namespace athanor
