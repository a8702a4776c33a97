// tools/athanor/input_file.h: reading a data file for evaluate and predict the way the run read
// its training data, and applying the preprocessing fitted at training time.
#pragma once

#include <filesystem>

#include <athanor/config/config.h>
#include <athanor/tensor/tensor.h>

namespace athanor::cli {

struct InputData {
  Tensor inputs;  // preprocessed, ready for the model
  Tensor labels;  // undefined when the file has none
};

/// Reads `path` in the run's format: a CSV (features, and the label column when present, mapped
/// with the training class names), scikit-learn's CSV, an IDX image file (labels from
/// `labels_path` if given), or an MNIST-format folder (its test split). The inputs then go
/// through `preprocessing` (never refitted). `need_labels`: a file without labels is an error.
InputData read_input(const config::RunConfig& config, const config::Preprocessing& preprocessing,
                     const std::filesystem::path& path, const std::filesystem::path& labels_path,
                     bool need_labels);

}  // namespace athanor::cli
