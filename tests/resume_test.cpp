// tests/resume_test.cpp: exact resume under a real crash: a child training process is killed with
// SIGKILL at a random moment, resumed from its last checkpoint, and must end with weights
// bit-identical to an uninterrupted run.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <athanor/io/io.h>

#include "data/temp_dir_test_util.h"

extern char** environ;

namespace athanor {
namespace {

namespace fs = std::filesystem;

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

/// Runs to completion; returns the exit status (or -1).
int run(const std::vector<std::string>& args) {
  const pid_t pid = spawn(args);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Resume, AfterSigkillAtARandomStepWeightsAreBitIdentical) {
  // One thread: both runs must use the same count, and the machine may be busy.
  setenv("ATHANOR_NUM_THREADS", "1", 1);
  data::testing::TempDir dir;
  const std::string child = ATHANOR_RESUME_CHILD;
  const fs::path full = dir.root() / "full";
  const fs::path killed = dir.root() / "killed";
  fs::create_directories(full);
  fs::create_directories(killed);
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  const Clock::time_point full_start = Clock::now();
  ASSERT_EQ(run({child, full.string()}), 0);
  const auto full_run = std::chrono::duration_cast<milliseconds>(Clock::now() - full_start);

  // Kill the second run at a random moment after its first checkpoint, within the first half of
  // what the full run says is left (the run takes a few hundred ms on a fast machine, longer on
  // a busy one: a fixed range once outlasted it).
  std::random_device entropy;
  const unsigned seed = entropy();
  std::mt19937 rng(seed);
  const Clock::time_point start = Clock::now();
  const pid_t pid = spawn({child, killed.string()});
  const auto deadline = start + std::chrono::seconds(60);
  while (!fs::exists(killed / "checkpoints.json") && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  const auto left = full_run - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  const auto delay = milliseconds(std::uniform_int_distribution<int64_t>(
      0, std::max<int64_t>(0, static_cast<int64_t>(left.count()) / 2))(rng));
  std::this_thread::sleep_for(delay);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child finished before it was killed (delay " << delay.count() << " ms of the "
      << left.count() << " ms the full run had left, seed " << seed << ")";
  ASSERT_FALSE(fs::exists(killed / "final.safetensors"));
  const std::string index = io::read_file(killed / "checkpoints.json");
  std::cout << "killed " << delay.count() << " ms after the first checkpoint (seed " << seed
            << "); index: " << index.substr(index.find("\"latest\"")) << std::flush;

  ASSERT_EQ(run({child, killed.string(), "--resume"}), 0);
  EXPECT_EQ(io::read_file(killed / "final.safetensors"), io::read_file(full / "final.safetensors"))
      << "seed " << seed;
}

}  // namespace
}  // namespace athanor
