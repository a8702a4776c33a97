// src/tune/tune_file.cpp: reading [tune] from a run file, and run_search: the search it describes,
// run trial by trial into a folder (trials.csv, trials/<id>.toml, best.toml, tune.html).
#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include <athanor/config/builders.h>
#include <athanor/core/error.h>
#include <athanor/io/file.h>
#include <athanor/tune/results.h>
#include <athanor/tune/tune_file.h>
#include <athanor/tune/tuner.h>

#include "config/overrides.h"
#include "config/toml_reader.h"

namespace athanor::tune {

namespace fs = std::filesystem;

namespace {

using Check = config::detail::Range;
using config::detail::TableReader;

/// A TOML scalar as the text an override takes; nullopt for anything else.
std::optional<std::string> scalar_text(const toml::node& node) {
  if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
  if (const auto* f = node.as_floating_point()) return format_number(f->get());
  if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (const auto* s = node.as_string()) return config::detail::quoted(s->get());
  return std::nullopt;
}

void read_space(const config::detail::Source& source, TableReader& r, TuneConfig& tune) {
  const toml::table* space = r.table("space");
  if (space == nullptr || space->empty()) {
    r.fail("space", "a table of searched keys, e.g. [tune.space] \"optimizer.lr\" = [0.1, 0.01]");
  }
  TableReader s(source, space, "tune.space", space);
  for (const auto& [k, node] : *space) {
    const std::string key(k.str());
    s.get(key);  // known
    if (const toml::array* values = node.as_array()) {
      std::vector<std::string> texts;
      for (const toml::node& v : *values) {
        std::optional<std::string> text = scalar_text(v);
        if (!text) s.fail(key, "a list of numbers, booleans or strings");
        texts.push_back(*text);
      }
      if (texts.empty()) s.fail(key, "a non-empty list of values");
      tune.space.add_values(key, std::move(texts));
    } else if (const toml::table* t = node.as_table()) {
      TableReader rr(source, t, "tune.space." + key, t);
      athanor::tune::Range range;
      const std::optional<double> low = rr.number("low");
      const std::optional<double> high = rr.number("high");
      if (!low) rr.fail("low", "a number (the range's low end)");
      if (!high) rr.fail("high", "a number (the range's high end)");
      range.low = *low;
      range.high = *high;
      if (!(range.low < range.high)) rr.fail("high", fmt::format("a number above low = {}", *low));
      range.scale = rr.choice("scale", {"linear", "log"}).value_or("linear") == "log"
                        ? Scale::kLog
                        : Scale::kLinear;
      if (range.scale == Scale::kLog && range.low <= 0) {
        rr.fail("low", "a positive number (the scale is log)");
      }
      range.integer = rr.boolean("integer").value_or(false);
      range.count = rr.integer("count", Check::kNonNegative).value_or(0);
      rr.finish();
      tune.space.add_range(key, range);
    } else {
      s.fail(key, "a list of values or a range { low, high, scale, integer, count }");
    }
  }
}

/// Each searched key set to its first value must give a valid run file; else blame the key.
void check_keys(const fs::path& path, const std::vector<std::string>& overrides,
                const TuneConfig& tune, TableReader& space) {
  for (const Param& p : tune.space.params()) {
    const std::string value =
        p.range ? format_number(p.range->low, p.range->integer) : p.values.front();
    std::vector<std::string> o = overrides;
    o.push_back(p.key + "=" + value);
    try {
      config::load_run_file(path, o);
    } catch (const Error& e) {
      space.fail_message(p.key, fmt::format("cannot be set in this run file ({})", e.what()));
    }
  }
}

}  // namespace

TuneConfig read_tune_config(const fs::path& path, const std::vector<std::string>& overrides) {
  const config::RunConfig base = config::load_run_file(path, overrides);
  config::detail::Source source;
  source.file = path.string();
  toml::table root;
  root = config::detail::parse_toml(io::read_file(path), path.string());
  for (const std::string& o : overrides) {
    source.overrides[config::detail::apply_override(root, o)] = o;
  }
  const toml::table* t = root["tune"].as_table();
  ATHANOR_CHECK(t != nullptr,
                "{}: no [tune] table; expected one naming the keys to search (see docs/tune.md)",
                path.string());
  TableReader r(source, t, "tune", t);
  TuneConfig tune;
  tune.strategy = r.choice("strategy", {"grid", "random", "halving"}).value_or("grid");
  std::string metric = r.string("metric").value_or("loss");
  // The metric is always measured on held-out data: "val_accuracy" means "accuracy".
  if (metric.starts_with("val_")) metric = metric.substr(4);
  const std::vector<std::string> logged = config::build_metrics(base, 2).names();
  if (metric != "loss" && std::find(logged.begin(), logged.end(), metric) == logged.end()) {
    std::string list = "loss";
    for (const std::string& n : logged) list += ", " + n;
    r.fail("metric", fmt::format("loss or one of the run's train.metrics ({})", list));
  }
  tune.metric = metric;
  const std::optional<std::string> mode = r.choice("mode", {"min", "max"});
  tune.mode = mode ? (*mode == "max" ? Mode::kMax : Mode::kMin) : default_mode(metric);
  tune.folds = r.integer("folds", Check::kNonNegative).value_or(0);
  if (tune.folds == 1) r.fail("folds", "0 (score on the validation split) or k >= 2 folds");
  tune.stratified = r.boolean("stratified").value_or(base.data.task == "classification");
  if (tune.stratified && base.data.task == "regression") {
    r.fail_message("stratified", "needs class labels; expected false for a regression task");
  }
  tune.trials =
      r.integer("trials", Check::kNonNegative).value_or(tune.strategy == "random" ? 10 : 0);
  if (tune.strategy == "random" && tune.trials == 0) r.fail("trials", "a positive integer");
  tune.seed = static_cast<uint64_t>(r.integer("seed", Check::kNonNegative).value_or(0));
  tune.budget = r.integer("budget", Check::kPositive).value_or(base.train.epochs);
  tune.max_budget = r.integer("max_budget", Check::kPositive).value_or(base.train.epochs);
  tune.min_budget = r.integer("min_budget", Check::kPositive).value_or(1);
  if (tune.min_budget > tune.max_budget) {
    r.fail("min_budget", fmt::format("at most max_budget = {}", tune.max_budget));
  }
  tune.eta = r.integer("eta", Check::kPositive).value_or(3);
  if (tune.eta < 2) r.fail("eta", "an integer >= 2");
  tune.parallel = r.integer("parallel", Check::kPositive).value_or(1);
  if (tune.parallel != 1) {
    r.fail("parallel", "1 (trials run one after another; each uses every thread)");
  }
  tune.patience = r.integer("patience", Check::kNonNegative).value_or(0);
  tune.dir = fs::absolute(r.path("dir", fs::current_path())
                              .value_or(fs::path("runs") / (path.stem().string() + "-tune")));
  const bool has_validation = !base.data.validation.empty() || base.data.validation_split > 0;
  if (tune.folds == 0 && !has_validation) {
    r.fail_message("folds",
                   "is 0 (score on the validation split) but the run has no validation "
                   "data; set data.validation_split, or folds >= 2");
  }
  read_space(source, r, tune);
  r.finish();
  TableReader space(source, t->get("space")->as_table(), "tune.space", t);
  check_keys(path, overrides, tune, space);
  return tune;
}

std::shared_ptr<Strategy> make_strategy(const TuneConfig& tune, const config::RunConfig& base) {
  const int64_t budget = tune.budget > 0 ? tune.budget : base.train.epochs;
  if (tune.strategy == "grid") return std::make_shared<GridSearch>(budget);
  if (tune.strategy == "random")
    return std::make_shared<RandomSearch>(tune.trials, tune.seed, budget);
  ATHANOR_CHECK(tune.strategy == "halving",
                "tune.strategy: expected grid, random or halving, got \"{}\"", tune.strategy);
  return std::make_shared<SuccessiveHalving>(SuccessiveHalvingOptions{
      .trials = tune.trials,
      .seed = tune.seed,
      .min_budget = tune.min_budget,
      .max_budget = tune.max_budget > 0 ? tune.max_budget : base.train.epochs,
      .eta = tune.eta});
}

namespace {

std::string score_text(const std::string& metric, const Score& s) {
  if (s.values.size() <= 1) return fmt::format("{} {:.4f}", metric, s.mean);
  return fmt::format("{} {:.4f} ± {:.4f}", metric, s.mean, s.std);
}

}  // namespace

SearchResult run_search(const fs::path& run_file, const SearchOptions& options) {
  const TuneConfig tune = read_tune_config(run_file, options.overrides);
  const config::RunConfig base = config::load_run_file(run_file, options.overrides);
  const fs::path dir = tune.dir;
  const fs::path csv = dir / "trials.csv";
  std::vector<Trial> finished;
  if (fs::exists(csv)) {
    ATHANOR_CHECK(options.resume,
                  "{} already holds a search (trials.csv): continue it with --resume, or set "
                  "tune.dir (e.g. --set tune.dir=runs/other)",
                  dir.string());
    finished = parse_trials_csv(io::read_file(csv), tune.space, csv.string());
  }
  fs::create_directories(dir / "trials");
  io::write_file_atomic(dir / "tune.toml", io::read_file(run_file));
  auto print = [&](const std::string& line) {
    if (options.print) options.print(line);
  };
  if (!finished.empty()) {
    print(fmt::format("resuming {}: {} trial(s) finished before are not run again", dir.string(),
                      finished.size()));
  }

  // A trial's run file: the base file, the --set overrides, then the trial's values.
  auto trial_config = [&](const Configuration& c, int64_t budget) {
    std::vector<std::string> o = options.overrides;
    for (const std::string& x : c.overrides()) o.push_back(x);
    config::RunConfig cfg = config::load_run_file(run_file, o);
    if (budget > 0) cfg.train.epochs = budget;
    return cfg;
  };
  // Data is read again only when a trial changes [data].
  std::optional<config::DataConfig> cached_data_config;
  std::optional<config::PreparedData> cached_data;
  const ScoreOptions score_options{.metric = tune.metric,
                                   .folds = tune.folds,
                                   .stratified = tune.stratified,
                                   .patience = tune.patience};
  auto objective = [&](const Configuration& c, int64_t budget) {
    const config::RunConfig cfg = trial_config(c, budget);
    if (!cached_data_config || !(*cached_data_config == cfg.data)) {
      cached_data = config::load_data(cfg);
      cached_data_config = cfg.data;
    }
    ScoreOptions o = score_options;
    o.budget = budget;
    return score_config(cfg, *cached_data, o);
  };

  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<Strategy> strategy = make_strategy(tune, base);
  TuneReport report;
  report.title = dir.filename().string();
  report.metric = tune.metric;
  report.mode = tune.mode;
  report.space = tune.space;
  auto facts = [&] {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return std::vector<std::pair<std::string, std::string>>{
        {"run file", fs::absolute(run_file).string()},
        {"strategy", strategy->name()},
        {"metric", fmt::format("{} ({})", tune.metric, tune.mode == Mode::kMax ? "max" : "min")},
        {"evaluation", tune.folds >= 2 ? fmt::format("{}-fold {}cross-validation", tune.folds,
                                                     tune.stratified ? "stratified " : "")
                                       : "validation split"},
        {"seed", fmt::format("{}", tune.seed)},
        {"duration (this session)", fmt::format("{:.1f} s", seconds)},
    };
  };
  size_t round_size = 0;
  TunerOptions tuner_options;
  tuner_options.mode = tune.mode;
  tuner_options.finished = finished;
  tuner_options.on_trial_begin = [&](const TrialSpec&, size_t, size_t count) {
    round_size = count;
  };
  tuner_options.on_trial_end = [&](const Trial& trial, const std::vector<Trial>& all) {
    config::RunConfig cfg = trial_config(trial.spec.config, trial.spec.budget);
    cfg.output.dir = dir / "runs" / fmt::format("{}", trial.spec.id);
    io::write_file_atomic(dir / "trials" / fmt::format("{}.toml", trial.spec.id),
                          config::to_toml(cfg));
    io::write_file_atomic(csv, trials_csv(tune.space, all));
    // The best so far among the trials of the highest rung reached.
    const Trial* best = nullptr;
    for (const Trial& t : all) {
      if (t.spec.rung == trial.spec.rung && (best == nullptr || better(t, *best, tune.mode))) {
        best = &t;
      }
    }
    int64_t in_round = 0;
    for (const Trial& t : all) in_round += t.spec.rung == trial.spec.rung ? 1 : 0;
    const std::string rung =
        strategy->name() == "halving" ? fmt::format("rung {}, ", trial.spec.rung) : "";
    print(fmt::format("trial {} ({}{}/{}, {} epoch{}): {} -> {} ({:.1f} s); best {:.4f} (trial {})",
                      trial.spec.id, rung, in_round, round_size, trial.spec.budget,
                      trial.spec.budget == 1 ? "" : "s", trial.spec.config.to_string(),
                      score_text(tune.metric, trial.score), trial.seconds, best->score.mean,
                      best->spec.id));
    report.trials = all;
    report.best_id = best->spec.id;
    report.facts = facts();
    io::write_file_atomic(dir / "tune.html", tune_html(report));
  };
  Tuner tuner(tune.space, strategy, tuner_options);
  tuner.run(objective);

  SearchResult result{tuner.trials(), tuner.best(), dir};
  config::RunConfig best = trial_config(result.best.spec.config, result.best.spec.budget);
  best.output.dir = dir / "best";
  io::write_file_atomic(dir / "best.toml", config::to_toml(best));
  io::write_file_atomic(csv, trials_csv(tune.space, result.trials));
  report.trials = result.trials;
  report.best_id = result.best.spec.id;
  report.facts = facts();
  io::write_file_atomic(dir / "tune.html", tune_html(report));
  print(fmt::format("best: trial {}: {} -> {}", result.best.spec.id,
                    result.best.spec.config.to_string(),
                    score_text(tune.metric, result.best.score)));
  return result;
}

}  // namespace athanor::tune
