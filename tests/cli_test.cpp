// tests/cli_test.cpp: the athanor command line end to end.
#include <array>
#include <cstdio>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <athanor/version.h>

namespace {

struct Result {
  std::string output;
  int status;
};

Result run(const std::string& args) {
  const std::string command = std::string(ATHANOR_CLI_PATH) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (pipe && fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  const int status = pipe ? pclose(pipe) : -1;
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST(Cli, PrintsItsVersion) {
  const Result r = run("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.output, std::string("athanor ") + athanor::version() + "\n");
}

TEST(Cli, PrintsHelp) {
  const Result r = run("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.output, ::testing::HasSubstr("Usage:"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("--version"));
}

TEST(Cli, RejectsUnknownOptionsWithStatus2) {
  const Result r = run("--no-such-flag");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.output, ::testing::HasSubstr("--no-such-flag"));
}

}  // namespace
