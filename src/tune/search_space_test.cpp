// src/tune/search_space_test.cpp: SearchSpace's grid order, seeded draws and validation errors.
#include <cmath>
#include <set>

#include <gtest/gtest.h>

#include <athanor/tune/search_space.h>

#include "testing/expect_error.h"

namespace athanor::tune {
namespace {

Configuration config(std::vector<std::pair<std::string, std::string>> values) {
  return Configuration{std::move(values)};
}

TEST(SearchSpace, GridIsTheProductWithTheLastKeyFastest) {
  SearchSpace space;
  space.add_values("optimizer.lr", {"0.1", "0.01"})
      .add_values("train.batch_size", {"16", "32", "64"});
  const std::vector<Configuration> grid = space.grid();
  ASSERT_EQ(grid.size(), 6u);
  EXPECT_EQ(grid[0], config({{"optimizer.lr", "0.1"}, {"train.batch_size", "16"}}));
  EXPECT_EQ(grid[1], config({{"optimizer.lr", "0.1"}, {"train.batch_size", "32"}}));
  EXPECT_EQ(grid[3], config({{"optimizer.lr", "0.01"}, {"train.batch_size", "16"}}));
  EXPECT_EQ(grid[5], config({{"optimizer.lr", "0.01"}, {"train.batch_size", "64"}}));
  EXPECT_EQ(grid[4].overrides(),
            (std::vector<std::string>{"optimizer.lr=0.01", "train.batch_size=32"}));
  EXPECT_EQ(grid[4].to_string(), "optimizer.lr=0.01 train.batch_size=32");
}

TEST(SearchSpace, GridOfARangeSpacesItsCountEvenlyIncludingTheEnds) {
  SearchSpace space;
  space.add_range("optimizer.lr", {.low = 1e-4, .high = 1e-1, .scale = Scale::kLog, .count = 4})
      .add_range("model.layers[1].units", {.low = 8, .high = 32, .integer = true, .count = 3});
  const std::vector<Configuration> grid = space.grid();
  ASSERT_EQ(grid.size(), 12u);
  std::vector<std::string> lrs, units;
  for (size_t i = 0; i < 12; i += 3) lrs.push_back(grid[i].at("optimizer.lr"));
  for (size_t i = 0; i < 3; ++i) units.push_back(grid[i].at("model.layers[1].units"));
  EXPECT_EQ(lrs, (std::vector<std::string>{"0.0001", "0.001", "0.01", "0.1"}));
  EXPECT_EQ(units, (std::vector<std::string>{"8", "20", "32"}));
}

TEST(SearchSpace, SampleIsSeededAndStaysInTheRange) {
  SearchSpace space;
  space.add_range("optimizer.lr", {.low = 1e-4, .high = 1e-1, .scale = Scale::kLog})
      .add_values("optimizer.name", {"\"adam\"", "\"sgd\""})
      .add_range("loss.l2", {.low = 0, .high = 0.5});
  std::mt19937_64 a(7), b(7), c(8);
  std::set<std::string> names;
  int below_1e_2 = 0;
  for (int i = 0; i < 200; ++i) {
    const Configuration x = space.sample(a);
    EXPECT_EQ(x, space.sample(b));
    const double lr = std::stod(x.at("optimizer.lr"));
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-1);
    below_1e_2 += lr < 1e-2 ? 1 : 0;
    const double l2 = std::stod(x.at("loss.l2"));
    EXPECT_GE(l2, 0.0);
    EXPECT_LE(l2, 0.5);
    names.insert(x.at("optimizer.name"));
  }
  EXPECT_EQ(names, (std::set<std::string>{"\"adam\"", "\"sgd\""}));
  // Log-uniform: two of the three decades lie below 1e-2 (about 133 of 200).
  EXPECT_GT(below_1e_2, 105);
  EXPECT_LT(below_1e_2, 160);
  EXPECT_NE(space.sample(c), space.sample(a));
}

TEST(SearchSpace, NumbersAreWrittenAsTomlThatReadsBackExactly) {
  EXPECT_EQ(format_number(0.001), "0.001");
  EXPECT_EQ(format_number(3.0), "3.0");
  EXPECT_EQ(format_number(1e-5), "1e-05");
  EXPECT_EQ(format_number(19.6, true), "20");
  const double x = 0.1 + 0.2;
  EXPECT_EQ(std::stod(format_number(x)), x);
}

TEST(SearchSpace, BadParamsAreErrorsNamingTheKey) {
  SearchSpace space;
  EXPECT_THROW_WITH_MESSAGE(
      space.add_range("optimizer.lr", {.low = 0, .high = 1, .scale = Scale::kLog}),
      "tune.space: optimizer.lr: log scale needs low > 0, got low = 0");
  EXPECT_THROW_WITH_MESSAGE(space.add_range("loss.l2", {.low = 1, .high = 1}),
                            "tune.space: loss.l2: expected low < high, got low = 1, high = 1");
  EXPECT_THROW_WITH_MESSAGE(space.add_values("train.batch_size", {}),
                            "tune.space: train.batch_size: expected at least one value");
  space.add_range("optimizer.lr", {.low = 1e-3, .high = 1});
  EXPECT_THROW_WITH_MESSAGE(space.add_values("optimizer.lr", {"1"}),
                            "tune.space: optimizer.lr: searched twice");
  EXPECT_THROW_WITH_MESSAGE(space.grid(),
                            "tune.space: optimizer.lr: a range needs a count (points) for grid "
                            "search");
}

}  // namespace
}  // namespace athanor::tune
