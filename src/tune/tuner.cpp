// src/tune/tuner.cpp: Tuner: rounds of trials, resumed trials skipped, the best of the last round.
#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/tune/tuner.h>

namespace athanor::tune {

Tuner::Tuner(SearchSpace space, std::shared_ptr<Strategy> strategy, TunerOptions options)
    : space_(std::move(space)), strategy_(std::move(strategy)), options_(std::move(options)) {
  ATHANOR_CHECK(strategy_ != nullptr, "tune: Tuner needs a strategy, got null");
  ATHANOR_CHECK(!space_.empty(), "tune: the search space is empty; expected at least one key");
}

const std::vector<Trial>& Tuner::run(const Objective& objective) {
  std::map<int64_t, Trial> done;
  for (const Trial& t : options_.finished) done[t.spec.id] = t;
  trials_.clear();
  std::vector<Trial> previous;
  int64_t next_id = 0;
  for (int64_t round = 0;; ++round) {
    const std::vector<TrialSpec> specs =
        strategy_->propose(round, next_id, space_, previous, options_.mode);
    if (specs.empty()) break;
    last_round_first_id_ = next_id;
    previous.clear();
    for (size_t i = 0; i < specs.size(); ++i) {
      const TrialSpec& spec = specs[i];
      if (auto it = done.find(spec.id); it != done.end()) {
        const TrialSpec& old = it->second.spec;
        // A finished trial that differs means the search changed since: resuming would mix two
        // searches.
        ATHANOR_CHECK(
            old.config == spec.config && old.budget == spec.budget && old.rung == spec.rung,
            "tune: cannot resume: finished trial {} ran {} (budget {}), but the search "
            "now proposes {} (budget {}); expected the same search (start a new one "
            "in another folder)",
            spec.id, old.config.to_string(), old.budget, spec.config.to_string(), spec.budget);
        trials_.push_back(it->second);
        previous.push_back(it->second);
        continue;
      }
      if (options_.on_trial_begin) options_.on_trial_begin(spec, i, specs.size());
      const auto start = std::chrono::steady_clock::now();
      Trial trial{spec, objective(spec.config, spec.budget), 0};
      trial.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      trials_.push_back(trial);
      previous.push_back(trial);
      if (options_.on_trial_end) options_.on_trial_end(trial, trials_);
    }
    next_id += static_cast<int64_t>(specs.size());
  }
  return trials_;
}

const Trial& Tuner::best() const {
  ATHANOR_CHECK(!trials_.empty(), "tune: no trial has finished yet; run the search first");
  const Trial* best = nullptr;
  for (const Trial& t : trials_) {
    if (t.spec.id < last_round_first_id_) continue;
    if (best == nullptr || better(t, *best, options_.mode)) best = &t;
  }
  return *best;
}

}  // namespace athanor::tune
