// include/athanor/tune/tune_file.h: the [tune] table of a run file (strategy, metric, budget,
// folds, search space) and the search it describes, run into a folder of trial results.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <athanor/config/run_config.h>
#include <athanor/tune/cross_validate.h>
#include <athanor/tune/search_space.h>
#include <athanor/tune/strategy.h>

namespace athanor::tune {

/// [tune], every default filled in (docs/tune.md lists the keys).
struct TuneConfig {
  /// "grid", "random" or "halving".
  std::string strategy = "grid";
  std::string metric = "loss";
  Mode mode = Mode::kMin;
  /// 0: score on the validation split; k >= 2: k-fold cross-validation.
  int64_t folds = 0;
  bool stratified = true;
  /// random and halving: configurations drawn (halving: 0 for the whole grid).
  int64_t trials = 10;
  uint64_t seed = 0;
  /// grid and random: epochs per trial (default train.epochs).
  int64_t budget = 0;
  /// halving: epochs of rung 0 and of the last rung (default train.epochs), growth factor.
  int64_t min_budget = 1;
  int64_t max_budget = 0;
  int64_t eta = 3;
  /// Trials run at once; only 1 is implemented (this machine has 2 cores and each training uses
  /// both).
  int64_t parallel = 1;
  /// Early stopping inside each trial (see ScoreOptions::patience); 0: off.
  int64_t patience = 0;
  /// The search folder (absolute); default runs/<stem>-tune in the working directory.
  std::filesystem::path dir;
  SearchSpace space;
};

/// Reads [tune] from the run file at `path` and checks each searched key against the file: the
/// run file with each key set to its first value (a range: its low end) must load, else the error
/// names the key. Errors read "run.toml:12: tune.metric: expected ..., got ...".
TuneConfig read_tune_config(const std::filesystem::path& path,
                            const std::vector<std::string>& overrides = {});

/// The strategy [tune] names, with its budgets resolved against `base` (the run file's epochs).
std::shared_ptr<Strategy> make_strategy(const TuneConfig& tune, const config::RunConfig& base);

struct SearchOptions {
  /// --set overrides applied to the run file under every trial's configuration.
  std::vector<std::string> overrides = {};
  /// Continue the search in tune.dir, skipping the trials its trials.csv records.
  bool resume = false;
  /// Where progress lines go (one per trial); null: nowhere.
  std::function<void(const std::string&)> print = nullptr;
};

/// The result of a search: every trial in id order and the best one.
struct SearchResult {
  std::vector<Trial> trials;
  Trial best;
  std::filesystem::path dir;
};

/// Runs the search the run file's [tune] describes, writing into tune.dir: trials/<id>.toml (each
/// finished trial's configuration as run), trials.csv (one row per finished trial, rewritten
/// atomically after each), best.toml (the best configuration as a run file) and tune.html.
/// Without `resume`, a folder that already holds trials.csv is an error.
SearchResult run_search(const std::filesystem::path& run_file, const SearchOptions& options = {});

}  // namespace athanor::tune
