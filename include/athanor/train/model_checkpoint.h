// include/athanor/train/model_checkpoint.h: ModelCheckpoint, resumable checkpoints during fit
// (every N epochs and/or steps, keeping the last K) and the best weights by a monitored value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <athanor/train/callback.h>
#include <athanor/train/monitor.h>

namespace athanor::train {

struct ModelCheckpointOptions {
  /// Created if missing. Holds the checkpoints, checkpoints.json (the index) and best.safetensors.
  std::filesystem::path dir;
  /// A resumable checkpoint ("epoch-0003": 3 epochs done) after every N-th epoch (0: never).
  int64_t every_n_epochs = 1;
  /// Also one ("step-000120": 120 optimizer steps done) after every N-th optimizer step (0:
  /// never), so a killed run loses at most N steps.
  int64_t every_n_steps = 0;
  /// Resumable checkpoints kept, oldest deleted first (0: keep all).
  int64_t keep_last = 2;
  /// When set (e.g. "val_loss"), best.safetensors holds the weights of the best epoch so far
  /// (weights only, PyTorch's keys; its metadata says epoch, monitor and value).
  std::string monitor = "";
  Mode mode = Mode::kAuto;
};

/// Writes checkpoints through Trainer::save_checkpoint, then updates the directory's index
/// atomically, so the index only ever names complete checkpoints; resume with
/// FitOptions::resume_from = dir. Resuming into the same directory continues its numbering,
/// rotation and best value.
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(ModelCheckpointOptions options);

  void on_train_begin(Trainer& trainer) override;
  void on_batch_end(Trainer& trainer, int64_t batch, const Logs& logs) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  std::string name() const override { return "ModelCheckpoint"; }

  /// Writes a resumable checkpoint of the current position now ("step-000123"), e.g. when the
  /// user interrupts a run; call it from a batch-end hook outside an accumulation group.
  void save_now(Trainer& trainer);

  /// The stems kept, oldest first (e.g. {"epoch-0002", "epoch-0003"}).
  const std::vector<std::string>& checkpoints() const { return kept_; }
  const std::filesystem::path& dir() const { return options_.dir; }

 private:
  void save(Trainer& trainer, const std::string& stem);
  void write_index() const;

  ModelCheckpointOptions options_;
  std::vector<std::string> kept_;
  bool has_best_ = false;
  double best_ = 0;
  int64_t best_epoch_ = -1;
  bool step_due_at_epoch_end_ = false;
};

}  // namespace athanor::train
