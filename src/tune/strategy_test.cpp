// src/tune/strategy_test.cpp: what grid, random and successive halving propose, and the Tuner
// running them (best trial, resume after an interruption).
#include <cmath>
#include <map>
#include <stdexcept>

#include <gtest/gtest.h>

#include <athanor/tune/strategy.h>
#include <athanor/tune/tuner.h>

#include "testing/expect_error.h"

namespace athanor::tune {
namespace {

SearchSpace lr_space() {
  SearchSpace space;
  space.add_range("optimizer.lr", {.low = 1e-4, .high = 1.0, .scale = Scale::kLog});
  return space;
}

/// A made-up objective: best at lr = 0.01, better with more budget.
Score bowl(const Configuration& c, int64_t budget) {
  const double d = std::log10(std::stod(c.at("optimizer.lr"))) + 2;
  return Score::of({-d * d + 0.01 * static_cast<double>(budget)});
}

TEST(Score, MeanAndPopulationStd) {
  const Score s = Score::of({1.0, 2.0, 3.0, 6.0});
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  // np.std([1, 2, 3, 6]) = sqrt(14 / 4).
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(3.5));
  EXPECT_EQ(s.values.size(), 4u);
}

TEST(GridSearch, ProposesTheWholeGridOnceWithItsBudget) {
  SearchSpace space;
  space.add_values("a", {"1", "2"}).add_values("b", {"true", "false"});
  GridSearch grid(5);
  const std::vector<TrialSpec> round = grid.propose(0, 0, space, {}, Mode::kMax);
  ASSERT_EQ(round.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(round[i].id, static_cast<int64_t>(i));
    EXPECT_EQ(round[i].budget, 5);
    EXPECT_EQ(round[i].config, space.grid()[i]);
  }
  EXPECT_TRUE(grid.propose(1, 4, space, {}, Mode::kMax).empty());
}

TEST(RandomSearch, SameSeedSameTrialsOtherSeedOthers) {
  const SearchSpace space = lr_space();
  const std::vector<TrialSpec> a = RandomSearch(6, 3).propose(0, 0, space, {}, Mode::kMax);
  const std::vector<TrialSpec> b = RandomSearch(6, 3).propose(0, 0, space, {}, Mode::kMax);
  const std::vector<TrialSpec> c = RandomSearch(6, 4).propose(0, 0, space, {}, Mode::kMax);
  ASSERT_EQ(a.size(), 6u);
  std::mt19937_64 rng(3);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(a[i].config, b[i].config);
    EXPECT_NE(a[i].config, c[i].config);
    // Exactly the configurations SearchSpace::sample draws from mt19937_64(seed), in order.
    EXPECT_EQ(a[i].config, space.sample(rng));
  }
}

TEST(SuccessiveHalving, BudgetsGrowByEtaUpToTheMaximum) {
  SuccessiveHalving sh({.trials = 27, .min_budget = 1, .max_budget = 9, .eta = 3});
  EXPECT_EQ(sh.rungs(), 3);
  EXPECT_EQ(sh.budget(0), 1);
  EXPECT_EQ(sh.budget(1), 3);
  EXPECT_EQ(sh.budget(2), 9);
  SuccessiveHalving capped({.trials = 8, .min_budget = 2, .max_budget = 10, .eta = 2});
  EXPECT_EQ(capped.rungs(), 4);  // 2, 4, 8, 10
  EXPECT_EQ(capped.budget(3), 10);
}

TEST(SuccessiveHalving, PromotesExactlyTheTopFloorNOverEtaAtEachRung) {
  const SearchSpace space = lr_space();
  SuccessiveHalving sh({.trials = 10, .seed = 1, .min_budget = 1, .max_budget = 9, .eta = 3});
  Tuner tuner(space, std::make_shared<SuccessiveHalving>(sh), {.mode = Mode::kMax});
  const std::vector<Trial>& trials = tuner.run(bowl);
  std::map<int64_t, std::vector<Trial>> rungs;
  for (const Trial& t : trials) rungs[t.spec.rung].push_back(t);
  ASSERT_EQ(rungs.size(), 3u);
  // 10 configurations -> floor(10 / 3) = 3 -> floor(3 / 3) = 1.
  EXPECT_EQ(rungs[0].size(), 10u);
  EXPECT_EQ(rungs[1].size(), 3u);
  EXPECT_EQ(rungs[2].size(), 1u);
  for (int64_t r = 1; r < 3; ++r) {
    std::vector<Trial> ranked = rungs[r - 1];
    std::sort(ranked.begin(), ranked.end(),
              [](const Trial& a, const Trial& b) { return a.score.mean > b.score.mean; });
    for (size_t i = 0; i < rungs[r].size(); ++i) {
      EXPECT_EQ(rungs[r][i].spec.config_index, ranked[i].spec.config_index) << "rung " << r;
      EXPECT_EQ(rungs[r][i].spec.config, ranked[i].spec.config);
      EXPECT_EQ(rungs[r][i].spec.budget, sh.budget(r));
    }
  }
  EXPECT_EQ(tuner.best().spec.id, rungs[2][0].spec.id);
  // Ids number the trials in the order run.
  for (size_t i = 0; i < trials.size(); ++i) EXPECT_EQ(trials[i].spec.id, static_cast<int64_t>(i));
}

TEST(SuccessiveHalving, MinimizingPromotesTheLowestAndTiesGoToTheLowerId) {
  SearchSpace space;
  space.add_values("k", {"0", "1", "2", "3"});
  SuccessiveHalving sh({.min_budget = 1, .max_budget = 2, .eta = 2});
  std::vector<Trial> previous;
  const std::vector<double> scores = {0.5, 0.2, 0.2, 0.9};
  const std::vector<TrialSpec> rung0 = sh.propose(0, 0, space, {}, Mode::kMin);
  ASSERT_EQ(rung0.size(), 4u);  // trials = 0: the whole grid
  for (size_t i = 0; i < 4; ++i) previous.push_back({rung0[i], Score::of({scores[i]}), 0});
  const std::vector<TrialSpec> rung1 = sh.propose(1, 4, space, previous, Mode::kMin);
  ASSERT_EQ(rung1.size(), 2u);
  EXPECT_EQ(rung1[0].config_index, 1);
  EXPECT_EQ(rung1[1].config_index, 2);
  EXPECT_EQ(rung1[0].id, 4);
  EXPECT_EQ(rung1[0].budget, 2);
  EXPECT_TRUE(sh.propose(2, 6, space, {}, Mode::kMin).empty());
}

TEST(Tuner, BestIsTheBestOfTheSearchUnderItsMode) {
  SearchSpace space;
  space.add_values("optimizer.lr", {"1.0", "0.1", "0.01", "0.001"});
  Tuner max(space, std::make_shared<GridSearch>(1), {.mode = Mode::kMax});
  max.run(bowl);
  EXPECT_EQ(max.best().spec.config.at("optimizer.lr"), "0.01");
  Tuner min(space, std::make_shared<GridSearch>(1), {.mode = Mode::kMin});
  min.run(bowl);
  EXPECT_EQ(min.best().spec.config.at("optimizer.lr"), "1.0");
}

TEST(Tuner, AnInterruptedSearchResumesWithoutRerunningFinishedTrials) {
  const SearchSpace space = lr_space();
  auto strategy = [] {
    return std::make_shared<SuccessiveHalving>(
        SuccessiveHalvingOptions{.trials = 9, .seed = 5, .min_budget = 1, .max_budget = 9});
  };
  Tuner whole(space, strategy(), {.mode = Mode::kMax});
  whole.run(bowl);

  // The first search dies during trial 10 (rung 1): trials 0..9 are recorded.
  std::vector<Trial> recorded;
  Tuner killed(space, strategy(),
               {.mode = Mode::kMax, .on_trial_end = [&](const Trial& t, const std::vector<Trial>&) {
                  recorded.push_back(t);
                }});
  int calls = 0;
  EXPECT_THROW(killed.run([&](const Configuration& c, int64_t budget) {
    if (++calls == 11) throw std::runtime_error("killed");
    return bowl(c, budget);
  }),
               std::runtime_error);
  ASSERT_EQ(recorded.size(), 10u);

  std::vector<int64_t> rerun;
  Tuner resumed(
      space, strategy(),
      {.mode = Mode::kMax,
       .finished = recorded,
       .on_trial_begin = [&](const TrialSpec& s, size_t, size_t) { rerun.push_back(s.id); }});
  resumed.run(bowl);
  EXPECT_EQ(rerun, (std::vector<int64_t>{9 + 1, 9 + 2, 9 + 3}));
  EXPECT_EQ(resumed.trials().size(), whole.trials().size());
  EXPECT_EQ(resumed.best().spec.config, whole.best().spec.config);
  EXPECT_EQ(resumed.best().spec.id, whole.best().spec.id);
}

TEST(Tuner, ResumingAChangedSearchIsAnError) {
  const SearchSpace space = lr_space();
  std::vector<Trial> finished = {
      {{0, 0, 0, 3, Configuration{{{"optimizer.lr", "0.5"}}}}, Score::of({1.0}), 0}};
  Tuner tuner(space, std::make_shared<RandomSearch>(2, 0, 3),
              {.mode = Mode::kMax, .finished = finished});
  EXPECT_THROW_WITH_MESSAGE(tuner.run(bowl),
                            "tune: cannot resume: finished trial 0 ran "
                            "optimizer.lr=0.5 (budget 3)");
}

}  // namespace
}  // namespace athanor::tune
