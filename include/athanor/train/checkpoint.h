// include/athanor/train/checkpoint.h: a training checkpoint's two files (see
// Trainer::save_checkpoint), how a checkpoint directory names its latest one, the validating
// readers of their metadata, and the search for the newest complete checkpoint to resume from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <athanor/core/random.h>
#include <athanor/optim/optimizer.h>
#include <athanor/tensor/tensor_dict.h>

namespace athanor::train {

/// The file in a checkpoint directory naming its latest complete checkpoint:
/// {"latest": "step-000120", "checkpoints": ["step-000080", "step-000120"]}. Written atomically
/// after both files of a checkpoint, so it never names a partial one.
inline constexpr const char* kCheckpointIndex = "checkpoints.json";

/// The two files of one checkpoint.
struct CheckpointPaths {
  std::filesystem::path weights;  // <stem>.safetensors: the model's state dict
  std::filesystem::path state;    // <stem>.state.safetensors: everything else
};

/// Resolves a checkpoint given as a directory (its index's latest), a stem, or either file.
CheckpointPaths checkpoint_paths(const std::filesystem::path& where);

/// What the "athanor.checkpoint" metadata of a state file says (format version 1), every field
/// type- and range-checked.
struct CheckpointMetadata {
  std::string weights;          // the weights file's name, beside the state file
  uint32_t weights_crc32c = 0;  // CRC32C of the whole weights file
  int64_t epoch = 0;            // where to continue: this epoch ...
  int64_t batch = 0;            // ... at this batch
  int64_t steps_per_epoch = 0;
  int64_t global_step = 0;
  double loss_sum = 0;  // the running epoch loss so far
  int64_t loss_count = 0;
  std::string optimizer;
  optim::ScalarDict optimizer_scalars;
  std::optional<std::string> scheduler;
  optim::ScalarDict scheduler_scalars;
  GeneratorState rng;
  std::map<std::string, GeneratorState> module_rngs;  // module name -> its own generator
  /// (epoch, [(key, value)]) per finished epoch, in order.
  std::vector<std::pair<int64_t, std::vector<std::pair<std::string, double>>>> history;
  std::map<std::string, optim::ScalarDict> callbacks;  // "ModelCheckpoint#0" -> its state
};

/// Parses and checks the "athanor.checkpoint" JSON; errors name `where` (the state file) and the
/// field, e.g. "checkpoint: 'run/step-000120.state.safetensors': field 'epoch': expected a
/// non-negative integer, got -1".
CheckpointMetadata parse_checkpoint_metadata(std::string_view json_text, std::string_view where);

/// A checkpoint directory's index: its checkpoints oldest first (the last is the latest).
struct CheckpointIndex {
  std::vector<std::string> checkpoints;
  std::optional<std::string> best_monitor;  // the monitor best.safetensors was chosen by
  double best_value = 0;
  int64_t best_epoch = -1;
};

/// Parses checkpoints.json; every name must be a plain file stem (no '/', not "." or ".."), so an
/// index cannot point outside its directory. Errors name `where`.
CheckpointIndex parse_checkpoint_index(std::string_view text, std::string_view where);

/// A state file's contents: the optimizer's tensors (names without "optimizer.") and metadata.
struct CheckpointState {
  TensorDict optimizer_tensors;
  CheckpointMetadata metadata;
};

/// Parses a state file held in memory: safetensors (with its per-tensor CRC32C), the metadata's
/// own CRC32C when present, then parse_checkpoint_metadata. Errors name `where`.
CheckpointState read_checkpoint_state(std::string_view bytes, std::string_view where);

/// Reads both files of the checkpoint at `paths` and checks everything resume relies on (sizes,
/// checksums, metadata, that the weights file is the one the state was written with) without
/// touching any model; throws Error naming the file and what is wrong.
CheckpointMetadata verify_checkpoint(const CheckpointPaths& paths);

/// The newest complete checkpoint in `dir`: the index's checkpoints from the latest back, each
/// verified (verify_checkpoint); when the index itself is unreadable, every *.state.safetensors
/// in `dir` by global step. Each checkpoint skipped is reported on `log` with the reason, e.g.
/// "resume: skipping checkpoint step-000120: <error>; falling back to step-000080". Throws
/// naming every failure when none is usable.
std::filesystem::path find_resumable_checkpoint(const std::filesystem::path& dir,
                                                std::ostream& log);

}  // namespace athanor::train
