// tools/athanor/main.cpp: the athanor command line. For now: --version and --help.
#include <cstdio>

#include <CLI/CLI.hpp>

#include <athanor/athanor.h>

int main(int argc, char** argv) {
  CLI::App app{
      "athanor: train machine-learning models from C++ or from a run file.\n"
      "Commands (train, evaluate, predict, summary) arrive in later versions."};
  app.set_version_flag("--version", fmt::format("athanor {}", athanor::version()));
  app.require_subcommand(0);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (argc == 1) std::fputs(app.help().c_str(), stdout);
  return 0;
}
