// src/tune/tune_file_test.cpp: reading [tune] (defaults, errors naming the key) and run_search's
// folder: trials.csv, trial configs, best.toml, tune.html, and resuming an interrupted search.
#include <fstream>

#include <gtest/gtest.h>

#include <athanor/io/file.h>
#include <athanor/tune/results.h>
#include <athanor/tune/tune_file.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::tune {
namespace {

using data::testing::TempDir;

const std::string kIris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";

std::string run_text(const std::string& tune) {
  return "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kIris +
         "\"\n[model]\nlayers = [{ type = \"linear\" }]\n[optimizer]\nname = \"sgd\"\n"
         "lr = 0.05\n[train]\nepochs = 2\nbatch_size = 16\nmetrics = [\"accuracy\"]\n" +
         tune;
}

TEST(ReadTuneConfig, DefaultsAndTheSpaceInKeyOrder) {
  TempDir dir;
  const std::string path = dir.write(
      "r.toml", run_text("[tune]\nmetric = \"val_accuracy\"\ndir = \"" + dir.path("t") +
                         "\"\n[tune.space]\n\"train.batch_size\" = [8, 16]\n"
                         "\"optimizer.lr\" = { low = 1e-3, high = 1.0, scale = \"log\", count = "
                         "4 }\n\"optimizer.name\" = [\"sgd\", \"adam\"]\n"));
  const TuneConfig t = read_tune_config(path);
  EXPECT_EQ(t.strategy, "grid");
  EXPECT_EQ(t.metric, "accuracy");
  EXPECT_EQ(t.mode, Mode::kMax);
  EXPECT_EQ(t.folds, 0);
  EXPECT_TRUE(t.stratified);
  EXPECT_EQ(t.budget, 2);
  EXPECT_EQ(t.parallel, 1);
  EXPECT_EQ(t.dir, dir.path("t"));
  ASSERT_EQ(t.space.params().size(), 3u);
  EXPECT_EQ(t.space.params()[0].key, "optimizer.lr");
  ASSERT_TRUE(t.space.params()[0].range.has_value());
  EXPECT_EQ(t.space.params()[0].range->scale, Scale::kLog);
  EXPECT_EQ(t.space.params()[0].range->count, 4);
  EXPECT_EQ(t.space.params()[1].values, (std::vector<std::string>{"\"sgd\"", "\"adam\""}));
  EXPECT_EQ(t.space.params()[2].values, (std::vector<std::string>{"8", "16"}));
  EXPECT_EQ(t.space.grid().size(), 16u);
}

TEST(ReadTuneConfig, ASearchedKeyTheRunFileCannotHoldIsAnErrorNamingIt) {
  TempDir dir;
  const std::string path =
      dir.write("r.toml", run_text("[tune]\n[tune.space]\n\"optimizer.lrr\" = [0.1, 0.01]\n"));
  EXPECT_THROW_WITH_MESSAGE(read_tune_config(path),
                            "r.toml:15: tune.space.optimizer.lrr: cannot "
                            "be set in this run file");
  EXPECT_THROW_WITH_MESSAGE(read_tune_config(path), "optimizer.lrr: unknown key");
}

TEST(ReadTuneConfig, BadValuesNameFileLineAndKey) {
  TempDir dir;
  auto error = [&](const std::string& tune) {
    return testing::error_message([&] { read_tune_config(dir.write("r.toml", run_text(tune))); });
  };
  const std::string space = "[tune.space]\n\"optimizer.lr\" = [0.1]\n";
  EXPECT_EQ(error("[tune]\nstrategy = \"bayes\"\n" + space),
            dir.path("r.toml") +
                ":14: tune.strategy: expected one of grid, random, halving, got \"bayes\"");
  EXPECT_THAT(error("[tune]\nmetric = \"auc\"\n" + space),
              ::testing::HasSubstr(":14: tune.metric: expected loss or one of the run's "
                                   "train.metrics (loss, accuracy), got \"auc\""));
  EXPECT_THAT(error("[tune]\nfolds = 1\n" + space),
              ::testing::HasSubstr("tune.folds: expected 0 (score on the validation split) or k "
                                   ">= 2 folds, got 1"));
  EXPECT_THAT(error("[tune]\nparallel = 2\n" + space),
              ::testing::HasSubstr("tune.parallel: expected 1"));
  EXPECT_THAT(error("[tune]\nfold = 3\n" + space), ::testing::HasSubstr("tune.fold: unknown key"));
  EXPECT_THAT(error("[tune]\n[tune.space]\n\"optimizer.lr\" = { low = 0.0, high = 1.0, scale = "
                    "\"log\" }\n"),
              ::testing::HasSubstr("tune.space.optimizer.lr.low: expected a positive number (the "
                                   "scale is log), got 0"));
  EXPECT_THAT(error("[tune]\nmetric = \"loss\"\n"),
              ::testing::HasSubstr("tune.space: expected a table of searched keys"));
  EXPECT_THAT(error(""), ::testing::HasSubstr("no [tune] table"));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(RunSearch, WritesTheFolderAndResumesWithoutRerunningFinishedTrials) {
  TempDir dir;
  const std::string path = dir.write(
      "r.toml", run_text("[tune]\nstrategy = \"halving\"\ntrials = 4\nmin_budget = 1\n"
                         "max_budget = 2\neta = 2\nfolds = 2\nmetric = \"accuracy\"\ndir = \"" +
                         dir.path("t") +
                         "\"\n[tune.space]\n\"optimizer.lr\" = { low = 1e-3, high = 1.0, "
                         "scale = \"log\" }\n"));
  std::vector<std::string> printed;
  const SearchResult first =
      run_search(path, {.print = [&](const std::string& l) { printed.push_back(l); }});
  ASSERT_EQ(first.trials.size(), 6u);  // 4 at 1 epoch, the best 2 at 2 epochs
  EXPECT_EQ(first.best.spec.rung, 1);
  EXPECT_EQ(first.best.spec.budget, 2);
  EXPECT_EQ(first.best.score.values.size(), 2u);
  EXPECT_EQ(printed.size(), 7u);  // a line per trial and the best
  EXPECT_NE(printed[0].find("trial 0 (rung 0, 1/4, 1 epoch): optimizer.lr="), std::string::npos)
      << printed[0];
  const std::string csv = io::read_file(dir.path("t/trials.csv"));
  const std::vector<std::string> rows = lines_of(csv);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], "id,config,rung,budget,optimizer.lr,mean,std,seconds,values");
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(std::filesystem::exists(dir.path("t/trials/" + std::to_string(i) + ".toml")));
  }
  const config::RunConfig best = config::load_run_file(dir.path("t/best.toml"));
  EXPECT_EQ(best.optimizer.options.get_double("lr"),
            std::stod(first.best.spec.config.at("optimizer.lr")));
  EXPECT_EQ(best.train.epochs, 2);
  const std::string html = io::read_file(dir.path("t/tune.html"));
  EXPECT_NE(html.find("<table class=\"sortable\">"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no network

  // Starting again over a finished search is refused; --resume is needed.
  EXPECT_THROW_WITH_MESSAGE(run_search(path), "already holds a search (trials.csv)");

  // Killed after trial 3: only its first four rows were recorded.
  std::string cut;
  for (int i = 0; i < 5; ++i) cut += rows[static_cast<size_t>(i)] + "\n";
  io::write_file_atomic(dir.path("t/trials.csv"), cut);
  printed.clear();
  const SearchResult resumed = run_search(
      path, {.resume = true, .print = [&](const std::string& l) { printed.push_back(l); }});
  ASSERT_EQ(printed.size(), 4u);  // "resuming", trials 4 and 5, best
  EXPECT_NE(printed[0].find("4 trial(s) finished before are not run again"), std::string::npos);
  EXPECT_NE(printed[1].find("trial 4 "), std::string::npos) << printed[1];
  EXPECT_NE(printed[2].find("trial 5 "), std::string::npos) << printed[2];
  EXPECT_EQ(resumed.best.spec.config, first.best.spec.config);
  EXPECT_EQ(resumed.best.score.mean, first.best.score.mean);
  // The same rows again (seconds aside).
  const std::vector<std::string> again = lines_of(io::read_file(dir.path("t/trials.csv")));
  ASSERT_EQ(again.size(), rows.size());
  auto without_seconds = [](const std::string& row) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream in(row);
    while (std::getline(in, cell, ',')) f.push_back(cell);
    f[7] = "";
    return f;
  };
  for (size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(without_seconds(again[i]), without_seconds(rows[i]));
}

TEST(TrialsCsv, RoundTripsExactlyAndQuotesCommas) {
  SearchSpace space;
  space.add_values("optimizer.name", {"\"a,b\""}).add_values("optimizer.lr", {"0.1"});
  Trial t{{3, 1, 2, 9, Configuration{{{"optimizer.name", "\"a,b\""}, {"optimizer.lr", "0.1"}}}},
          Score::of({0.1 + 0.2, 1.0 / 3}),
          1.5};
  const std::string text = trials_csv(space, {t});
  EXPECT_NE(text.find("\"\"\"a,b\"\"\""), std::string::npos) << text;
  const std::vector<Trial> back = parse_trials_csv(text, space, "trials.csv");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].spec.id, 3);
  EXPECT_EQ(back[0].spec.config_index, 1);
  EXPECT_EQ(back[0].spec.rung, 2);
  EXPECT_EQ(back[0].spec.budget, 9);
  EXPECT_EQ(back[0].spec.config, t.spec.config);
  EXPECT_EQ(back[0].score.values, t.score.values);
  EXPECT_EQ(back[0].score.mean, t.score.mean);
  EXPECT_EQ(back[0].score.std, t.score.std);
  SearchSpace other;
  other.add_values("loss.l2", {"0.1"});
  EXPECT_THROW_WITH_MESSAGE(parse_trials_csv(text, other, "trials.csv"),
                            "trials.csv:1: the header lists other columns than this search's");
}

}  // namespace
}  // namespace athanor::tune
