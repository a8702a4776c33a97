// src/train/checkpoint.cpp: Trainer::save_checkpoint and the resume that reads it back: weights
// in one safetensors file (PyTorch's keys), everything else needed to continue bit for bit in a
// second one (optimizer tensors + a JSON description in its metadata).
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include <athanor/core/error.h>
#include <athanor/core/random.h>
#include <athanor/io/io.h>
#include <athanor/train/checkpoint.h>
#include <athanor/train/trainer.h>

#include "train/trainer_run.h"

namespace athanor::train {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kStateKey = "athanor.checkpoint";
constexpr int kFormatVersion = 1;

// JSON has no NaN or infinity; losses can be both.
json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double number(const json& j, const std::string& where) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  throw Error(fmt::format("{}: expected a number, got {}", where, j.dump()));
}

json scalars(const optim::ScalarDict& dict) {
  json out = json::object();
  for (const auto& [key, value] : dict) out[key] = number(value);
  return out;
}

optim::ScalarDict scalars(const json& j, const std::string& where) {
  optim::ScalarDict out;
  for (const auto& [key, value] : j.items()) out[key] = number(value, where + "." + key);
  return out;
}

json generator_state(const Generator& g) {
  const GeneratorState s = g.state();
  return json::array({s.seed, s.offset});
}

GeneratorState generator_state(const json& j) {
  return {j.at(0).get<uint64_t>(), j.at(1).get<uint64_t>()};
}

/// Keys for callback states: the class name and its occurrence among callbacks of that name.
std::vector<std::string> callback_keys(const CallbackList& callbacks) {
  std::map<std::string, int> seen;
  std::vector<std::string> keys;
  for (const auto& cb : callbacks) {
    const std::string name = cb->name();
    keys.push_back(name + "#" + std::to_string(seen[name]++));
  }
  return keys;
}

}  // namespace

void Trainer::load_callback_states(Run& run) {
  const std::vector<std::string> keys = callback_keys(run.callbacks);
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto it = run.callback_states.find(keys[i]);
    if (it != run.callback_states.end()) run.callbacks[i].load_state_dict(it->second);
  }
}

CheckpointPaths checkpoint_paths(const fs::path& where) {
  fs::path stem = where;
  if (fs::is_directory(where)) {
    const fs::path index = where / kCheckpointIndex;
    ATHANOR_CHECK(fs::exists(index),
                  "checkpoint: directory {} has no {} (no checkpoint was completed there)",
                  where.string(), kCheckpointIndex);
    json j;
    try {
      j = json::parse(io::read_file(index));
      stem = where / j.at("latest").get<std::string>();
    } catch (const json::exception& e) {
      throw Error(fmt::format("checkpoint: {} is not a valid checkpoint index: {}", index.string(),
                              e.what()));
    }
  } else {
    std::string s = where.string();
    for (const std::string suffix : {".state.safetensors", ".safetensors"}) {
      if (s.size() > suffix.size() && s.ends_with(suffix)) {
        s.resize(s.size() - suffix.size());
        break;
      }
    }
    stem = s;
  }
  return {stem.string() + ".safetensors", stem.string() + ".state.safetensors"};
}

void Trainer::save_checkpoint(const fs::path& stem) const {
  ATHANOR_CHECK(run_ != nullptr,
                "Trainer::save_checkpoint: no fit is running (checkpoints hold "
                "a run's position; save model().state_dict() otherwise)");
  ATHANOR_CHECK(!run_->accumulating,
                "Trainer::save_checkpoint: batch {} is inside a gradient accumulation group of "
                "{}; checkpoint after an optimizer step",
                batch_, run_->options.accumulate_steps);
  const CheckpointPaths paths = checkpoint_paths(stem.string() + ".safetensors");

  const std::string weights = io::to_safetensors(model_->state_dict(), {{"format", "pt"}});
  io::write_file_atomic(paths.weights, weights);

  json j;
  j["version"] = kFormatVersion;
  j["weights"] = paths.weights.filename().string();
  j["weights_crc32c"] = io::crc32c(weights);
  // Where to continue: the next epoch once this one is over, else the next batch of this one.
  j["epoch"] = run_->epoch_over ? epoch_ + 1 : epoch_;
  j["batch"] = run_->epoch_over ? 0 : run_->batches_done;
  j["steps_per_epoch"] = steps_per_epoch_;
  j["global_step"] = global_step_;
  j["loss_sum"] = number(run_->epoch_over ? 0.0 : run_->loss_sum);
  j["loss_count"] = run_->epoch_over ? 0 : run_->loss_count;

  const optim::OptimizerState opt = optimizer_->state_dict();
  j["optimizer"] = {{"name", optimizer_->name()}, {"scalars", scalars(opt.scalars)}};
  if (run_->options.scheduler) {
    j["scheduler"] = {{"name", run_->options.scheduler->name()},
                      {"scalars", scalars(run_->options.scheduler->state_dict())}};
  }
  j["rng"]["default"] = generator_state(default_generator());
  for (const auto& [name, module] : model_->named_modules()) {
    if (const Generator* g = module->own_generator())
      j["rng"]["modules"][name] = generator_state(*g);
  }
  json history = json::array();
  for (size_t e = 0; e < history_.logs.size(); ++e) {
    json entry = json::array();
    for (const auto& [key, value] : history_.logs[e]) entry.push_back({key, number(value)});
    history.push_back({{"epoch", history_.epochs[e]}, {"logs", entry}});
  }
  j["history"] = history;
  const std::vector<std::string> keys = callback_keys(run_->callbacks);
  for (size_t i = 0; i < keys.size(); ++i) {
    const optim::ScalarDict state = run_->callbacks[i].state_dict();
    if (!state.empty()) j["callbacks"][keys[i]] = scalars(state);
  }

  TensorDict tensors;
  for (const auto& [name, tensor] : opt.tensors) tensors.insert("optimizer." + name, tensor);
  io::save_safetensors(paths.state, tensors, {{kStateKey, j.dump()}});
}

void Trainer::restore(Run& run, const fs::path& from) {
  const CheckpointPaths paths = checkpoint_paths(from);
  const std::string where = paths.state.string();
  ATHANOR_CHECK(fs::exists(paths.state), "checkpoint: {} does not exist", where);
  const io::SafetensorsFile state = io::load_safetensors(paths.state);
  const auto it = state.metadata.find(kStateKey);
  ATHANOR_CHECK(it != state.metadata.end(),
                "checkpoint: {} has no '{}' metadata (not a training checkpoint)", where,
                kStateKey);
  json j;
  try {
    j = json::parse(it->second);
  } catch (const json::exception& e) {
    throw Error(
        fmt::format("checkpoint: {}: invalid JSON in '{}': {}", where, kStateKey, e.what()));
  }
  try {
    ATHANOR_CHECK(j.at("version").get<int>() == kFormatVersion,
                  "checkpoint: {} has format version {}, this build reads {}", where,
                  j.at("version").dump(), kFormatVersion);
    const int64_t saved_steps = j.at("steps_per_epoch").get<int64_t>();
    ATHANOR_CHECK(saved_steps == steps_per_epoch_,
                  "checkpoint: {} was written with {} batches per epoch, this fit has {}; resume "
                  "with the same data, batch_size and drop_last",
                  where, saved_steps, steps_per_epoch_);

    // The weights file must be the one this state was written with.
    const std::string weights = io::read_file(paths.weights);
    ATHANOR_CHECK(io::crc32c(weights) == j.at("weights_crc32c").get<uint32_t>(),
                  "checkpoint: {} does not match the CRC32C recorded in {} (overwritten or "
                  "corrupt)",
                  paths.weights.string(), where);
    model_->load_state_dict(io::from_safetensors(weights, paths.weights.string()).tensors);

    const std::string opt_name = j.at("optimizer").at("name").get<std::string>();
    ATHANOR_CHECK(opt_name == optimizer_->name(),
                  "checkpoint: {} holds the state of {}, but this trainer's optimizer is {}", where,
                  opt_name, optimizer_->name());
    optim::OptimizerState opt;
    for (const auto& [name, tensor] : state.tensors) {
      ATHANOR_CHECK(name.starts_with("optimizer."), "checkpoint: {}: unexpected tensor '{}'", where,
                    name);
      opt.tensors.insert(name.substr(10), tensor);
    }
    opt.scalars = scalars(j.at("optimizer").at("scalars"), "optimizer");
    optimizer_->load_state_dict(opt);

    const auto& scheduler = run.options.scheduler;
    ATHANOR_CHECK(j.contains("scheduler") == (scheduler != nullptr),
                  "checkpoint: {} {} a schedule but this fit {} one", where,
                  j.contains("scheduler") ? "holds" : "has no", scheduler ? "has" : "has no");
    if (scheduler) {
      const std::string name = j.at("scheduler").at("name").get<std::string>();
      ATHANOR_CHECK(name == scheduler->name(),
                    "checkpoint: {} holds the state of {}, but this fit's schedule is {}", where,
                    name, scheduler->name());
      scheduler->load_state_dict(scalars(j.at("scheduler").at("scalars"), "scheduler"));
    }

    default_generator().set_state(generator_state(j.at("rng").at("default")));
    for (const auto& [name, module] : model_->named_modules()) {
      if (Generator* g = module->own_generator()) {
        ATHANOR_CHECK(j["rng"].contains("modules") && j["rng"]["modules"].contains(name),
                      "checkpoint: {} has no generator state for module '{}'", where, name);
        g->set_state(generator_state(j["rng"]["modules"][name]));
      }
    }

    epoch_ = j.at("epoch").get<int64_t>();
    run.start_batch = j.at("batch").get<int64_t>();
    global_step_ = j.at("global_step").get<int64_t>();
    run.loss_sum = number(j.at("loss_sum"), "loss_sum");
    run.loss_count = j.at("loss_count").get<int64_t>();
    for (const auto& entry : j.at("history")) {
      Logs logs;
      for (const auto& kv : entry.at("logs")) {
        logs.set(kv.at(0).get<std::string>(), number(kv.at(1), "history"));
      }
      history_.epochs.push_back(entry.at("epoch").get<int64_t>());
      history_.logs.push_back(std::move(logs));
    }
    if (j.contains("callbacks")) {
      for (const auto& [key, value] : j["callbacks"].items()) {
        run.callback_states[key] = scalars(value, key);
      }
    }
  } catch (const json::exception& e) {
    throw Error(
        fmt::format("checkpoint: {}: malformed '{}' metadata: {}", where, kStateKey, e.what()));
  }
}

}  // namespace athanor::train
