// tests/cli_test.cpp: the athanor command line end to end.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/version.h>

#include "run_command.h"

namespace {

using athanor::testing::CommandResult;

CommandResult run(const std::string& args) {
  return athanor::testing::run_command(std::string(ATHANOR_CLI_PATH) + " " + args + " 2>&1");
}

TEST(Cli, PrintsItsVersion) {
  const CommandResult r = run("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.output, std::string("athanor ") + athanor::version() + "\n");
}

TEST(Cli, PrintsHelp) {
  const CommandResult r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.output, ::testing::HasSubstr("Usage:"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("--version"));
}

TEST(Cli, RejectsUnknownOptionsWithStatus2) {
  const CommandResult r = run("--no-such-flag");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.output, ::testing::HasSubstr("--no-such-flag"));
}

}  // namespace
