// include/athanor/train/checkpoint.h: where a training checkpoint's two files are (see
// Trainer::save_checkpoint) and how a checkpoint directory names its latest one.
#pragma once

#include <filesystem>

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

}  // namespace athanor::train
