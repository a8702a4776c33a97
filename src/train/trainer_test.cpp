// src/train/trainer_test.cpp: Trainer: fit equals the hand-written loop bit for bit, gradient
// accumulation, clipping, schedules, validation split, evaluate, predict, stopping and errors.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/athanor.h>
#include <athanor/train/train.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "testing/matchers.h"
#include "train/train_test_util.h"

namespace athanor::train {
namespace {

using testing::regression_data;
using testing::small_mlp;

void expect_same_weights(nn::Module& a, nn::Module& b) {
  const TensorDict sa = a.state_dict();
  const TensorDict sb = b.state_dict();
  ASSERT_EQ(sa.keys(), sb.keys());
  for (const auto& [name, tensor] : sa) EXPECT_TENSOR_EQ(tensor, sb.at(name)) << name;
}

TEST(Trainer, FitIsTheHandWrittenLoopBitForBit) {
  auto data = regression_data(50);
  nn::Sequential a = small_mlp();
  optim::SGD opt_a(a.parameters(), {.lr = 0.05, .momentum = 0.9});
  Trainer trainer(a, opt_a, nn::MSELoss());
  const History h = trainer.fit(data, {.epochs = 3, .batch_size = 8, .seed = 5, .verbose = 0});

  nn::Sequential b = small_mlp();
  optim::SGD opt_b(b.parameters(), {.lr = 0.05, .momentum = 0.9});
  data::DataLoader loader(data, {.batch_size = 8, .shuffle = true, .seed = 5});
  b.train();
  std::vector<double> epoch_losses;
  for (int epoch = 0; epoch < 3; ++epoch) {
    double sum = 0;
    int64_t count = 0;
    for (auto& [x, y] : loader) {
      Tensor loss = mse_loss(b(x), y);
      loss.backward();
      opt_b.step();
      opt_b.zero_grad();
      sum += loss.item<double>() * static_cast<double>(x.size(0));
      count += x.size(0);
    }
    epoch_losses.push_back(sum / static_cast<double>(count));
  }
  expect_same_weights(a, b);
  EXPECT_EQ(h["loss"], epoch_losses);
  EXPECT_EQ(h.epochs, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(trainer.global_step(), 3 * 7);
  EXPECT_LT(epoch_losses[2], epoch_losses[0]);
}

TEST(Trainer, LogsLossMetricsValidationLrAndSecondsInKerasOrder) {
  nn::Sequential model = small_mlp();
  optim::Adam opt(model.parameters(), {.lr = 1e-2});
  Trainer trainer(model, opt, nn::MSELoss());
  const History h = trainer.fit(regression_data(40), {.epochs = 2,
                                                      .batch_size = 16,
                                                      .validation_split = 0.25,
                                                      .metrics = {metrics::MAE()},
                                                      .verbose = 0});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h.logs[0].names(), "loss, mae, val_loss, val_mae, lr, seconds");
  EXPECT_EQ(h["lr"], (std::vector<double>{1e-2, 1e-2}));
  // Keras's rule: the last 25% (10 examples) validate; 30 train, in 2 batches.
  EXPECT_EQ(trainer.steps_per_epoch(), 2);
  const auto all = regression_data(40);
  const Tensor tail_x = all->inputs().slice(0, 30, 40);
  const Tensor tail_y = all->targets().slice(0, 30, 40);
  const Logs again =
      trainer.evaluate(tail_x, tail_y, {.batch_size = 16, .metrics = {metrics::MAE()}});
  EXPECT_DOUBLE_EQ(again.at("loss"), h.logs[1].at("val_loss"));
  EXPECT_DOUBLE_EQ(again.at("mae"), h.logs[1].at("val_mae"));
}

TEST(Trainer, GradientAccumulationMatchesOneLargerBatch) {
  // The mean loss of 16 examples has the mean of the two 8-example means' gradients.
  auto data = regression_data(32);
  nn::Sequential a = small_mlp(0, /*dropout=*/false);
  nn::Sequential b = small_mlp(0, /*dropout=*/false);
  optim::SGD opt_a(a.parameters(), {.lr = 0.1});
  optim::SGD opt_b(b.parameters(), {.lr = 0.1});
  Trainer(a, opt_a, nn::MSELoss())
      .fit(data,
           {.epochs = 2, .batch_size = 8, .shuffle = false, .accumulate_steps = 2, .verbose = 0});
  Trainer(b, opt_b, nn::MSELoss())
      .fit(data, {.epochs = 2, .batch_size = 16, .shuffle = false, .verbose = 0});
  const TensorDict sa = a.state_dict();
  for (const auto& [name, tensor] : b.state_dict()) {
    EXPECT_TENSOR_NEAR(sa.at(name), tensor, 1e-12) << name;
  }
}

TEST(Trainer, ClipsGradientsBeforeEachStep) {
  auto data = regression_data(24);
  nn::Sequential a = small_mlp(0, false);
  optim::SGD opt_a(a.parameters(), {.lr = 0.1});
  Trainer(a, opt_a, nn::MSELoss())
      .fit(data,
           {.epochs = 1, .batch_size = 8, .shuffle = false, .clip_grad_norm = 0.05, .verbose = 0});
  nn::Sequential b = small_mlp(0, false);
  optim::SGD opt_b(b.parameters(), {.lr = 0.1});
  b.train();
  data::DataLoader loader(data, {.batch_size = 8});
  for (auto& [x, y] : loader) {
    mse_loss(b(x), y).backward();
    EXPECT_GT(optim::clip_grad_norm_(b.parameters(), 0.05), 0.05);  // the clip is active
    opt_b.step();
    opt_b.zero_grad();
  }
  expect_same_weights(a, b);
}

TEST(Trainer, StepsSchedulesPerStepOrPerEpoch) {
  for (ScheduleEvery every : {ScheduleEvery::kStep, ScheduleEvery::kEpoch}) {
    nn::Sequential model = small_mlp();
    optim::SGD opt(model.parameters(), {.lr = 1.0});
    auto schedule = std::make_shared<optim::StepLR>(opt, /*step_size=*/1, /*gamma=*/0.5);
    Trainer trainer(model, opt, nn::MSELoss());
    const History h = trainer.fit(regression_data(12), {.epochs = 3,
                                                        .batch_size = 4,
                                                        .scheduler = schedule,
                                                        .schedule_every = every,
                                                        .verbose = 0});
    // "lr" is the rate the epoch ended with, before a per-epoch step.
    if (every == ScheduleEvery::kStep) {
      EXPECT_EQ(h["lr"], (std::vector<double>{0.125, 0.015625, 0.001953125}));
    } else {
      EXPECT_EQ(h["lr"], (std::vector<double>{1.0, 0.5, 0.25}));
    }
  }
}

/// Asks the trainer to stop after batch `at` of epoch `epoch`.
class StopAt : public Callback {
 public:
  StopAt(int64_t epoch, int64_t at) : epoch_(epoch), at_(at) {}
  void on_batch_end(Trainer& trainer, int64_t batch, const Logs&) override {
    if (trainer.epoch() == epoch_ && batch == at_) trainer.stop_training();
  }
  std::string name() const override { return "StopAt"; }

 private:
  int64_t epoch_, at_;
};

TEST(Trainer, StopTrainingEndsTheEpochAfterTheCurrentBatch) {
  nn::Sequential model = small_mlp();
  optim::SGD opt(model.parameters(), {.lr = 0.01});
  Trainer trainer(model, opt, nn::MSELoss());
  const History h =
      trainer.fit(regression_data(40),
                  {.epochs = 5, .batch_size = 4, .callbacks = {StopAt(1, 2)}, .verbose = 0});
  EXPECT_EQ(h.size(), 2u);  // epoch 1 still ends (validation, logs), as Keras does
  EXPECT_EQ(trainer.global_step(), 10 + 3);
}

TEST(Trainer, PredictRunsInEvalModeWithoutAutogradAndRestoresTheMode) {
  nn::Sequential model = small_mlp();
  optim::SGD opt(model.parameters(), {.lr = 0.01});
  Trainer trainer(model, opt, nn::MSELoss());
  const Tensor x = regression_data(10)->inputs();
  model.train();
  const Tensor p = trainer.predict(x, 3);
  EXPECT_TRUE(model.is_training());
  EXPECT_FALSE(p.requires_grad());
  model.eval();
  EXPECT_TENSOR_EQ(p, model(x).detach());
}

TEST(Trainer, StopsAtTheFirstNonFiniteLossOrGradientBeforeTheStep) {
  // An infinite target in the third example: batch 0 of epoch 0 (batches of 4).
  auto data = regression_data(12);
  Tensor y = data->targets().clone();
  y.narrow(0, 2, 1).fill_(std::numeric_limits<double>::infinity());
  auto bad = std::make_shared<data::TensorDataset>(data->inputs(), y);
  nn::Sequential model = small_mlp(0, false);
  const TensorDict before = model.state_dict();
  optim::SGD opt(model.parameters(), {.lr = 0.1});
  Trainer trainer(model, opt, nn::MSELoss());
  EXPECT_THROW_WITH_MESSAGE(
      trainer.fit(bad, {.epochs = 1, .batch_size = 4, .shuffle = false, .verbose = 0}),
      "Trainer::fit: the loss is inf at epoch 0, batch 0 (step 0); nothing of this batch was "
      "applied");
  for (const auto& [name, tensor] : before) EXPECT_TENSOR_EQ(model.state_dict().at(name), tensor);

  // A finite loss whose gradient is NaN (sqrt's derivative at 0 meets 0): the step is refused.
  nn::Sequential model2 = small_mlp(0, false);
  optim::SGD opt2(model2.parameters(), {.lr = 0.1});
  Trainer trainer2(model2, opt2, [](const Tensor& out, const Tensor& target) {
    return mse_loss(out, target) + sum(sqrt(out - out));
  });
  EXPECT_THROW_WITH_MESSAGE(
      trainer2.fit(data, {.epochs = 1, .batch_size = 4, .verbose = 0}),
      "Trainer::fit: the gradient of 0.weight (shape [8, 3]) holds nan at epoch 0, batch 0 "
      "(step 0); the optimizer step was not taken");
  const std::vector<double> w = model2.state_dict().at("0.weight").to_vector<double>();
  for (double v : w) EXPECT_TRUE(std::isfinite(v));
}

TEST(Trainer, NeverWritesACheckpointWithNonFiniteWeights) {
  // With the per-step check off, a NaN gradient (sqrt's derivative at 0 meets 0) reaches the
  // weights; the checkpoint after that step is refused and nothing is written for it.
  data::testing::TempDir dir;
  nn::Sequential model = small_mlp(0, false);
  optim::SGD opt(model.parameters(), {.lr = 0.1});
  Trainer trainer(model, opt, [](const Tensor& out, const Tensor& target) {
    return mse_loss(out, target) + sum(sqrt(out - out));
  });
  EXPECT_THROW_WITH_MESSAGE(
      trainer.fit(regression_data(12),
                  {.epochs = 1,
                   .batch_size = 4,
                   .check_finite = false,
                   .callbacks = {ModelCheckpoint({.dir = dir.root(), .every_n_steps = 1})},
                   .verbose = 0}),
      "step-000001.safetensors: 0.weight holds nan at epoch 0, batch 0 (step 1); the last "
      "checkpoint written stays the one to resume from");
  EXPECT_FALSE(std::filesystem::exists(dir.root() / "step-000001.safetensors"));
}

TEST(Trainer, RejectsBadOptionsAndLosses) {
  nn::Sequential model = small_mlp();
  optim::SGD opt(model.parameters(), {.lr = 0.01});
  Trainer trainer(model, opt, nn::MSELoss());
  auto data = regression_data(10);
  EXPECT_THROW_WITH_MESSAGE(trainer.fit(std::make_shared<data::TensorDataset>(
                                            zeros({0, 3}, kFloat64), zeros({0, 1}, kFloat64)),
                                        {.verbose = 0}),
                            "Trainer::fit: the training dataset is empty");
  EXPECT_THROW_WITH_MESSAGE(trainer.fit(data, {.batch_size = 0, .verbose = 0}),
                            "Trainer::fit: batch_size must be >= 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(trainer.fit(data, {.validation_split = 1.5, .verbose = 0}),
                            "Trainer::fit: validation_split must be in [0, 1), got 1.5");
  EXPECT_THROW_WITH_MESSAGE(trainer.fit(data, {.validation_split = 0.95, .verbose = 0}),
                            "Trainer::fit: validation_split 0.95 of 10 examples leaves 0 for "
                            "training and 10 for validation; both need at least one");
  EXPECT_THROW_WITH_MESSAGE(
      trainer.fit(data, {.validation_split = 0.5, .validation_data = data, .verbose = 0}),
      "Trainer::fit: give validation_split or validation_data, not both");
  Trainer unreduced(model, opt, nn::MSELoss(Reduction::kNone));
  EXPECT_THROW_WITH_MESSAGE(unreduced.fit(data, {.batch_size = 4, .verbose = 0}),
                            "Trainer::fit: the loss must be a single number, got shape [4, 1]");
  // A model/target mismatch surfaces the loss's own message.
  auto wrong = std::make_shared<data::TensorDataset>(data->inputs(), zeros({10, 2}, kFloat64));
  EXPECT_THROW_WITH_MESSAGE(trainer.fit(wrong, {.verbose = 0}), "mse_loss");
}

}  // namespace
}  // namespace athanor::train
