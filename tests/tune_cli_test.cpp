// tests/tune_cli_test.cpp: `athanor tune` end to end on iris: progress lines, the search folder,
// --resume after an interruption, and run-file mistakes reported with exit status 2.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/temp_dir_test_util.h"
#include "run_command.h"

extern char** environ;

namespace athanor::testing {
namespace {

namespace fs = std::filesystem;

const std::string kIris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";

CommandResult tune(const std::string& args) {
  return run_command(std::string(ATHANOR_CLI_PATH) + " tune " + args + " 2>&1");
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string fmt_count(int finished) {
  return std::to_string(finished) + " trial(s) finished before are not run again";
}

std::string run_file(const data::testing::TempDir& dir, const std::string& space) {
  return dir.write("iris_tune.toml",
                   "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kIris +
                       "\"\n[model]\nlayers = [{ type = \"linear\", units = 8 }, { type = "
                       "\"relu\" }, { type = \"linear\" }]\n[optimizer]\nname = \"sgd\"\n"
                       "[train]\nepochs = 3\nbatch_size = 16\nmetrics = [\"accuracy\"]\n"
                       "[tune]\nmetric = \"accuracy\"\nfolds = 3\ndir = \"" +
                       dir.path("search") + "\"\n[tune.space]\n" + space);
}

TEST(TuneCli, GridSearchWritesTheFolderAndResumesWithoutRerunningTrials) {
  data::testing::TempDir dir;
  const std::string file =
      run_file(dir, "\"optimizer.lr\" = [0.01, 0.1]\n\"train.batch_size\" = [8, 32]\n");
  const CommandResult first = tune(file);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_EQ(count(first.output, "\ntrial "), 4) << first.output;
  EXPECT_THAT(first.output, ::testing::HasSubstr("trial 0 (1/4, 3 epochs): optimizer.lr=0.01 "
                                                 "train.batch_size=8 -> accuracy "));
  EXPECT_THAT(first.output, ::testing::HasSubstr("best config: " + dir.path("search/best.toml")));
  const fs::path search = dir.path("search");
  for (const char* f :
       {"trials.csv", "best.toml", "tune.html", "tune.toml", "trials/0.toml", "trials/3.toml"}) {
    EXPECT_TRUE(fs::exists(search / f)) << f;
  }
  const std::string csv = read(search / "trials.csv");
  EXPECT_EQ(count(csv, "\n"), 5);
  const std::string best = read(search / "best.toml");
  const std::string html = read(search / "tune.html");
  EXPECT_THAT(html, ::testing::HasSubstr("optimizer.lr"));
  EXPECT_THAT(html, ::testing::HasSubstr("data-tune-loaded"));

  // Again without --resume: refused, nothing overwritten.
  const CommandResult again = tune(file);
  EXPECT_EQ(again.status, 2);
  EXPECT_THAT(again.output, ::testing::HasSubstr("already holds a search (trials.csv): continue "
                                                 "it with `athanor tune " +
                                                 file + " --resume`"));

  // As if killed during trial 2: trials.csv holds the header and trials 0 and 1.
  std::istringstream rows(csv);
  std::string cut, line;
  for (int i = 0; i < 3 && std::getline(rows, line); ++i) cut += line + "\n";
  std::ofstream(search / "trials.csv") << cut;
  fs::remove(search / "best.toml");
  const CommandResult resumed = tune(file + " --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_THAT(resumed.output, ::testing::HasSubstr("2 trial(s) finished before are not run again"));
  EXPECT_EQ(count(resumed.output, "\ntrial "), 2) << resumed.output;
  EXPECT_THAT(resumed.output, ::testing::Not(::testing::HasSubstr("\ntrial 0 ")));
  EXPECT_THAT(resumed.output, ::testing::Not(::testing::HasSubstr("\ntrial 1 ")));
  EXPECT_EQ(read(search / "best.toml"), best);
  EXPECT_EQ(count(read(search / "trials.csv"), "\n"), 5);
}

TEST(TuneCli, AKilledSearchResumesWithoutRerunningFinishedTrialsAndEndsTheSame) {
  data::testing::TempDir dir;
  const std::string space =
      "\"optimizer.lr\" = { low = 0.003, high = 0.3, scale = \"log\" }\n"
      "\"train.batch_size\" = [8, 16, 32]\n";
  const std::string file = run_file(dir, space);
  // The whole search, uninterrupted, in another folder.
  const CommandResult whole = tune(file +
                                   " --set tune.strategy=\"random\" --set tune.trials=8 "
                                   "--set tune.dir=" +
                                   dir.path("whole"));
  ASSERT_EQ(whole.status, 0) << whole.output;

  // The same search, killed (SIGKILL: no chance to clean up) once trials.csv holds 2 trials.
  const fs::path csv = dir.path("search/trials.csv");
  const std::string out_path = dir.path("killed.out");
  std::vector<std::string> args = {ATHANOR_CLI_PATH,           "tune",  file,           "--set",
                                   "tune.strategy=\"random\"", "--set", "tune.trials=8"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int rows = 0;
  for (int i = 0; i < 20000 && rows < 3; ++i) {  // header + 2 trials, 100 s at most
    usleep(5000);
    rows = fs::exists(csv) ? count(read(csv), "\n") : 0;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const int finished = count(read(csv), "\n") - 1;
  ASSERT_GE(finished, 2);
  if (finished == 8) GTEST_SKIP() << "the search finished before it could be killed";

  const CommandResult resumed =
      tune(file + " --set tune.strategy=\"random\" --set tune.trials=8 --resume");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_THAT(resumed.output, ::testing::HasSubstr(fmt_count(finished)));
  EXPECT_EQ(count(resumed.output, "\ntrial "), 8 - finished) << resumed.output;
  for (int id = 0; id < finished; ++id) {
    EXPECT_THAT(resumed.output,
                ::testing::Not(::testing::HasSubstr("\ntrial " + std::to_string(id) + " ")));
  }
  // The same best configuration (best.toml differs only in its output.dir).
  std::string whole_best = read(dir.path("whole/best.toml"));
  const size_t at = whole_best.find(dir.path("whole"));
  ASSERT_NE(at, std::string::npos);
  whole_best.replace(at, dir.path("whole").size(), dir.path("search"));
  EXPECT_EQ(read(dir.path("search/best.toml")), whole_best);
  EXPECT_EQ(count(read(csv), "\n"), 9);
}

TEST(TuneCli, AKeyTheRunFileCannotHoldIsAUsageErrorNamingIt) {
  data::testing::TempDir dir;
  const CommandResult r = tune(run_file(dir, "\"optimizer.momentun\" = [0.0, 0.9]\n"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("tune.space.optimizer.momentun: cannot be set in "
                                             "this run file"));
  EXPECT_FALSE(fs::exists(dir.path("search")));
}

TEST(TuneCli, AFileWithoutTuneTableIsAUsageError) {
  const CommandResult r = tune(std::string(ATHANOR_EXAMPLES_DIR) + "/iris_sgd_momentum.toml");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("no [tune] table"));
}

}  // namespace
}  // namespace athanor::testing
