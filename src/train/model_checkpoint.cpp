// src/train/model_checkpoint.cpp: ModelCheckpoint.
#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <athanor/core/error.h>
#include <athanor/io/io.h>
#include <athanor/train/checkpoint.h>
#include <athanor/train/model_checkpoint.h>
#include <athanor/train/trainer.h>

namespace athanor::train {

namespace fs = std::filesystem;
using nlohmann::json;

ModelCheckpoint::ModelCheckpoint(ModelCheckpointOptions options) : options_(std::move(options)) {
  ATHANOR_CHECK(!options_.dir.empty(), "ModelCheckpoint: expected a directory, got ''");
  ATHANOR_CHECK(
      options_.every_n_epochs >= 0 && options_.every_n_steps >= 0 && options_.keep_last >= 0,
      "ModelCheckpoint: every_n_epochs, every_n_steps and keep_last must be >= 0, got "
      "{}, {} and {}",
      options_.every_n_epochs, options_.every_n_steps, options_.keep_last);
}

void ModelCheckpoint::on_train_begin(Trainer& /*trainer*/) {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  ATHANOR_CHECK(!ec && fs::is_directory(options_.dir),
                "ModelCheckpoint: cannot create directory {}: {}", options_.dir.string(),
                ec.message());
  kept_.clear();
  has_best_ = false;
  // Temporaries of a save that was killed midway are garbage; they never count as checkpoints.
  io::remove_stale_temporaries(options_.dir);
  const fs::path index = options_.dir / kCheckpointIndex;
  if (!fs::exists(index)) return;
  // A directory with checkpoints already (a resumed run): continue its rotation and best value.
  // Checkpoints whose files are gone are dropped from the rotation.
  const CheckpointIndex j = parse_checkpoint_index(io::read_file(index), index.string());
  for (const std::string& stem : j.checkpoints) {
    const CheckpointPaths paths = checkpoint_paths(options_.dir / stem);
    if (fs::exists(paths.state) && fs::exists(paths.weights)) kept_.push_back(stem);
  }
  if (j.best_monitor && *j.best_monitor == options_.monitor) {
    has_best_ = true;
    best_ = j.best_value;
    best_epoch_ = j.best_epoch;
  }
}

void ModelCheckpoint::on_batch_end(Trainer& trainer, int64_t /*batch*/, const Logs& /*logs*/) {
  const int64_t step = trainer.global_step();
  const int64_t n = options_.every_n_steps;
  // Only right after an optimizer step (global_step changes once per accumulation group).
  if (n == 0 || step == 0 || step % n != 0) return;
  if (trainer.batch() + 1 == trainer.steps_per_epoch()) {
    step_due_at_epoch_end_ = true;  // saved after the epoch's validation, as an epoch checkpoint
    return;
  }
  const std::string stem = fmt::format("step-{:06d}", step);
  if (!kept_.empty() && kept_.back() == stem) return;  // several batches of one accumulation group
  save(trainer, stem);
}

void ModelCheckpoint::on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) {
  if (!options_.monitor.empty()) {
    const Monitor monitor(options_.monitor, options_.mode);
    const double value = monitor.read(logs, "ModelCheckpoint");
    if (std::isfinite(value) && (!has_best_ || monitor.improves(value, best_))) {
      has_best_ = true;
      best_ = value;
      best_epoch_ = epoch;
      const TensorDict weights = trainer.model().state_dict();
      io::save_safetensors(options_.dir / "best.safetensors", weights,
                           io::with_checksums(weights, {{"format", "pt"},
                                                        {"epoch", std::to_string(epoch)},
                                                        {"monitor", options_.monitor},
                                                        {"value", fmt::format("{}", value)}}));
    }
  }
  const int64_t n = options_.every_n_epochs;
  const bool last = epoch + 1 == trainer.epochs() || trainer.stop_requested();
  const bool due = (n > 0 && (epoch + 1) % n == 0) || last || step_due_at_epoch_end_;
  step_due_at_epoch_end_ = false;
  if (due) {
    save(trainer, fmt::format("epoch-{:04d}", epoch + 1));
  } else if (has_best_) {
    write_index();
  }
}

void ModelCheckpoint::save_now(Trainer& trainer) {
  save(trainer, fmt::format("step-{:06d}", trainer.global_step()));
}

void ModelCheckpoint::save(Trainer& trainer, const std::string& stem) {
  trainer.save_checkpoint(options_.dir / stem);
  std::erase(kept_, stem);
  kept_.push_back(stem);
  std::vector<std::string> dropped;
  while (options_.keep_last > 0 && static_cast<int64_t>(kept_.size()) > options_.keep_last) {
    dropped.push_back(kept_.front());
    kept_.erase(kept_.begin());
  }
  write_index();  // first, so the index never names a deleted checkpoint
  for (const std::string& old : dropped) {
    const CheckpointPaths paths = checkpoint_paths(options_.dir / old);
    std::error_code ec;
    fs::remove(paths.state, ec);
    fs::remove(paths.weights, ec);
  }
}

void ModelCheckpoint::write_index() const {
  if (kept_.empty()) return;
  json j;
  j["latest"] = kept_.back();
  j["checkpoints"] = kept_;
  if (has_best_) {
    j["best"] = {{"file", "best.safetensors"},
                 {"monitor", options_.monitor},
                 {"epoch", best_epoch_},
                 {"value", best_}};
  }
  io::write_file_atomic(options_.dir / kCheckpointIndex, j.dump(2) + "\n");
}

}  // namespace athanor::train
