// src/config/run_file_test.cpp: load_run_file: every section with its defaults, overrides, the
// to_toml round trip, and each kind of error with its file:line message.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/config/run_config.h>

#include "config/toml_reader.h"
#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::config {
namespace {

using data::testing::TempDir;

const std::string kSklearnData = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";
const std::string kIris = kSklearnData + "iris.csv";
const std::string kBreastCancer =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

const std::string kMinimal = R"([data]
format = "sklearn_csv"
train = ")" + kIris + R"("

[model]
layers = [{ type = "linear", units = 16 }, { type = "relu" }, { type = "linear" }]
)";

RunConfig load_text(const TempDir& dir, const std::string& text,
                    const std::vector<std::string>& overrides = {}) {
  return load_run_file(dir.write("run.toml", text), overrides);
}

std::string error_of(const TempDir& dir, const std::string& text,
                     const std::vector<std::string>& overrides = {}) {
  return athanor::testing::error_message([&] { load_text(dir, text, overrides); });
}

TEST(RunFile, MinimalFileGetsKerasLikeDefaults) {
  TempDir dir;
  const RunConfig c = load_text(dir, kMinimal);
  EXPECT_EQ(c.data.format, "sklearn_csv");
  EXPECT_EQ(c.data.train, kIris);
  EXPECT_EQ(c.data.task, "classification");
  EXPECT_EQ(c.data.validation_split, 0.1);
  EXPECT_EQ(c.data.test_split, 0.2);
  EXPECT_TRUE(c.data.stratify);
  EXPECT_EQ(c.data.normalize, "standardize");
  ASSERT_EQ(c.model.layers.size(), 3u);
  EXPECT_EQ(c.model.layers[0].options.get_int("units"), 16);
  EXPECT_EQ(c.model.layers[0].options.get_string("init"), "default");
  EXPECT_TRUE(c.model.layers[0].options.get_bool("bias"));
  EXPECT_EQ(c.model.layers[2].options.get_string("units"), "outputs");
  EXPECT_EQ(c.loss.name, "cross_entropy");
  EXPECT_EQ(c.loss.options.get_double("label_smoothing"), 0.0);
  EXPECT_EQ(c.optimizer.name, "adam");
  EXPECT_EQ(c.optimizer.options.get_double("lr"), 1e-3);
  EXPECT_EQ(c.optimizer.options.get_list("betas"), (std::vector<double>{0.9, 0.999}));
  EXPECT_EQ(c.schedule.name, "none");
  EXPECT_EQ(c.train.epochs, 10);
  EXPECT_EQ(c.train.batch_size, 32);
  ASSERT_EQ(c.train.metrics.size(), 1u);
  EXPECT_EQ(c.train.metrics[0].name, "accuracy");
  EXPECT_FALSE(c.train.early_stopping.has_value());
  EXPECT_TRUE(c.train.terminate_on_nan);
  EXPECT_EQ(c.output.dir, std::filesystem::current_path() / "runs" / "run");
  EXPECT_TRUE(c.output.tensorboard);
  EXPECT_EQ(c.output.checkpoint.monitor, "val_loss");
  EXPECT_EQ(c.output.checkpoint.keep_last, 2);
}

const std::string kFull = R"(# every section
[data]
format = "csv"
train = "train.csv"
test = "test.csv"
label_column = "target"
task = "regression"
validation_split = 0.25
seed = 7
normalize = "minmax"

[model]
layers = [
  { type = "linear", units = 8, init = "kaiming_normal" },
  { type = "batchnorm", momentum = 0.2 },
  { type = "leaky_relu", negative_slope = 0.1 },
  { type = "residual", layers = [{ type = "linear", units = 8 }, { type = "tanh" }] },
  { type = "dropout", p = 0.25 },
  { type = "linear", units = "outputs" },
]

[loss]
name = "huber"
delta = 2.0
l2 = 1e-4

[optimizer]
name = "sgd"
lr = 0.05
momentum = 0.9
nesterov = true

[schedule]
name = "cosine"
warmup_epochs = 1

[train]
epochs = 4
batch_size = 16
seed = 3
metrics = ["rmse", "r2"]
clip_grad_norm = 1.0
early_stopping = { patience = 2, restore_best_weights = true }

[output]
dir = "out/run1"
tensorboard = false
checkpoint = { every_n_steps = 50, keep_last = 3 }
)";

// Integer lists (a shape with -1, milestones) and the recurrent layers' options.
const std::string kSequence = R"([data]
format = "sklearn_csv"
train = ")" + kIris + R"("

[model]
layers = [
  { type = "reshape", shape = [-1, 2] },
  { type = "gru", units = 8, bidirectional = true, num_layers = 2, dropout = 0.1 },
  { type = "linear", units = "outputs" },
]

[schedule]
name = "multistep"
milestones = [2, 5]
)";

TEST(RunFile, ReadsEverySection) {
  TempDir dir;
  dir.write("train.csv", "a,target\n1,2\n3,4\n");
  dir.write("test.csv", "a,target\n1,2\n");
  const RunConfig c = load_text(dir, kFull);
  EXPECT_EQ(c.data.train, dir.root() / "train.csv");
  EXPECT_EQ(c.data.test, dir.root() / "test.csv");
  EXPECT_EQ(std::get<std::string>(c.data.label_column), "target");
  EXPECT_EQ(c.data.task, "regression");
  EXPECT_EQ(c.data.test_split, 0.0);  // a test file replaces the split
  EXPECT_FALSE(c.data.stratify);      // regression
  EXPECT_EQ(c.data.seed, 7u);
  EXPECT_EQ(c.model.layers[1].options.get_double("momentum"), 0.2);
  EXPECT_EQ(c.model.layers[3].type, "residual");
  ASSERT_EQ(c.model.layers[3].layers.size(), 2u);
  EXPECT_EQ(c.model.layers[3].layers[0].options.get_int("units"), 8);
  EXPECT_EQ(c.loss.name, "huber");
  EXPECT_EQ(c.loss.options.get_double("delta"), 2.0);
  EXPECT_EQ(c.loss.l2, 1e-4);
  EXPECT_EQ(c.optimizer.options.get_double("momentum"), 0.9);
  EXPECT_TRUE(c.optimizer.options.get_bool("nesterov"));
  EXPECT_EQ(c.schedule.options.get_int("t_max"), 0);  // the rest of the run
  EXPECT_EQ(c.schedule.warmup_epochs, 1);
  EXPECT_EQ(c.train.metrics[1].name, "r2");
  ASSERT_TRUE(c.train.early_stopping.has_value());
  EXPECT_EQ(c.train.early_stopping->monitor, "val_loss");
  EXPECT_EQ(c.train.early_stopping->patience, 2);
  EXPECT_EQ(c.output.dir, std::filesystem::current_path() / "out" / "run1");
  EXPECT_FALSE(c.output.tensorboard);
  EXPECT_EQ(c.output.checkpoint.every_n_steps, 50);
  EXPECT_EQ(c.output.checkpoint.every_n_epochs, 1);
}

TEST(RunFile, ToTomlReadsBackEqual) {
  TempDir dir;
  dir.write("train.csv", "a,target\n1,2\n3,4\n");
  dir.write("test.csv", "a,target\n1,2\n");
  for (const std::string& text : {kMinimal, kFull, kSequence}) {
    const RunConfig c = load_text(dir, text, {"optimizer.lr=0.125"});
    const std::string written = to_toml(c);
    // Elsewhere, so that nothing resolves against the original folder.
    TempDir other;
    const RunConfig back = load_run_file(other.write("as_run.toml", written));
    EXPECT_EQ(back, c) << written;
    EXPECT_EQ(to_toml(back), written);
    EXPECT_EQ(back.optimizer.options.get_double("lr"), 0.125);
  }
}

TEST(RunFile, MetricNamesWithOptions) {
  TempDir dir;
  const RunConfig c = load_text(
      dir, kMinimal +
               "[train]\nmetrics = [\"f1_macro\", \"top_3_accuracy\", { name = \"recall\", "
               "average = \"weighted\" }, \"auc\"]\n");
  ASSERT_EQ(c.train.metrics.size(), 4u);
  EXPECT_EQ(c.train.metrics[0], (MetricConfig{"f1", "macro", 5}));
  EXPECT_EQ(c.train.metrics[1], (MetricConfig{"top_k_accuracy", "", 3}));
  EXPECT_EQ(c.train.metrics[2], (MetricConfig{"recall", "weighted", 5}));
  EXPECT_EQ(c.train.metrics[3].name, "auc");
}

TEST(RunFile, OverridesSetNestedKeysAndParseValuesAsToml) {
  TempDir dir;
  const RunConfig c = load_text(
      dir, kMinimal,
      {"optimizer.lr=0.1", "train.epochs=3", "model.layers[0].units=8", "model.layers.2.units=3",
       "data.normalize=minmax", "optimizer.betas=[0.8, 0.9]", "train.early_stopping.patience=4"});
  EXPECT_EQ(c.optimizer.options.get_double("lr"), 0.1);
  EXPECT_EQ(c.train.epochs, 3);
  EXPECT_EQ(c.model.layers[0].options.get_int("units"), 8);
  EXPECT_EQ(c.model.layers[2].options.get_int("units"), 3);
  EXPECT_EQ(c.data.normalize, "minmax");  // a bare word is taken as a string
  EXPECT_EQ(c.optimizer.options.get_list("betas"), (std::vector<double>{0.8, 0.9}));
  EXPECT_EQ(c.train.early_stopping->patience, 4);
}

TEST(RunFile, OverrideErrorsNameTheOverride) {
  TempDir dir;
  EXPECT_EQ(error_of(dir, kMinimal, {"optimizer.lr=fast"}),
            "--set optimizer.lr=fast: optimizer.lr: expected a positive number, got \"fast\"");
  EXPECT_EQ(error_of(dir, kMinimal, {"optimizer.lrr=0.1"}),
            "--set optimizer.lrr=0.1: optimizer.lrr: unknown key (did you mean \"lr\"?); expected "
            "one of amsgrad, betas, eps, lr, maximize, name, weight_decay");
  EXPECT_EQ(error_of(dir, kMinimal, {"trian.epochs=2"}),
            "--set trian.epochs=2: trian: unknown key (did you mean \"train\"?); expected one of "
            "data, loss, model, optimizer, output, schedule, train");
  EXPECT_EQ(error_of(dir, kMinimal, {"epochs"}),
            "--set epochs: expected key=value (e.g. optimizer.lr=0.01)");
  EXPECT_EQ(error_of(dir, kMinimal, {"model.layers[7].units=3"}),
            "--set model.layers[7].units=3: model.layers: expected an index below 3 followed by "
            "a key, got '7'");
}

// ---- Errors: file:line: key: expected ..., got ... ----

TEST(RunFileErrors, BadValueNamesFileLineKeyExpectedAndGot) {
  TempDir dir;
  std::string text = kMinimal;  // 6 lines, then a blank one
  text += "\n[train]\nepochs = 3\nbatch_size = 8\n\n[optimizer]\nname = \"sgd\"\n";
  text += "lr = \"fast\"\n";  // line 14
  const std::string message = error_of(dir, text);
  EXPECT_EQ(message, (dir.root() / "run.toml").string() +
                         ":14: optimizer.lr: expected a positive number, got \"fast\"");
}

TEST(RunFileErrors, UnknownKeySuggestsTheClosest) {
  TempDir dir;
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepoch = 3\n"),
              ::testing::EndsWith("run.toml:8: train.epoch: unknown key (did you mean "
                                  "\"epochs\"?); expected one of accumulate_steps, batch_size, "
                                  "clip_grad_norm, clip_grad_value, early_stopping, epochs, "
                                  "metrics, seed, shuffle, terminate_on_nan, threads"));
  EXPECT_THAT(error_of(dir, kMinimal + "[loss]\nname = \"mse\"\nsmoothing = 0.1\n"),
              ::testing::HasSubstr("run.toml:9: loss.smoothing: unknown key; expected one of l1, "
                                   "l2, name"));
}

TEST(RunFileErrors, WrongTypesAndImpossibleValues) {
  TempDir dir;
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepochs = \"ten\"\n"),
              ::testing::EndsWith(":8: train.epochs: expected a positive integer, got \"ten\""));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepochs = -3\n"),
              ::testing::EndsWith(":8: train.epochs: expected a positive integer, got -3"));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nshuffle = 1\n"),
              ::testing::EndsWith(":8: train.shuffle: expected true or false, got 1"));
  EXPECT_THAT(error_of(dir, kMinimal + "[optimizer]\nbetas = [0.9]\n"),
              ::testing::EndsWith(":8: optimizer.betas: expected a list of 2 numbers, each "
                                  "number in [0, 1), got [0.9]"));
  EXPECT_THAT(error_of(dir, kMinimal + "[data]\n"),
              ::testing::HasSubstr("invalid TOML"));  // a table defined twice
  EXPECT_THAT(error_of(dir, R"([data]
format = "sklearn_csv"
train = ")" + kIris + R"("
validation_split = 0.5
test_split = 0.6
[model]
layers = [{ type = "linear" }]
)"),
              ::testing::EndsWith(":5: data.test_split: validation_split + test_split must be "
                                  "below 1 (something must be left to train on), got 0.5 + 0.6 "
                                  "= 1.1"));
  const std::string model = R"([data]
format = "sklearn_csv"
train = ")" + kIris + R"("
[model]
layers = [)";
  EXPECT_THAT(error_of(dir, model + R"({ type = "reshape", shape = [-1, -1] }])"),
              ::testing::EndsWith(":5: model.layers[0].shape: expected a non-empty list of "
                                  "positive integers, one of them may be -1, got [-1, -1]"));
  EXPECT_THAT(error_of(dir, model + R"({ type = "lstm", units = 0 }])"),
              ::testing::EndsWith(":5: model.layers[0].units: expected a positive integer, got 0"));
  EXPECT_THAT(error_of(dir, kMinimal + "[optimizer]\nname = \"sgd\"\nnesterov = true\n"),
              ::testing::EndsWith(":9: optimizer.nesterov: needs momentum > 0 (Nesterov "
                                  "momentum with no momentum)"));
}

TEST(RunFileErrors, UnknownNamesListTheValidOnes) {
  TempDir dir;
  EXPECT_THAT(
      error_of(dir, R"([data]
format = "sklearn_csv"
train = ")" + kIris + R"("
[model]
layers = [{ type = "linear", units = 4 },
          { type = "lnear" }]
)"),
      ::testing::EndsWith(
          ":6: model.layers[1].type: expected one of linear, conv1d, conv2d, maxpool2d, "
          "avgpool2d, adaptive_avgpool2d, batchnorm, layernorm, dropout, flatten, identity, "
          "relu, leaky_relu, elu, gelu, sigmoid, tanh, softplus, softmax, log_softmax, reshape, "
          "rnn, lstm, gru, residual (did you mean \"linear\"?), got \"lnear\""));
  EXPECT_THAT(error_of(dir, kMinimal + "[optimizer]\nname = \"adma\"\n"),
              ::testing::EndsWith(":8: optimizer.name: expected one of sgd, adam, adamw, "
                                  "rmsprop, adagrad, nadam, radam, lion (did you mean \"adam\"?), "
                                  "got \"adma\""));
  EXPECT_THAT(error_of(dir, kMinimal + "[loss]\nname = \"crossentropy\"\n"),
              ::testing::EndsWith(":8: loss.name: expected one of mse, l1, smooth_l1, huber, "
                                  "bce, bce_with_logits, cross_entropy, nll, hinge (did you mean "
                                  "\"cross_entropy\"?), got \"crossentropy\""));
  EXPECT_THAT(error_of(dir, kMinimal + "[schedule]\nname = \"cosin\"\n"),
              ::testing::HasSubstr(":8: schedule.name: expected one of none, step, multistep, "));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nmetrics = [\"acuracy\"]\n"),
              ::testing::EndsWith(":8: train.metrics[0]: expected a metric name (accuracy, "
                                  "top_k_accuracy, precision, recall, f1, auc, mse, rmse, mae, "
                                  "r2, or e.g. f1_macro, top_3_accuracy) (did you mean "
                                  "\"accuracy\"?), got \"acuracy\""));
}

TEST(RunFileErrors, InconsistentSections) {
  TempDir dir;
  EXPECT_THAT(error_of(dir, kMinimal + "[loss]\nname = \"mse\"\n"),
              ::testing::EndsWith(":8: loss.name: \"mse\" is a regression loss, but format "
                                  "\"sklearn_csv\" holds class labels; expected one of bce, "
                                  "bce_with_logits, cross_entropy, nll, hinge"));
  EXPECT_THAT(
      error_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kIris +
                        "\"\ntask = \"regression\"\n[model]\nlayers = [{ type = \"linear\" }]\n"),
      ::testing::EndsWith(":4: data.task: format \"sklearn_csv\" holds class labels; "
                          "expected \"classification\""));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nmetrics = [\"r2\"]\n"),
              ::testing::EndsWith(":8: train.metrics: \"r2\" is a regression metric, but "
                                  "data.task is \"classification\"; expected one of accuracy, "
                                  "top_k_accuracy, precision, recall, f1, auc"));
  // Without validation data the monitors default to the training loss...
  const RunConfig c =
      load_text(dir, kMinimal, {"data.validation_split=0", "train.early_stopping.patience=1"});
  EXPECT_EQ(c.train.early_stopping->monitor, "loss");
  EXPECT_EQ(c.output.checkpoint.monitor, "loss");
  // ...and asking for a validation value is an error.
  EXPECT_THAT(error_of(dir, kMinimal,
                       {"data.validation_split=0", "train.early_stopping.monitor=\"val_loss\""}),
              ::testing::EndsWith("train.early_stopping.monitor: monitors \"val_loss\" but there "
                                  "is no validation data; set data.validation_split or "
                                  "data.validation"));
}

// Non-ASCII characters outside strings: found by fuzz/fuzz_run_file.cpp, where Debian's toml++
// reached undefined behaviour (tests/corpus/run_file/); refused with the line before parsing.
TEST(RunFileErrors, NonAsciiOutsideStringsIsRefusedWithItsLine) {
  TempDir dir;
  const std::filesystem::path corpus =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "tests" /
      "corpus" / "run_file";
  const std::string outside = " is not allowed outside strings and comments";
  const std::string backslash =
      " after a backslash in a multi-line string is not supported; start the line with an ASCII "
      "character or write it as \\uFEBF";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"crash-toml-unreachable-u0171.toml", ":1: invalid TOML: character U+0171" + outside},
      // A quote where no string can start opens none: toml++ reads `-"` as a malformed number
      // and tested the U+FE7F after it as whitespace.
      {"crash-toml-unreachable-ufe7f.toml", ":2: invalid TOML: character U+FE7F" + outside},
      // In a multi-line basic string toml++ tests the character after a backslash, and those
      // it skips after a line-ending one, as whitespace: the same defect inside a string.
      {"crash-toml-unreachable-line-ending-backslash.toml",
       ":5: invalid TOML: character U+FEBF" + backslash},
      {"crash-toml-unreachable-backslash-space.toml",
       ":2: invalid TOML: character U+FEBF" + backslash},
      {"crash-toml-unreachable-backslash-escape.toml",
       ":2: invalid TOML: character U+FEBF" + backslash},
  };
  for (const auto& [name, message] : cases) {
    const std::filesystem::path file = corpus / name;
    EXPECT_EQ(athanor::testing::error_message([&] { load_run_file(file); }),
              file.string() + message);
  }
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nname = \"\"\"a \\\n  é\"\"\"\n"),
              ::testing::EndsWith(":9: invalid TOML: character U+00E9 after a backslash in a "
                                  "multi-line string is not supported; start the line with an "
                                  "ASCII character or write it as \\u00E9"));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepochs = -\"é\"\n"),
              ::testing::EndsWith(":8: invalid TOML: character U+00E9 is not allowed outside "
                                  "strings and comments"));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepochs = \"\"\"2\"\"\"\"é\"\n"),
              ::testing::EndsWith(":8: invalid TOML: character U+00E9 is not allowed outside "
                                  "strings and comments"));
  EXPECT_THAT(error_of(dir, kMinimal + "\n# un commentaire accentué: à é\n[train]\nepochs = 2\n"
                                       "seed = 3 # ±\n"),
              ::testing::StartsWith("<no athanor::Error thrown>"));
  EXPECT_THAT(error_of(dir, kMinimal + "[train]\nepochs = 2\nseed\u00a0= 3\n"),
              ::testing::EndsWith(":9: invalid TOML: character U+00A0 is not allowed outside "
                                  "strings and comments"));
  // In strings, one-line or multi-line, basic or literal, anything goes (here: a file name).
  dir.write("données.csv", "a,target\n1,2\n3,4\n");
  const RunConfig c = load_text(dir,
                                "[data]\nformat = \"csv\"\ntrain = 'données.csv'\n"
                                "task = \"\"\"regre\\\n    ssion\"\"\"\n[model]\nlayers = "
                                "[{ type = \"linear\" }]\n# '''é\n");
  EXPECT_EQ(c.data.train.filename().string(), "données.csv");
}

// The pre-check's idea of where strings are, against TOML's: quotes inside a bare value (which
// toml++ scans whole, testing each character as whitespace) open none; strings in arrays, nested
// multi-line arrays, inline tables, quoted and dotted keys and table headers are still strings.
TEST(TomlPreCheck, FollowsStringsWhereTomlHasThem) {
  using detail::parse_toml;
  EXPECT_EQ(athanor::testing::error_message([] { parse_toml("a = 32=!'''é'''\n", "t.toml"); }),
            "t.toml:1: invalid TOML: character U+00E9 is not allowed outside strings and comments");
  EXPECT_EQ(
      athanor::testing::error_message([] { parse_toml("a = [\n  [1, 2\"é\"],\n]\n", "t.toml"); }),
      "t.toml:2: invalid TOML: character U+00E9 is not allowed outside strings and comments");
  EXPECT_EQ(athanor::testing::error_message([] { parse_toml("a = [1, 2\"é\"]\n", "t.toml"); }),
            "t.toml:1: invalid TOML: character U+00E9 is not allowed outside strings and comments");
  const toml::table t = parse_toml(
      "a = [\"é\", 'ü', [\"ß\"],\n  [\"ø\", '''å'''],\n]\nb = { \"ñ\" = 1, c.\"ç\" = 2 }\n"
      "[\"ł\".\"ż\"]\nd = 1 # ö\n[[\"ę\"]]\ne = \"ą\"\n",
      "t.toml");
  EXPECT_EQ(t["a"][1].value<std::string>(), "ü");
  EXPECT_EQ(t["a"][3][1].value<std::string>(), "å");
  EXPECT_EQ(t["b"]["c"]["ç"].value<int64_t>(), 2);
  EXPECT_EQ(t["ł"]["ż"]["d"].value<int64_t>(), 1);
  EXPECT_EQ(t["ę"][0]["e"].value<std::string>(), "ą");
}

TEST(RunFileErrors, MissingFilesAndSections) {
  TempDir dir;
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"csv\"\ntrain = \"nope.csv\"\n"),
              ::testing::EndsWith(":3: data.train: no such file or directory: " +
                                  (dir.root() / "nope.csv").string()));
  // A name the file system cannot even look up (found by fuzz/fuzz_run_file.cpp, where
  // std::filesystem::exists threw past the reader).
  const std::string long_name(300, 'a');
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"csv\"\ntrain = \"" + long_name + "\"\n"),
              ::testing::EndsWith(":3: data.train: cannot look for " +
                                  (dir.root() / long_name).string() + ": File name too long"));
  EXPECT_THAT(
      error_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearnData + "irls.csv\"\n"),
      ::testing::EndsWith(":3: data.train: no such file or directory: " + kSklearnData +
                          "irls.csv; install python3-sklearn (apt-get install "
                          "python3-sklearn)"));
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"csv\"\n"),
              ::testing::EndsWith(":1: data.train: expected the path of the training data "
                                  "(format \"csv\"), got nothing"));
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kIris + "\"\n"),
              ::testing::EndsWith(": model.layers: expected a non-empty list of layers such as "
                                  "[{ type = \"linear\", units = 10 }], got nothing"));
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"csv\"\ntrain = 3\n"),
              ::testing::EndsWith(":3: data.train: expected a path, got 3"));
  EXPECT_THAT(error_of(dir, "[data]\nformat = \"parquet\"\n"),
              ::testing::EndsWith(":2: data.format: expected one of csv, sklearn_csv, idx, "
                                  "fashion-mnist, image_folder, got \"parquet\""));
  EXPECT_THAT(error_of(dir, "[data\n"), ::testing::HasSubstr("run.toml:1: invalid TOML: "));
  EXPECT_EQ(athanor::testing::error_message([&] { load_run_file(dir.path("absent.toml")); }),
            "cannot open run file '" + dir.path("absent.toml") + "'");
}

TEST(RunFile, TuneTableIsAcceptedAndLeftToAthanorTune) {
  TempDir dir;
  // [tune] is read by the tune layer (src/tune); the run itself is the same without it.
  const RunConfig with_tune =
      load_text(dir, kMinimal +
                         "\n[tune]\nstrategy = \"grid\"\nanything = 1\n[tune.space]\n"
                         "\"optimizer.lr\" = [0.1, 0.01]\n");
  EXPECT_EQ(with_tune, load_text(dir, kMinimal));
  EXPECT_EQ(to_toml(with_tune).find("[tune"), std::string::npos);
  EXPECT_THAT(error_of(dir, kMinimal + "[tunes]\n"), ::testing::HasSubstr("tunes: unknown key"));
}

}  // namespace
}  // namespace athanor::config
