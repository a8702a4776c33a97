// include/athanor/tune/tuner.h: Tuner, running a strategy's trials through a function from a
// configuration (and a budget of epochs) to a score, resumable from the trials already finished.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <athanor/tune/search_space.h>
#include <athanor/tune/strategy.h>

namespace athanor::tune {

struct TunerOptions {
  Mode mode = Mode::kMax;
  /// Trials finished by an earlier, interrupted search (e.g. read from trials.csv): a proposed
  /// trial whose id is here is not run again (its configuration and budget must match).
  std::vector<Trial> finished = {};
  /// Called before each trial runs, with its number in the round and the round's size.
  std::function<void(const TrialSpec&, size_t index, size_t count)> on_trial_begin = nullptr;
  /// Called after each trial finishes (not for trials taken from `finished`), with every trial
  /// finished so far.
  std::function<void(const Trial&, const std::vector<Trial>&)> on_trial_end = nullptr;
};

/// Runs a search:
///
///   tune::SearchSpace space;
///   space.add_range("optimizer.lr", {.low = 1e-4, .high = 1e-1, .scale = tune::Scale::kLog});
///   tune::Tuner tuner(space, std::make_shared<tune::RandomSearch>(20, /*seed=*/0),
///                     {.mode = tune::Mode::kMax});
///   tuner.run([](const tune::Configuration& c, int64_t budget) { return my_score(c, budget); });
///   tuner.best().spec.config;
///
/// Trials run one after another in the order proposed; an objective that throws ends the search
/// (the trials finished before it stay in trials()).
class Tuner {
 public:
  using Objective = std::function<Score(const Configuration&, int64_t budget)>;
  Tuner(SearchSpace space, std::shared_ptr<Strategy> strategy, TunerOptions options = {});

  /// Runs every round of the strategy; returns all trials (resumed ones included) in id order.
  const std::vector<Trial>& run(const Objective& objective);

  const std::vector<Trial>& trials() const { return trials_; }
  /// The best trial of the last round run (for successive halving: of the largest budget).
  /// Throws when no trial has finished.
  const Trial& best() const;
  const SearchSpace& space() const { return space_; }

 private:
  SearchSpace space_;
  std::shared_ptr<Strategy> strategy_;
  TunerOptions options_;
  std::vector<Trial> trials_;
  int64_t last_round_first_id_ = 0;
};

}  // namespace athanor::tune
