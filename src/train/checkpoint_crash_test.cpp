// src/train/checkpoint_crash_test.cpp: checkpoints survive crashes and damage
// (reliability.md 7.2 C4, C5, C7, 7.1 F6): a child process training with a checkpoint every step
// is SIGKILLed at random moments hundreds of times and the directory always holds complete
// checkpoints, never a torn one; truncations and bit flips of the newest checkpoint are named
// and resume falls back to the previous complete one, saying so; a full disk fails the save
// naming the path and errno and leaves the previous checkpoint intact.
#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <athanor/athanor.h>
#include <athanor/io/io.h>
#include <athanor/train/train.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "train/train_test_util.h"

namespace athanor::train {
namespace {

namespace fs = std::filesystem;
using testing::regression_data;
using testing::small_mlp;

struct Training {
  Training() : model(small_mlp(0)) {
    opt = std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = 1e-2});
    trainer = std::make_unique<Trainer>(model, *opt, nn::MSELoss());
  }
  History fit(FitOptions extra, int64_t epochs) {
    extra.epochs = epochs;
    extra.batch_size = 8;
    extra.seed = 11;
    extra.verbose = 0;
    return trainer->fit(regression_data(40), std::move(extra));
  }
  nn::Sequential model;
  std::unique_ptr<optim::Adam> opt;
  std::unique_ptr<Trainer> trainer;
};

CallbackList every_step(const fs::path& dir, int64_t keep_last = 2) {
  return {ModelCheckpoint({.dir = dir, .every_n_steps = 1, .keep_last = keep_last})};
}

// Every checkpoint the index names verifies, and so does every final-named file in `dir`.
void expect_complete(const fs::path& dir, const std::string& context) {
  const CheckpointIndex index =
      parse_checkpoint_index(io::read_file(dir / kCheckpointIndex), "index");
  for (const std::string& stem : index.checkpoints) {
    EXPECT_NO_THROW(verify_checkpoint(checkpoint_paths(dir / stem))) << context << " " << stem;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".safetensors")) {
      EXPECT_NO_THROW(io::load_safetensors(entry.path())) << context << " torn: " << name;
    }
  }
}

TEST(CheckpointCrash, KilledDuringSavesAlwaysLeavesCompleteCheckpoints) {
  data::testing::TempDir tmp;
  const fs::path dir = tmp.root() / "ckpt";
  {  // A first complete checkpoint, so that every trial has an old one to keep.
    Training run;
    run.fit({.callbacks = every_step(dir)}, 1);
  }
  std::mt19937 rng(7);
  const auto started = std::chrono::steady_clock::now();
  int trials = 0, killed_with_temporary = 0;
  int64_t last_step = 0;
  std::set<int64_t> steps_seen;
  for (; trials < 300; ++trials) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The child resumes from the newest complete checkpoint and trains on, saving after every
      // step, until it is killed. One thread: OpenMP's pool does not survive fork.
      try {
        set_num_threads(1);
        Training run;
        std::ostringstream log;
        run.fit({.callbacks = every_step(dir), .resume_from = find_resumable_checkpoint(dir, log)},
                1000000);
      } catch (...) {
        _exit(3);
      }
      _exit(0);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself with " << WEXITSTATUS(status);
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename().string().find(".tmp.") != std::string::npos) {
        ++killed_with_temporary;
        break;
      }
    }
    expect_complete(dir, fmt::format("trial {}", trials));
    if (::testing::Test::HasFailure()) break;
    std::ostringstream log;
    const CheckpointMetadata latest =
        verify_checkpoint(checkpoint_paths(find_resumable_checkpoint(dir, log)));
    EXPECT_EQ(log.str(), "") << "trial " << trials;  // the newest checkpoint was complete
    EXPECT_GE(latest.global_step, last_step) << "trial " << trials << ": a checkpoint was lost";
    last_step = latest.global_step;
    steps_seen.insert(latest.global_step);
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(45)) break;
  }
  // The next save removes what killed saves left behind.
  Training run;
  std::ostringstream log;
  run.fit({.callbacks = every_step(dir), .resume_from = find_resumable_checkpoint(dir, log)},
          last_step / 5 + 2);
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
        << entry.path().filename().string();
  }
  std::printf(
      "[ checkpoint crash ] %d kill trials, %d killed mid-write (temporary left), 0 torn, "
      "latest step %ld, %zu distinct latest steps\n",
      trials, killed_with_temporary, last_step, steps_seen.size());
  EXPECT_GE(trials, 100);
  EXPECT_GT(killed_with_temporary, 0);  // the kills did land inside saves
  EXPECT_GT(steps_seen.size(), 10u);    // and training moved on between them
}

TEST(CheckpointCrash, KilledWhileWritingABigFileLeavesTheOldOrTheNew) {
  data::testing::TempDir tmp;
  const fs::path path = tmp.root() / "big.safetensors";
  const auto version = [](int64_t v) {
    TensorDict t;
    t.insert("w", full({256, 1024}, static_cast<double>(v), kFloat32));  // 1 MiB
    t.insert("version", Tensor::from(std::vector<int64_t>{v}, Shape{1}));
    return t;
  };
  io::save_safetensors(path, version(0), io::with_checksums(version(0)));
  std::mt19937 rng(3);
  int64_t last = 0;
  const auto started = std::chrono::steady_clock::now();
  int trials = 0;
  for (; trials < 200; ++trials) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      set_num_threads(1);  // OpenMP's pool does not survive fork
      for (int64_t v = last + 1;; ++v)
        io::save_safetensors(path, version(v), io::with_checksums(version(v)));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 150000));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    const io::SafetensorsFile file = io::load_safetensors(path);  // complete, checksums match
    const int64_t v = file.tensors.at("version").item<int64_t>();
    ASSERT_GE(v, last);
    EXPECT_EQ(file.tensors.at("w").sum().item<float>(), 256.0f * 1024.0f * static_cast<float>(v));
    last = v;
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(20)) break;
  }
  io::remove_stale_temporaries(tmp.root());
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.root()), fs::directory_iterator()), 1);
  std::printf("[ big file crash ] %d kill trials, 0 torn, %ld versions written\n", trials, last);
  EXPECT_GT(last, 0);
}

// A directory with checkpoints step-1 .. step-5 (keep all).
fs::path five_checkpoints(const data::testing::TempDir& tmp) {
  const fs::path dir = tmp.root() / "ckpt";
  Training run;
  run.fit({.callbacks = every_step(dir, 0)}, 1);
  return dir;
}

TEST(CheckpointDamage, TruncationsAndBitFlipsAreNamedAndResumeFallsBack) {
  data::testing::TempDir tmp;
  const fs::path dir = five_checkpoints(tmp);
  const CheckpointPaths latest = checkpoint_paths(dir);
  ASSERT_EQ(latest.state, dir / "epoch-0001.state.safetensors");
  std::mt19937 rng(5);
  int truncations = 0, flips = 0, detected = 0;
  for (const fs::path& file : {latest.state, latest.weights}) {
    const std::string good = io::read_file(file);
    for (int trial = 0; trial < 40; ++trial) {
      std::string bad = good;
      if (trial < 20) {
        bad.resize(rng() % good.size());
        ++truncations;
      } else {
        // A byte of the data area or of the checkpoint's JSON: past the 8-byte length field.
        const size_t at = 8 + rng() % (good.size() - 8);
        bad[at] = static_cast<char>(bad[at] ^ (1 << (rng() % 8)));
        ++flips;
      }
      io::write_file_atomic(file, bad);
      const std::string message =
          athanor::testing::error_message([&] { verify_checkpoint(latest); });
      const bool named = message.find(file.string()) != std::string::npos;
      detected += named ? 1 : 0;
      EXPECT_TRUE(named) << file << " trial " << trial << ": " << message;
      std::ostringstream log;
      EXPECT_EQ(find_resumable_checkpoint(dir, log), dir / "step-000004") << message;
      EXPECT_THAT(log.str(), ::testing::HasSubstr("resume: skipping checkpoint epoch-0001: "));
      EXPECT_THAT(log.str(),
                  ::testing::HasSubstr("resume: falling back to the previous complete checkpoint "
                                       "step-000004"));
    }
    io::write_file_atomic(file, good);
  }
  std::printf("[ checkpoint damage ] %d truncations, %d bit flips, %d detected and named\n",
              truncations, flips, detected);
  EXPECT_EQ(detected, truncations + flips);

  // Resuming from the fallback continues training.
  io::write_file_atomic(latest.weights, io::read_file(latest.weights).substr(0, 100));
  std::ostringstream log;
  Training run;
  const History h = run.fit({.resume_from = find_resumable_checkpoint(dir, log)}, 2);
  EXPECT_EQ(run.trainer->global_step(), 10);
}

TEST(CheckpointDamage, AnUnreadableIndexFallsBackToTheFiles) {
  data::testing::TempDir tmp;
  const fs::path dir = five_checkpoints(tmp);
  io::write_file_atomic(dir / kCheckpointIndex, "{\"latest\": ");
  std::ostringstream log;
  EXPECT_EQ(find_resumable_checkpoint(dir, log), dir / "epoch-0001");  // step 5, the highest
  EXPECT_THAT(log.str(),
              ::testing::HasSubstr("resume: cannot use " + (dir / kCheckpointIndex).string()));
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != kCheckpointIndex) fs::remove(entry.path());
  }
  EXPECT_THROW_WITH_MESSAGE(find_resumable_checkpoint(dir, log),
                            "checkpoint: no complete checkpoint in '" + dir.string() + "'");
}

TEST(CheckpointDamage, AFullDiskFailsTheSaveNamingPathAndErrnoAndKeepsThePrevious) {
  data::testing::TempDir tmp;
  const fs::path dir = five_checkpoints(tmp);
  const std::string index_before = io::read_file(dir / kCheckpointIndex);
  // The next save's first file fails after 100 bytes, as on a full disk.
  io::inject_write_failure(ENOSPC, 100);
  Training run;
  std::ostringstream log;
  EXPECT_THROW_WITH_MESSAGE(
      run.fit({.callbacks = every_step(dir, 2), .resume_from = find_resumable_checkpoint(dir, log)},
              2),
      fmt::format("write_file_atomic: cannot write '{}': write failed: No space left on device",
                  (dir / "step-000006.safetensors").string()));
  io::inject_write_failure(0, 0, 0);
  EXPECT_EQ(io::read_file(dir / kCheckpointIndex), index_before);
  EXPECT_NO_THROW(verify_checkpoint(checkpoint_paths(dir)));
  EXPECT_FALSE(fs::exists(dir / "step-000006.safetensors"));
  expect_complete(dir, "after ENOSPC");
}

TEST(CheckpointMetadataReader, RejectsDamagedFieldsNamingThem) {
  const std::string good = R"({"version":1,"weights":"s.safetensors","weights_crc32c":5,"epoch":1,
    "batch":0,"steps_per_epoch":5,"global_step":5,"loss_sum":"nan","loss_count":0,
    "optimizer":{"name":"Adam","scalars":{"step":5}},"rng":{"default":[1,2]},"history":[]})";
  const CheckpointMetadata m = parse_checkpoint_metadata(good, "f");
  EXPECT_EQ(m.global_step, 5);
  EXPECT_TRUE(std::isnan(m.loss_sum));
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_THROW_WITH_MESSAGE(
      parse_checkpoint_metadata(with("\"epoch\":1", "\"epoch\":-1"), "f"),
      "checkpoint: 'f': field 'epoch': expected a non-negative integer, got -1");
  EXPECT_THROW_WITH_MESSAGE(
      parse_checkpoint_metadata(with("\"weights\":\"s.safetensors\"", "\"weights\":\"../x\""), "f"),
      "field 'weights': expected a checkpoint name (a file stem without '/'), got \"../x\"");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_metadata(with("[1,2]", "[1]"), "f"),
                            "field 'rng.default': expected [seed, offset], got [1]");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_metadata(with("\"step\":5", "\"step\":\"x\""), "f"),
                            "field 'optimizer.scalars.step': expected a number");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_metadata(with("\"version\":1", "\"version\":2"), "f"),
                            "checkpoint: 'f' has format version 2; this build reads version 1");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_metadata(with("\"global_step\":5,", ""), "f"),
                            "checkpoint: 'f': the metadata has no field 'global_step'");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_metadata("{", "f"),
                            "checkpoint: 'f': the 'athanor.checkpoint' metadata is not valid JSON");
  EXPECT_THROW_WITH_MESSAGE(
      parse_checkpoint_index(R"({"latest":"a","checkpoints":["..","a"]})", "i"),
      "checkpoint: 'i': field 'checkpoints[0]': expected a checkpoint name");
  EXPECT_THROW_WITH_MESSAGE(parse_checkpoint_index(R"({"latest":"b","checkpoints":["a"]})", "i"),
                            "\"latest\" is 'b' but the last of \"checkpoints\" is 'a'");
}

}  // namespace
}  // namespace athanor::train
