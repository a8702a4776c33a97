// tests/run_command.h: runs a shell command and captures its output and exit status, for the
// integration tests that drive the CLI and the examples.
#pragma once

#include <array>
#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace athanor::testing {

struct CommandResult {
  std::string output;  // stdout (and stderr when the command redirects it)
  int status;          // exit status, or -1 when the command did not exit normally
};

inline CommandResult run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (pipe && fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = pipe ? pclose(pipe) : -1;
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

/// The number printed right after `label` in `text`; NaN (and a test failure) when absent.
double number_after(const std::string& text, const std::string& label);

}  // namespace athanor::testing
