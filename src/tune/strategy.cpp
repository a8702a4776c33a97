// src/tune/strategy.cpp: grid search, seeded random search and successive halving.
#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/tune/strategy.h>

namespace athanor::tune {

Score Score::of(std::vector<double> values) {
  ATHANOR_CHECK(!values.empty(), "tune: a score needs at least one value");
  Score s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  // Population std (divide by n), as numpy's np.std over cross_val_score's folds.
  s.std = std::sqrt(squares / static_cast<double>(values.size()));
  s.values = std::move(values);
  return s;
}

bool better(const Trial& a, const Trial& b, Mode mode) {
  const double x = a.score.mean;
  const double y = b.score.mean;
  if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
  if (!std::isnan(x) && x != y) return mode == Mode::kMax ? x > y : x < y;
  return a.spec.id < b.spec.id;
}

namespace {

std::vector<TrialSpec> one_round(const std::vector<Configuration>& configs, int64_t first_id,
                                 int64_t budget) {
  std::vector<TrialSpec> out;
  for (size_t i = 0; i < configs.size(); ++i) {
    out.push_back(
        {first_id + static_cast<int64_t>(i), static_cast<int64_t>(i), 0, budget, configs[i]});
  }
  return out;
}

std::vector<Configuration> draw(const SearchSpace& space, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Configuration> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(space.sample(rng));
  return out;
}

}  // namespace

std::vector<TrialSpec> GridSearch::propose(int64_t round, int64_t first_id,
                                           const SearchSpace& space, const std::vector<Trial>&,
                                           Mode) {
  if (round > 0) return {};
  return one_round(space.grid(), first_id, budget_);
}

RandomSearch::RandomSearch(int64_t trials, uint64_t seed, int64_t budget)
    : trials_(trials), seed_(seed), budget_(budget) {
  ATHANOR_CHECK(trials >= 1, "tune: random search: expected trials >= 1, got {}", trials);
}

std::vector<TrialSpec> RandomSearch::propose(int64_t round, int64_t first_id,
                                             const SearchSpace& space, const std::vector<Trial>&,
                                             Mode) {
  if (round > 0) return {};
  return one_round(draw(space, trials_, seed_), first_id, budget_);
}

SuccessiveHalving::SuccessiveHalving(SuccessiveHalvingOptions options) : options_(options) {
  ATHANOR_CHECK(options.trials >= 0, "tune: successive halving: expected trials >= 0, got {}",
                options.trials);
  ATHANOR_CHECK(options.min_budget >= 1 && options.min_budget <= options.max_budget,
                "tune: successive halving: expected 1 <= min_budget <= max_budget, got "
                "min_budget = {}, max_budget = {}",
                options.min_budget, options.max_budget);
  ATHANOR_CHECK(options.eta >= 2, "tune: successive halving: expected eta >= 2, got {}",
                options.eta);
}

int64_t SuccessiveHalving::budget(int64_t rung) const {
  int64_t b = options_.min_budget;
  for (int64_t r = 0; r < rung && b < options_.max_budget; ++r) b *= options_.eta;
  return std::min(b, options_.max_budget);
}

int64_t SuccessiveHalving::rungs() const {
  int64_t r = 0;
  while (budget(r) < options_.max_budget) ++r;
  return r + 1;
}

std::vector<TrialSpec> SuccessiveHalving::propose(int64_t round, int64_t first_id,
                                                  const SearchSpace& space,
                                                  const std::vector<Trial>& previous, Mode mode) {
  if (round >= rungs()) return {};
  if (round == 0) {
    std::vector<TrialSpec> out =
        one_round(options_.trials > 0 ? draw(space, options_.trials, options_.seed) : space.grid(),
                  first_id, budget(0));
    return out;
  }
  // Promote the best floor(n / eta) (at least one) of the previous rung, keeping their order
  // by rank so that the best runs first.
  std::vector<Trial> ranked = previous;
  std::sort(ranked.begin(), ranked.end(),
            [mode](const Trial& a, const Trial& b) { return better(a, b, mode); });
  const size_t keep = std::max<size_t>(1, ranked.size() / static_cast<size_t>(options_.eta));
  std::vector<TrialSpec> out;
  for (size_t i = 0; i < keep && i < ranked.size(); ++i) {
    const TrialSpec& s = ranked[i].spec;
    out.push_back(
        {first_id + static_cast<int64_t>(i), s.config_index, round, budget(round), s.config});
  }
  return out;
}

}  // namespace athanor::tune
