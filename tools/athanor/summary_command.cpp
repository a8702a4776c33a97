// tools/athanor/summary_command.cpp: `athanor summary RUN.toml`: the model a run file builds, as
// a table of layers, output shapes and parameters (input sizes inferred from the data).
#include <cstdio>

#include <athanor/athanor.h>
#include <athanor/config/config.h>

#include "commands.h"

namespace athanor::cli {

void add_summary_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary",
                                 "Print the model of a run file: layers, output "
                                 "shapes, parameters");
  static std::string run_file;
  static std::vector<std::string> overrides;
  cmd->add_option("RUN_FILE", run_file, "The run file (TOML)")->required();
  cmd->add_option("--set", overrides, "Override a key of the run file: key=value")->take_all();
  cmd->callback([] {
    config::RunConfig cfg;
    try {
      cfg = config::load_run_file(run_file, overrides);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    const config::PreparedData data = config::load_data(cfg);
    manual_seed(cfg.train.seed);
    auto model = config::build_model(cfg.model, data.input_shape, data.num_outputs);
    std::vector<int64_t> dims{1};
    for (int64_t d : data.input_shape) dims.push_back(d);
    std::fputs(model->summary(Shape(dims)).c_str(), stdout);
  });
}

}  // namespace athanor::cli
