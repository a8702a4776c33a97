// tests/cli_test.cpp: the athanor command line end to end.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <athanor/version.h>

#include "data/temp_dir_test_util.h"
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

extern char** environ;

// ---- athanor train / evaluate / predict / summary / resume, end to end on the small examples ----

namespace athanor::testing {
namespace {

namespace fs = std::filesystem;

std::string example(const std::string& name) {
  return std::string(ATHANOR_EXAMPLES_DIR) + "/" + name;
}

/// Trains `example_file` into a fresh run folder under `dir`; returns the output.
CommandResult train(const data::testing::TempDir& dir, const std::string& example_file,
                    const std::string& extra = "") {
  return run("train " + example(example_file) + " --set output.dir=" + dir.path("run") + " " +
             extra);
}

TEST(CliTrain, LogisticRegressionWritesAWholeRunFolder) {
  data::testing::TempDir dir;
  const CommandResult r = train(dir, "logistic_regression_breast_cancer.toml");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_GE(number_after(r.output, "test: loss "), 0.0) << r.output;
  const double accuracy = number_after(r.output, " accuracy ");
  EXPECT_GE(accuracy, 0.93) << r.output;  // the example states >= 0.93
  EXPECT_GE(number_after(r.output, " auc "), 0.98) << r.output;
  const fs::path run_dir = dir.path("run");
  for (const char* f : {"run.toml", "metrics.csv", "model.safetensors", "report.html",
                        "checkpoints/checkpoints.json", "tensorboard/train"}) {
    EXPECT_TRUE(fs::exists(run_dir / f)) << f;
  }
  // No control characters when the output is not a terminal.
  EXPECT_EQ(r.output.find('\r'), std::string::npos);

  // evaluate scores the same test split to the same accuracy.
  const CommandResult e = run("evaluate " + run_dir.string() + " --json");
  ASSERT_EQ(e.status, 0) << e.output;
  EXPECT_NEAR(number_after(e.output, "\"accuracy\": "), accuracy, 5e-5) << e.output;
  EXPECT_THAT(e.output, ::testing::HasSubstr("\"confusion_matrix\""));

  // predict: one row per example, the class names of the training data.
  const std::string csv = dir.path("predictions.csv");
  const CommandResult p =
      run("predict " + run_dir.string() +
          " /usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv -o " + csv);
  ASSERT_EQ(p.status, 0) << p.output;
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header, "class,p_malignant,p_benign");
  int rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 569);

  // A second train into the same folder is refused, pointing at resume.
  const CommandResult again = train(dir, "logistic_regression_breast_cancer.toml");
  EXPECT_EQ(again.status, 2);
  EXPECT_THAT(again.output, ::testing::HasSubstr("already holds a run: continue it with "
                                                 "`athanor resume"));
}

TEST(CliTrain, SmallExamplesReachTheirStatedResults) {
  {
    data::testing::TempDir dir;
    const CommandResult r = train(dir, "iris_sgd_momentum.toml");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_GE(number_after(r.output, " accuracy "), 0.90) << r.output;
  }
  {
    data::testing::TempDir dir;
    const CommandResult r = train(dir, "linear_regression_diabetes.toml");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_GE(number_after(r.output, " r2 "), 0.40) << r.output;
    EXPECT_LE(number_after(r.output, " mae "), 50.0) << r.output;
  }
  {
    data::testing::TempDir dir;
    const CommandResult r = train(dir, "warmup_cosine.toml");
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_GE(number_after(r.output, " accuracy "), 0.90) << r.output;
  }
}

TEST(CliTrain, ABadRunFileExitsWith2NamingFileLineAndKey) {
  data::testing::TempDir dir;
  const std::string file = dir.write("run.toml",
                                     "[data]\nformat = \"sklearn_csv\"\n"
                                     "train = \"/usr/lib/python3/dist-packages/sklearn/datasets/"
                                     "data/iris.csv\"\n\n[model]\nlayers = [{ type = "
                                     "\"linear\" }]\n\n[optimizer]\nname = \"sgd\"\n"
                                     "lr = \"fast\"\n");
  const CommandResult r = run("train " + file);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("run.toml:10: optimizer.lr: expected a positive "
                                             "number, got \"fast\""));
  EXPECT_FALSE(fs::exists(dir.path("runs")));
}

TEST(CliTrain, AMissingDataFileOrAModelThatDoesNotFitNamesItsCause) {
  data::testing::TempDir dir;
  const std::string missing = dir.path("no_such.csv");
  const std::string file = dir.write("run.toml", "[data]\nformat = \"csv\"\ntrain = \"" + missing +
                                                     "\"\n[model]\nlayers = [{ type = "
                                                     "\"linear\" }]\n");
  CommandResult r = run("train " + file);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("run.toml:3: data.train: no such file or directory: " +
                                             missing));
  const std::string images =
      dir.write("images.toml", "[data]\nformat = \"fashion-mnist\"\ndir = \"" +
                                   dir.path("fashion") + "\"\n[model]\nlayers = []\n");
  r = run("train " + images);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output,
              ::testing::HasSubstr("images.toml:3: data.dir: no such file or directory: " +
                                   dir.path("fashion") + "; install dataset-fashion-mnist"));
  // A convolution on iris's 4 features: the layer and the shape it got.
  const std::string conv = dir.write(
      "conv.toml",
      "[data]\nformat = \"sklearn_csv\"\ntrain = \"/usr/lib/python3/dist-packages/sklearn/"
      "datasets/data/iris.csv\"\n[model]\nlayers = [{ type = \"conv2d\", filters = 4, kernel = "
      "3 }, { type = \"linear\" }]\n");
  r = run("train " + conv + " --set output.dir=" + dir.path("run"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("conv.toml: model.layers[0] (conv2d): expects input "
                                             "[channels, height, width], got input shape [4]"));
  EXPECT_FALSE(fs::exists(dir.path("run") + "/checkpoints"));
}

TEST(CliTrain, DetectAnomalyChecksEveryGradientWithoutFalseAlarms) {
  // Every backward of a real run is checked; a finite run must pass untouched.
  data::testing::TempDir dir;
  const CommandResult r =
      train(dir, "iris_sgd_momentum.toml", "--set train.epochs=3 --detect-anomaly");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_GE(number_after(r.output, " accuracy "), 0.5) << r.output;
}

TEST(CliSummary, PrintsTheModelTable) {
  const CommandResult r = run("summary " + example("iris_sgd_momentum.toml"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_THAT(r.output, ::testing::HasSubstr("Linear"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("[1, 16]"));
  EXPECT_THAT(r.output, ::testing::HasSubstr("[1, 3]"));
}

TEST(CliResume, CtrlCLeavesAResumableCheckpoint) {
  data::testing::TempDir dir;
  const std::string run_dir = dir.path("run");
  // A long iris run, interrupted by SIGINT once its first checkpoint exists.
  const std::string out_path = dir.path("out.txt");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> args{ATHANOR_CLI_PATH,
                                "train",
                                example("iris_sgd_momentum.toml"),
                                "--set",
                                "output.dir=" + run_dir,
                                "--set",
                                "train.epochs=400"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 60000 && !fs::exists(run_dir + "/checkpoints/checkpoints.json"); ++i) {
    usleep(1000);
  }
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  std::ifstream in(dir.path("out.txt"));
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(out, ::testing::HasSubstr("checkpoint written; continue with: athanor resume"))
      << out;
  const CommandResult resumed = run("resume " + run_dir);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_THAT(resumed.output, ::testing::HasSubstr("athanor: resuming"));
  EXPECT_TRUE(fs::exists(run_dir + "/model.safetensors"));
}

}  // namespace
}  // namespace athanor::testing
