// tools/athanor/main.cpp: the athanor CLI: train, resume, evaluate, predict, summary, tune.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include <athanor/athanor.h>

#include "commands.h"

namespace athanor::cli {

std::string& command_line() {
  static std::string line;
  return line;
}

}  // namespace athanor::cli

int main(int argc, char** argv) {
  using namespace athanor::cli;
  for (int i = 0; i < argc; ++i) command_line() += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"athanor: train machine-learning models from a run file (TOML), no code needed."};
  app.set_version_flag("--version", fmt::format("athanor {}", athanor::version()));
  app.require_subcommand(0, 1);
  add_train_commands(app);
  add_evaluate_command(app);
  add_predict_command(app);
  add_summary_command(app);
  add_tune_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "athanor: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "athanor: error: %s\n", e.what());
    return 1;
  }
  if (argc == 1) std::fputs(app.help().c_str(), stdout);
  return 0;
}
