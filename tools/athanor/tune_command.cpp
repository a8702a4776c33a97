// tools/athanor/tune_command.cpp: `athanor tune RUN.toml`: the hyperparameter search of the run
// file's [tune] table, a progress line per trial, results in a search folder; --resume continues.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/tune/tune.h>

#include "commands.h"

namespace athanor::cli {

void add_tune_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "tune", "Search hyperparameters: the run file's [tune] table says what to vary and how");
  static std::string run_file;
  static std::vector<std::string> overrides;
  static bool resume = false;
  static int threads = 0;
  cmd->add_option("RUN_FILE", run_file, "The run file (TOML) with a [tune] table")->required();
  cmd->add_option("--set", overrides, "Override a key of the run file: key=value")->take_all();
  cmd->add_flag("--resume", resume,
                "Continue the search in its folder, without re-running finished trials");
  cmd->add_option("--threads", threads, "Threads (default: the run file's, else all cores)");
  cmd->callback([] {
    if (threads > 0) overrides.push_back(fmt::format("train.threads={}", threads));
    // A bad run file or [tune] table is a usage error (exit 2); read it before anything runs.
    tune::TuneConfig tc;
    try {
      tc = tune::read_tune_config(run_file, overrides);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    const std::filesystem::path csv = tc.dir / "trials.csv";
    if (!resume && std::filesystem::exists(csv)) {
      throw UsageError(fmt::format(
          "{} already holds a search (trials.csv): continue it with `athanor tune {} --resume`, "
          "or set tune.dir (e.g. --set tune.dir=runs/other)",
          tc.dir.string(), run_file));
    }
    std::printf("athanor: tuning %s: %zu key(s), strategy %s, metric %s, folder %s\n",
                run_file.c_str(), tc.space.params().size(), tc.strategy.c_str(), tc.metric.c_str(),
                tc.dir.c_str());
    std::fflush(stdout);
    const tune::SearchResult result = tune::run_search(
        run_file, {.overrides = overrides, .resume = resume, .print = [](const std::string& line) {
                     std::printf("%s\n", line.c_str());
                     std::fflush(stdout);
                   }});
    std::printf("best config: %s\nreport: %s\n", (result.dir / "best.toml").c_str(),
                (result.dir / "tune.html").c_str());
  });
}

}  // namespace athanor::cli
