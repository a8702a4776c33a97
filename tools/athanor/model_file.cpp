// tools/athanor/model_file.cpp: saving and loading model.safetensors with its metadata.
#include "model_file.h"

#include <charconv>
#include <string>

#include <athanor/core/error.h>
#include <athanor/io/safetensors.h>

#include "commands.h"

namespace athanor::cli {

namespace fs = std::filesystem;

constexpr const char* kRunFileKey = "athanor.run_file";
constexpr const char* kOutputsKey = "athanor.num_outputs";

void save_model_file(const fs::path& path, nn::Module& model, const config::RunConfig& config,
                     const config::Preprocessing& preprocessing, int64_t num_outputs) {
  io::Metadata metadata = preprocessing.to_metadata();
  metadata["format"] = "pt";
  metadata[kRunFileKey] = config::to_toml(config);
  metadata[kOutputsKey] = std::to_string(num_outputs);
  const TensorDict weights = model.state_dict();
  // Per-tensor CRC32C: a bit flip or truncation is named when the file is loaded.
  io::save_safetensors(path, weights, io::with_checksums(weights, std::move(metadata)));
}

LoadedModel load_model_file(const fs::path& where) {
  const fs::path path = fs::is_directory(where) ? where / "model.safetensors" : where;
  if (!fs::exists(path)) {
    throw UsageError(fs::is_directory(where)
                         ? fmt::format("{} has no model.safetensors (a run folder gets one when "
                                       "training ends; `athanor resume {}` continues it)",
                                       where.string(), where.string())
                         : fmt::format("{} does not exist", path.string()));
  }
  const io::SafetensorsFile file = io::load_safetensors(path);
  for (const char* key : {kRunFileKey, kOutputsKey}) {
    ATHANOR_CHECK(file.metadata.contains(key),
                  "{}: no '{}' in its metadata (not a model file written by athanor train)",
                  path.string(), key);
  }
  LoadedModel out;
  out.config = config::parse_run_file(file.metadata.at(kRunFileKey), path);
  out.preprocessing = config::Preprocessing::from_metadata(file.metadata);
  const std::string& outputs = file.metadata.at(kOutputsKey);
  int64_t num_outputs = 0;
  const auto [end, ec] =
      std::from_chars(outputs.data(), outputs.data() + outputs.size(), num_outputs);
  ATHANOR_CHECK(ec == std::errc() && end == outputs.data() + outputs.size() && num_outputs > 0,
                "{}: metadata '{}' is '{}'; expected a positive integer", path.string(),
                kOutputsKey, outputs);
  out.num_outputs = num_outputs;
  out.model = config::build_model(out.config.model, out.preprocessing.input_shape, out.num_outputs);
  out.model->load_state_dict(file.tensors);
  out.model->eval();
  return out;
}

}  // namespace athanor::cli
