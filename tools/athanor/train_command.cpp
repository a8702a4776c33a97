// tools/athanor/train_command.cpp: `athanor train RUN.toml` and `athanor resume RUN_DIR`: build the
// run from its file, train with a progress bar and callbacks into a run folder, then write the
// best model, the final scores and report.html.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <athanor/athanor.h>
#include <athanor/config/config.h>
#include <athanor/io/file.h>
#include <athanor/train/checkpoint.h>
#include <athanor/train/report.h>

#include "commands.h"
#include "evaluation.h"
#include "interrupt.h"
#include "model_file.h"

namespace athanor::cli {
namespace {

namespace fs = std::filesystem;

config::RunConfig read_run_file(const fs::path& path, const std::vector<std::string>& overrides) {
  try {
    return config::load_run_file(path, overrides);
  } catch (const Error& e) {
    throw UsageError(e.what());  // a bad run file is a usage error: exit status 2
  }
}

std::string now_iso() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
  return text;
}

/// CSVLogger must append when a run resumes; build_callbacks makes a fresh one.
train::CallbackList for_resume(const train::CallbackList& callbacks, const fs::path& run_dir) {
  train::CallbackList out;
  for (const auto& cb : callbacks) {
    if (dynamic_cast<train::CSVLogger*>(cb.get()) != nullptr) {
      out.push_back(train::CSVLogger(run_dir / "metrics.csv", {.append = true}));
    } else {
      out.push_back(cb);
    }
  }
  return out;
}

/// Trains (or resumes) the run described by `cfg` in cfg.output.dir.
void run(const config::RunConfig& cfg, bool resume) {
  const fs::path run_dir = cfg.output.dir;
  const auto started = std::chrono::steady_clock::now();
  const std::string started_at = now_iso();
  if (cfg.train.threads > 0) set_num_threads(static_cast<int>(cfg.train.threads));

  config::PreparedData data = config::load_data(cfg);
  manual_seed(cfg.train.seed);
  std::shared_ptr<nn::Module> model;
  try {
    model = config::build_model(cfg.model, data.input_shape, data.num_outputs);
  } catch (const Error& e) {
    // A model that does not fit the data is a mistake in the run file: exit status 2.
    throw UsageError(fmt::format("{}: {}", cfg.source.string(), e.what()));
  }
  std::unique_ptr<optim::Optimizer> optimizer =
      config::build_optimizer(cfg.optimizer, model->parameters());
  train::Trainer trainer(model, *optimizer, config::build_loss(cfg.loss));
  train::FitOptions options = config::fit_options(cfg, data, *model, *optimizer, run_dir);
  if (resume) {
    options.callbacks = for_resume(options.callbacks, run_dir);
    // The newest checkpoint that is complete and intact; damaged newer ones are named on stderr.
    options.resume_from = train::find_resumable_checkpoint(run_dir / "checkpoints", std::cerr);
  }
  std::shared_ptr<train::ModelCheckpoint> checkpoint;
  for (const auto& cb : options.callbacks) {
    if (auto c = std::dynamic_pointer_cast<train::ModelCheckpoint>(cb)) checkpoint = c;
  }
  options.callbacks.push_back(std::make_shared<InterruptCheckpoint>(checkpoint, run_dir));

  std::printf("athanor: %s %s: %ld training examples, %ld parameters, run folder %s\n",
              resume ? "resuming" : "training", cfg.source.filename().c_str(), data.train->size(),
              model->num_parameters(), run_dir.c_str());
  std::fflush(stdout);
  train::History history;
  try {
    history = trainer.fit(data.train, options);
  } catch (const Interrupted& e) {
    std::fprintf(stderr, "\nathanor: %s\n", e.what());
    std::exit(130);
  }
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The best weights by the checkpoint monitor, when one was kept; else the final ones.
  const fs::path best = run_dir / "checkpoints" / "best.safetensors";
  if (fs::exists(best)) model->load_state_dict(io::load_safetensors(best).tensors);
  save_model_file(run_dir / "model.safetensors", *model, cfg, data.preprocessing, data.num_outputs);

  train::ReportData report;
  report.title = run_dir.filename().string();
  report.history = history;
  const auto eval_set = data.test ? data.test : data.validation;
  if (eval_set) {
    const Scores scores = evaluate(trainer, cfg, eval_set, data.num_classes);
    const std::string which = data.test ? "test" : "validation";
    std::printf("%s: %s\n", which.c_str(), format_scores(scores.logs).c_str());
    for (const auto& [name, value] : scores.logs)
      report.final_scores.emplace_back(which + " " + name, value);
    report.confusion = scores.confusion;
    report.class_names = data.class_names;
    report.confusion_caption = fmt::format("{} set, {} examples", which, scores.examples);
  }
  double examples_seen = 0;
  for (size_t e = 0; e < history.size(); ++e)
    examples_seen += static_cast<double>(data.train->size());
  double fit_seconds = 0;
  for (const auto& logs : history.logs) fit_seconds += logs.get("seconds").value_or(0);
  report.facts = {
      {"run file", cfg.source.string()},
      {"started", started_at},
      {"duration", fmt::format("{:.1f} s", train_seconds)},
      {"epochs", fmt::format("{}", history.size())},
      {"samples per second",
       fit_seconds > 0 ? fmt::format("{:.0f}", examples_seen / fit_seconds) : "-"},
      {"parameters", fmt::format("{} ({} trainable)", model->num_parameters(),
                                 model->num_parameters(/*trainable_only=*/true))},
      {"threads", fmt::format("{}", get_num_threads())},
      {"command", command_line()},
      {"athanor", version()},
  };
  train::write_report(run_dir / "report.html", report);
  std::printf("report: %s\n", (run_dir / "report.html").c_str());
}

}  // namespace

void add_train_commands(CLI::App& app) {
  auto* train_cmd = app.add_subcommand("train", "Train the model a run file describes");
  static std::string run_file;
  static std::vector<std::string> overrides;
  static int threads = 0;
  train_cmd->add_option("RUN_FILE", run_file, "The run file (TOML)")->required();
  train_cmd->add_option("--set", overrides, "Override a key of the run file: key=value")
      ->take_all();
  train_cmd->add_option("--threads", threads, "Threads (default: the run file's, else all cores)");
  static bool detect_anomaly = false;
  train_cmd->add_flag("--detect-anomaly", detect_anomaly,
                      "Check every gradient in backward and name the op whose backward first "
                      "gives NaN or inf (slow)");
  train_cmd->callback([] {
    set_detect_anomaly(detect_anomaly);
    config::RunConfig cfg = read_run_file(run_file, overrides);
    if (threads > 0) cfg.train.threads = threads;
    const fs::path run_dir = cfg.output.dir;
    if (fs::exists(run_dir / "checkpoints" / train::kCheckpointIndex)) {
      throw UsageError(fmt::format(
          "{} already holds a run: continue it with `athanor resume {}`, or set output.dir "
          "(e.g. --set output.dir=runs/other)",
          run_dir.string(), run_dir.string()));
    }
    fs::create_directories(run_dir);
    io::write_file_atomic(run_dir / "run.toml", config::to_toml(cfg));
    run(cfg, /*resume=*/false);
  });

  auto* resume_cmd = app.add_subcommand("resume",
                                        "Continue an interrupted run from its last "
                                        "checkpoint");
  static std::string run_dir;
  resume_cmd->add_option("RUN_DIR", run_dir, "The run folder")->required();
  resume_cmd->add_flag("--detect-anomaly", detect_anomaly,
                       "Check every gradient in backward and name the op whose backward first "
                       "gives NaN or inf (slow)");
  resume_cmd->callback([] {
    set_detect_anomaly(detect_anomaly);
    const fs::path file = fs::path(run_dir) / "run.toml";
    if (!fs::exists(file)) {
      throw UsageError(fmt::format("{} is not a run folder (no run.toml)", run_dir));
    }
    if (!fs::exists(fs::path(run_dir) / "checkpoints" / train::kCheckpointIndex)) {
      throw UsageError(
          fmt::format("{} has no checkpoint yet: start it again with athanor train", run_dir));
    }
    config::RunConfig cfg = read_run_file(file, {});
    cfg.output.dir = fs::absolute(run_dir);
    run(cfg, /*resume=*/true);
  });
}

}  // namespace athanor::cli
