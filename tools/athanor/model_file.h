// tools/athanor/model_file.h: model.safetensors of a run folder: the weights (PyTorch's keys) with
// everything needed to use them again in its metadata: the run file as run (the architecture),
// the preprocessing fitted on the training split and the label mapping.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include <athanor/config/config.h>
#include <athanor/nn/module.h>

namespace athanor::cli {

/// A model rebuilt from its file.
struct LoadedModel {
  config::RunConfig config;
  config::Preprocessing preprocessing;
  int64_t num_outputs = 1;
  std::shared_ptr<nn::Module> model;  // in eval mode
};

void save_model_file(const std::filesystem::path& path, nn::Module& model,
                     const config::RunConfig& config, const config::Preprocessing& preprocessing,
                     int64_t num_outputs);

/// Loads `where`: a model file, or a run folder (its model.safetensors). Errors name the path and
/// say what is missing.
LoadedModel load_model_file(const std::filesystem::path& where);

}  // namespace athanor::cli
