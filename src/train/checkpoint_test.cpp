// src/train/checkpoint_test.cpp: checkpoints: resuming from any of them (mid-epoch or at an
// epoch's end) gives bit-identical weights and history; ModelCheckpoint's files, rotation, index
// and best weights; the weights file is a plain state dict; damaged or mismatched checkpoints
// are refused with a clear message.
#include <filesystem>
#include <fstream>

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

namespace fs = std::filesystem;
using testing::regression_data;
using testing::small_mlp;

/// One training setup: Adam + a per-step schedule + dropout (own and default generators) +
/// shuffling, so every piece of state matters for an exact resume.
struct Experiment {
  explicit Experiment(uint64_t init_seed) : model(small_mlp(init_seed)) {
    model.push_back(nn::Dropout(0.1));  // draws from the default generator
    opt = std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = 1e-2});
    schedule = std::make_shared<optim::ExponentialLR>(*opt, 0.97);
    trainer = std::make_unique<Trainer>(model, *opt, nn::MSELoss());
  }
  History fit(FitOptions extra) {
    extra.epochs = 3;
    extra.batch_size = 8;
    extra.seed = 11;
    extra.validation_split = 0.2;
    extra.scheduler = schedule;
    extra.verbose = 0;
    return trainer->fit(regression_data(50), std::move(extra));
  }
  nn::Sequential model;
  std::unique_ptr<optim::Adam> opt;
  std::shared_ptr<optim::ExponentialLR> schedule;
  std::unique_ptr<Trainer> trainer;
};

void expect_same_weights(nn::Module& a, nn::Module& b) {
  for (const auto& [name, tensor] : a.state_dict()) {
    EXPECT_TENSOR_EQ(tensor, b.state_dict().at(name)) << name;
  }
}

void expect_same_history(const History& a, const History& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t e = 0; e < a.size(); ++e) {
    for (const std::string key : {"loss", "val_loss", "lr"}) {
      EXPECT_EQ(a.logs[e].at(key), b.logs[e].at(key)) << "epoch " << e << " " << key;
    }
  }
}

TEST(Checkpoint, ResumingFromAnyCheckpointIsBitIdentical) {
  data::testing::TempDir dir;
  Experiment full(0);
  const History expected = full.fit(
      {.callbacks = {ModelCheckpoint({.dir = dir.root(), .every_n_steps = 1, .keep_last = 0})}});
  // 40 training examples: 5 steps per epoch. Mid-epoch, the end of an epoch, the last step.
  for (const std::string stem : {"step-000002", "step-000007", "epoch-0001", "epoch-0002"}) {
    SCOPED_TRACE(stem);
    Experiment resumed(/*init_seed=*/99);  // different initial weights and generator positions
    const History h = resumed.fit({.resume_from = dir.root() / stem});
    expect_same_weights(full.model, resumed.model);
    expect_same_history(expected, h);
    EXPECT_EQ(resumed.trainer->global_step(), 15);
  }
  // The directory's latest (epoch-0003): nothing left to run, the state is the final one.
  Experiment done(5);
  EXPECT_EQ(done.fit({.resume_from = dir.root()}).size(), 3u);
  expect_same_weights(full.model, done.model);
}

TEST(Checkpoint, WeightsFileIsAPlainStateDict) {
  data::testing::TempDir dir;
  Experiment run(0);
  run.fit({.callbacks = {ModelCheckpoint({.dir = dir.root()})}});
  const io::SafetensorsFile file = io::load_safetensors(dir.root() / "epoch-0003.safetensors");
  EXPECT_EQ(file.tensors.keys(), run.model.state_dict().keys());
  EXPECT_EQ(file.metadata.at("format"), "pt");
  nn::Sequential fresh = small_mlp(42);
  fresh.push_back(nn::Dropout(0.1));
  fresh.load_state_dict(file.tensors);
  expect_same_weights(run.model, fresh);
}

/// Sets val_loss from a script (runs before ModelCheckpoint).
class Script : public Callback {
 public:
  explicit Script(std::vector<double> values) : values_(std::move(values)) {}
  void on_epoch_end(Trainer&, int64_t epoch, Logs& logs) override {
    logs.set("val_loss", values_.at(static_cast<size_t>(epoch)));
  }
  std::string name() const override { return "Script"; }

 private:
  std::vector<double> values_;
};

TEST(ModelCheckpoint, KeepsTheLastKAnIndexAndTheBestWeights) {
  data::testing::TempDir dir;
  Experiment run(0);
  auto checkpoint = std::make_shared<ModelCheckpoint>(
      ModelCheckpointOptions{.dir = dir.root() / "ckpt", .keep_last = 2, .monitor = "val_loss"});
  TensorDict weights_after_epoch_1;
  class Keep : public Callback {
   public:
    explicit Keep(TensorDict& out) : out_(out) {}
    void on_epoch_end(Trainer& trainer, int64_t epoch, Logs&) override {
      if (epoch != 1) return;
      for (const auto& [name, t] : trainer.model().state_dict()) out_.insert(name, t.clone());
    }
    std::string name() const override { return "Keep"; }

   private:
    TensorDict& out_;
  };
  run.fit({.callbacks = {Script({0.5, 0.2, 0.3}), Keep(weights_after_epoch_1), checkpoint}});
  const fs::path d = dir.root() / "ckpt";
  EXPECT_FALSE(fs::exists(d / "epoch-0001.safetensors"));
  EXPECT_FALSE(fs::exists(d / "epoch-0001.state.safetensors"));
  for (const char* f :
       {"epoch-0002.safetensors", "epoch-0002.state.safetensors", "epoch-0003.safetensors",
        "epoch-0003.state.safetensors", "best.safetensors", "checkpoints.json"}) {
    EXPECT_TRUE(fs::exists(d / f)) << f;
  }
  EXPECT_EQ(checkpoint->checkpoints(), (std::vector<std::string>{"epoch-0002", "epoch-0003"}));
  EXPECT_EQ(io::read_file(d / "checkpoints.json"),
            "{\n  \"best\": {\n    \"epoch\": 1,\n    \"file\": \"best.safetensors\",\n    "
            "\"monitor\": \"val_loss\",\n    \"value\": 0.2\n  },\n  \"checkpoints\": [\n    "
            "\"epoch-0002\",\n    \"epoch-0003\"\n  ],\n  \"latest\": \"epoch-0003\"\n}\n");
  const io::SafetensorsFile best = io::load_safetensors(d / "best.safetensors");
  EXPECT_EQ(best.metadata.at("epoch"), "1");
  EXPECT_EQ(best.metadata.at("value"), "0.2");
  for (const auto& [name, t] : weights_after_epoch_1) EXPECT_TENSOR_EQ(best.tensors.at(name), t);
  // No temporary files are left behind.
  for (const auto& entry : fs::directory_iterator(d)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST(Checkpoint, DamagedOrMismatchedCheckpointsAreRefused) {
  data::testing::TempDir dir;
  {
    Experiment run(0);
    run.fit({.callbacks = {ModelCheckpoint({.dir = dir.root()})}});
  }
  const fs::path weights = dir.root() / "epoch-0003.safetensors";
  {  // Another batch size: the data position would mean something else.
    Experiment run(0);
    EXPECT_THROW_WITH_MESSAGE(
        run.trainer->fit(regression_data(50), {.epochs = 3,
                                               .batch_size = 4,
                                               .seed = 11,
                                               .validation_split = 0.2,
                                               .scheduler = run.schedule,
                                               .verbose = 0,
                                               .resume_from = dir.root()}),
        "was written with 5 batches per epoch, this fit has 10; resume with the same data, "
        "batch_size and drop_last");
  }
  {  // No schedule where one was saved.
    Experiment run(0);
    EXPECT_THROW_WITH_MESSAGE(run.trainer->fit(regression_data(50), {.epochs = 3,
                                                                     .batch_size = 8,
                                                                     .seed = 11,
                                                                     .validation_split = 0.2,
                                                                     .verbose = 0,
                                                                     .resume_from = dir.root()}),
                              "holds a schedule but this fit has no one");
  }
  {  // A weights file replaced after the state was written.
    std::string bytes = io::read_file(weights);
    bytes[bytes.size() - 1] ^= 0x01;
    io::write_file_atomic(weights, bytes);
    Experiment run(0);
    EXPECT_THROW_WITH_MESSAGE(run.fit({.resume_from = dir.root()}),
                              "does not match the CRC32C recorded in");
  }
  {
    Experiment run(0);
    EXPECT_THROW_WITH_MESSAGE(run.fit({.resume_from = dir.root() / "nowhere"}),
                              "nowhere.state.safetensors does not exist");
    fs::create_directory(dir.root() / "empty");
    EXPECT_THROW_WITH_MESSAGE(run.fit({.resume_from = dir.root() / "empty"}),
                              "has no checkpoints.json (no checkpoint was completed there)");
  }
}

}  // namespace
}  // namespace athanor::train
