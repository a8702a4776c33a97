// src/train/callbacks_test.cpp: each callback on scripted runs: EarlyStopping stops at the right
// epoch and restores the best weights, ProgressBar's output with and without a terminal,
// CSVLogger's file, TerminateOnNaN's error, TensorBoard's decoded events, the lr callbacks.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <athanor/athanor.h>
#include <athanor/io/io.h>
#include <athanor/train/train.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "testing/matchers.h"
#include "train/train_test_util.h"

namespace athanor::train {
namespace {

using testing::regression_data;
using testing::small_mlp;

/// Sets logs["val_loss"] to a scripted value per epoch and keeps a copy of the weights at each
/// epoch's end. Runs before the callbacks under test (list order).
class Script : public Callback {
 public:
  explicit Script(std::vector<double> values) : values_(std::move(values)) {}
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override {
    logs.set("val_loss", values_.at(static_cast<size_t>(epoch)));
    TensorDict copy;
    for (const auto& [name, t] : trainer.model().state_dict()) copy.insert(name, t.clone());
    weights.push_back(copy);
  }
  std::string name() const override { return "Script"; }
  std::vector<TensorDict> weights;

 private:
  std::vector<double> values_;
};

struct Fixture {
  nn::Sequential model = small_mlp();
  optim::SGD opt{model.parameters(), {.lr = 0.05}};
  Trainer trainer{model, opt, nn::MSELoss()};
  std::shared_ptr<data::TensorDataset> data = regression_data(16);
};

TEST(EarlyStopping, StopsWhenPatienceRunsOutAndRestoresTheBestWeights) {
  Fixture f;
  auto script = std::make_shared<Script>(std::vector<double>{5, 4, 3, 3.5, 3.2, 3.1, 1, 0.5});
  auto early = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.patience = 3, .restore_best_weights = true});
  const History h = f.trainer.fit(
      f.data, {.epochs = 8, .batch_size = 4, .callbacks = {script, early}, .verbose = 0});
  // Best 3 at epoch 2; epochs 3, 4, 5 do not improve; the third of them stops the run.
  EXPECT_EQ(h.size(), 6u);
  EXPECT_EQ(early->stopped_epoch(), 5);
  EXPECT_EQ(early->best_epoch(), 2);
  EXPECT_EQ(early->best(), 3.0);
  for (const auto& [name, t] : f.model.state_dict()) {
    EXPECT_TENSOR_EQ(t, script->weights[2].at(name)) << name;
  }
}

TEST(EarlyStopping, MinDeltaBaselineAndMaxMode) {
  {  // Improvements smaller than min_delta do not count.
    Fixture f;
    auto early =
        std::make_shared<EarlyStopping>(EarlyStoppingOptions{.patience = 2, .min_delta = 0.5});
    const History h =
        f.trainer.fit(f.data, {.epochs = 8,
                               .batch_size = 4,
                               .callbacks = {Script({5, 4.9, 4.8, 4.7, 1, 0, 0, 0}), early},
                               .verbose = 0});
    EXPECT_EQ(h.size(), 3u);
    EXPECT_EQ(early->stopped_epoch(), 2);
  }
  {  // "accuracy"-like names are maximised; a baseline must be beaten to reset the patience.
    Fixture f;
    auto early = std::make_shared<EarlyStopping>(
        EarlyStoppingOptions{.monitor = "val_accuracy", .patience = 2, .baseline = 0.9});
    class Acc : public Callback {
     public:
      void on_epoch_end(Trainer&, int64_t epoch, Logs& logs) override {
        logs.set("val_accuracy", 0.5 + 0.1 * static_cast<double>(epoch));
      }
      std::string name() const override { return "Acc"; }
    };
    const History h = f.trainer.fit(
        f.data, {.epochs = 8, .batch_size = 4, .callbacks = {Acc(), early}, .verbose = 0});
    EXPECT_EQ(h.size(), 2u);  // 0.5, 0.6 improve but stay below the baseline
    EXPECT_NEAR(early->best(), 0.6, 1e-15);
  }
}

TEST(EarlyStopping, AMissingMonitorIsAnErrorNamingTheLogs) {
  Fixture f;
  EXPECT_THROW_WITH_MESSAGE(
      f.trainer.fit(f.data, {.batch_size = 4, .callbacks = {EarlyStopping()}, .verbose = 0}),
      "EarlyStopping: monitor 'val_loss' is not in the logs (have: loss, lr, seconds); a val_ "
      "value needs validation data");
}

std::string run_with_bar(bool terminal) {
  Fixture f;
  std::FILE* out = std::tmpfile();
  f.trainer.fit(
      f.data,
      {.epochs = 2,
       .batch_size = 4,
       .validation_split = 0.25,
       .metrics = {metrics::MAE()},
       .callbacks = {ProgressBar({.out = out, .terminal = terminal, .refresh_seconds = 0})}});
  std::rewind(out);
  std::string text;
  for (int c; (c = std::fgetc(out)) != EOF;) text += static_cast<char>(c);
  std::fclose(out);
  return text;
}

TEST(ProgressBar, WithoutATerminalOnePlainLinePerEpoch) {
  const std::string text = run_with_bar(false);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  std::istringstream lines(text);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  ASSERT_EQ(all.size(), 2u) << text;
  EXPECT_TRUE(all[0].starts_with("Epoch 1/2  3/3 [==============================] - ")) << all[0];
  EXPECT_TRUE(all[1].starts_with("Epoch 2/2  3/3 [==============================] - ")) << all[1];
  for (const std::string& line : all) {
    EXPECT_NE(line.find("/step - loss: "), std::string::npos) << line;
    EXPECT_NE(line.find(" - mae: "), std::string::npos) << line;
    EXPECT_NE(line.find(" - val_loss: "), std::string::npos) << line;
    EXPECT_NE(line.find(" - val_mae: "), std::string::npos) << line;
    EXPECT_EQ(line.find("seconds"), std::string::npos) << line;
  }
}

TEST(ProgressBar, OnATerminalRedrawsInPlaceWithAnEta) {
  const std::string text = run_with_bar(true);
  // Per epoch: a redraw after batches 1 and 2 of 3, then the final line.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 6) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  const std::string third = "[" + std::string(9, '=') + ">" + std::string(20, '.') + "]";
  const std::string two_thirds = "[" + std::string(19, '=') + ">" + std::string(10, '.') + "]";
  EXPECT_NE(text.find("\rEpoch 1/2  1/3 " + third + " - ETA: "), std::string::npos) << text;
  EXPECT_NE(text.find("\rEpoch 1/2  2/3 " + two_thirds + " - ETA: "), std::string::npos) << text;
  EXPECT_NE(text.find("\rEpoch 2/2  3/3 [==============================] - "), std::string::npos);
}

TEST(ProgressBar, FormatsValuesAndStepTimesAsKeras) {
  EXPECT_EQ(ProgressBar::format_value(0.31214), "0.3121");
  EXPECT_EQ(ProgressBar::format_value(1.23456e-5), "1.2346e-05");
  EXPECT_EQ(ProgressBar::format_value(0), "0.0000");
  EXPECT_EQ(ProgressBar::format_step_time(2.4), "2s");
  EXPECT_EQ(ProgressBar::format_step_time(0.0042), "4ms");
  EXPECT_EQ(ProgressBar::format_step_time(0.00035), "350us");
}

TEST(CSVLogger, WritesAHeaderAndOneRowPerEpoch) {
  data::testing::TempDir dir;
  Fixture f;
  const History h = f.trainer.fit(f.data, {.epochs = 3,
                                           .batch_size = 4,
                                           .validation_split = 0.25,
                                           .callbacks = {CSVLogger(dir.path("log.csv"))},
                                           .verbose = 0});
  std::ifstream in(dir.path("log.csv"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "epoch,loss,val_loss,lr,seconds");
  for (int e = 0; e < 3; ++e) {
    EXPECT_TRUE(lines[e + 1].starts_with(
        fmt::format("{},{},{},0.05,", e, h.logs[e].at("loss"), h.logs[e].at("val_loss"))))
        << lines[e + 1];
  }
}

TEST(TerminateOnNaN, FailsNamingTheValueEpochBatchAndStep) {
  Fixture f;
  // A loss that turns NaN at the 6th call (epoch 1, batch 1 with 4 batches per epoch).
  int calls = 0;
  Trainer trainer(f.model, f.opt, [&calls](const Tensor& out, const Tensor& y) {
    Tensor loss = mse_loss(out, y);
    return ++calls == 6 ? loss * std::nan("") : loss;
  });
  EXPECT_THROW_WITH_MESSAGE(
      trainer.fit(f.data, {.epochs = 3,
                           .batch_size = 4,
                           .check_finite = false,  // Trainer's own check would stop it first
                           .callbacks = {TerminateOnNaN()},
                           .verbose = 0}),
      "TerminateOnNaN: loss became nan at epoch 1, batch 1 (step 6)");
}

TEST(TensorBoard, WritesKerasTagsThatDecodeWithValidCrcs) {
  data::testing::TempDir dir;
  Fixture f;
  const History h =
      f.trainer.fit(f.data, {.epochs = 2,
                             .batch_size = 4,
                             .validation_split = 0.25,
                             .callbacks = {TensorBoard(dir.root(), {.update_every_steps = 2})},
                             .verbose = 0});
  auto events_in = [&](const std::string& sub) {
    std::vector<io::ScalarEvent> all;
    for (const auto& entry : std::filesystem::directory_iterator(dir.root() / sub)) {
      for (auto& e : io::read_scalar_events(entry.path())) all.push_back(e);
    }
    return all;
  };
  const auto train = events_in("train");
  const auto val = events_in("validation");
  auto find = [](const std::vector<io::ScalarEvent>& events, const std::string& tag, int64_t step) {
    for (const auto& e : events) {
      if (e.tag == tag && e.step == step) return e.value;
    }
    ADD_FAILURE() << "no event " << tag << " at step " << step;
    return std::nan("");
  };
  for (int64_t e = 0; e < 2; ++e) {
    EXPECT_EQ(find(train, "epoch_loss", e), static_cast<float>(h.logs[e].at("loss")));
    EXPECT_EQ(find(train, "epoch_learning_rate", e), static_cast<float>(0.05));
    EXPECT_EQ(find(val, "epoch_loss", e), static_cast<float>(h.logs[e].at("val_loss")));
  }
  // 3 steps per epoch, every 2nd step: steps 2 and 4 and 6.
  int batch_events = 0;
  for (const auto& e : train) batch_events += e.tag == "batch_loss";
  EXPECT_EQ(batch_events, 3);
  find(train, "batch_learning_rate", 4);
}

TEST(LearningRateCallbacks, ScheduleByEpochAndReduceOnPlateau) {
  {
    Fixture f;
    const History h =
        f.trainer.fit(f.data, {.epochs = 3,
                               .batch_size = 4,
                               .callbacks = {LearningRateScheduler([](int64_t epoch, double lr) {
                                 return epoch == 0 ? 0.2 : lr / 2;
                               })},
                               .verbose = 0});
    EXPECT_EQ(h["lr"], (std::vector<double>{0.2, 0.1, 0.05}));
  }
  {
    Fixture f;
    const History h = f.trainer.fit(
        f.data, {.epochs = 5,
                 .batch_size = 4,
                 .callbacks = {Script({3, 2, 2, 2, 2}),
                               ReduceLROnPlateau({.plateau = {.factor = 0.5, .patience = 1}})},
                 .verbose = 0});
    // Epoch 2 is the first bad one, epoch 3 the second: the lr is halved after epoch 3.
    EXPECT_EQ(h["lr"], (std::vector<double>{0.05, 0.05, 0.05, 0.05, 0.025}));
  }
}

}  // namespace
}  // namespace athanor::train
