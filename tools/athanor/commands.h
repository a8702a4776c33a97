// tools/athanor/commands.h: the subcommands of the athanor command line, each registered on the
// CLI11 app by one function, and the error type that exits with status 2 (bad usage or run file).
#pragma once

#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

namespace athanor::cli {

/// A mistake in what the user asked (an option, a run file): exit status 2, not 1.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The command line as typed, for the run's facts.
std::string& command_line();

void add_train_commands(CLI::App& app);  // train, resume
void add_evaluate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_summary_command(CLI::App& app);
void add_tune_command(CLI::App& app);

}  // namespace athanor::cli
