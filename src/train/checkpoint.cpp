// src/train/checkpoint.cpp: Trainer::save_checkpoint and the resume that reads it back: weights
// in one safetensors file (PyTorch's keys), everything else needed to continue bit for bit in a
// second one (optimizer tensors + a JSON description in its metadata); the validating readers of
// that JSON and of the directory's index; the search for the newest complete checkpoint.
//
// Integrity: both files carry a CRC32C per tensor (io::with_checksums, verified by the reader),
// the JSON carries its own CRC32C ("athanor.checkpoint.crc32c") and the CRC32C of the whole
// weights file, so truncation and bit flips anywhere that matters are caught and named.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <ostream>
#include <string>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <athanor/core/error.h>
#include <athanor/core/random.h>
#include <athanor/io/io.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/train/checkpoint.h>
#include <athanor/train/trainer.h>

#include "train/trainer_run.h"

namespace athanor::train {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kStateKey = "athanor.checkpoint";
constexpr const char* kStateCrcKey = "athanor.checkpoint.crc32c";
constexpr int kFormatVersion = 1;

// JSON has no NaN or infinity; losses can be both.
json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

json scalars(const optim::ScalarDict& dict) {
  json out = json::object();
  for (const auto& [key, value] : dict) out[key] = number(value);
  return out;
}

json generator_state(const Generator& g) {
  const GeneratorState s = g.state();
  return json::array({s.seed, s.offset});
}

// ---- Reading, every field checked ----

// The error prefix "checkpoint: '<file>': field '<path>'".
struct Where {
  std::string_view file;
  std::string field;
  Where operator/(std::string_view key) const {
    return {file, field.empty() ? std::string(key) : field + "." + std::string(key)};
  }
  Where operator[](size_t i) const { return {file, field + "[" + std::to_string(i) + "]"}; }
};

[[noreturn]] void bad(const Where& w, std::string_view expected, const json& got) {
  std::string text = got.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  throw Error(fmt::format("checkpoint: '{}': field '{}': expected {}, got {}", w.file, w.field,
                          expected, text));
}

const json& field(const json& j, const Where& w, const std::string& key) {
  if (!j.is_object()) bad(w, "an object", j);
  const auto it = j.find(key);
  if (it == j.end()) {
    throw Error(fmt::format("checkpoint: '{}': {} has no field '{}'", w.file,
                            w.field.empty() ? std::string("the metadata") : "'" + w.field + "'",
                            key));
  }
  return *it;
}

int64_t integer(const json& j, const Where& w, int64_t min) {
  if (j.is_number_integer() && !(j.is_number_unsigned() && j.get<uint64_t>() > INT64_MAX)) {
    const auto v = j.get<int64_t>();
    if (v >= min) return v;
  }
  bad(w, min == 0 ? "a non-negative integer" : fmt::format("an integer >= {}", min), j);
}

uint64_t unsigned_integer(const json& j, const Where& w) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  bad(w, "an unsigned integer", j);
}

std::string string(const json& j, const Where& w) {
  if (j.is_string()) return j.get<std::string>();
  bad(w, "a string", j);
}

double number(const json& j, const Where& w) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  bad(w, "a number (or \"nan\", \"inf\", \"-inf\")", j);
}

optim::ScalarDict scalars(const json& j, const Where& w) {
  if (!j.is_object()) bad(w, "an object of numbers", j);
  optim::ScalarDict out;
  for (const auto& [key, value] : j.items()) out[key] = number(value, w / key);
  return out;
}

GeneratorState generator_state(const json& j, const Where& w) {
  if (!j.is_array() || j.size() != 2) bad(w, "[seed, offset]", j);
  return {unsigned_integer(j[0], w[0]), unsigned_integer(j[1], w[1])};
}

// A checkpoint name from the index: a plain stem inside the directory.
std::string stem_name(const json& j, const Where& w) {
  const std::string s = string(j, w);
  if (s.empty() || s == "." || s == ".." || s.find('/') != std::string::npos ||
      s.find('\0') != std::string::npos) {
    bad(w, "a checkpoint name (a file stem without '/')", j);
  }
  return s;
}

json parse_json(std::string_view text, std::string_view file, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(fmt::format("checkpoint: '{}': {} is not valid JSON: {}", file, what, e.what()));
  }
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

CheckpointMetadata parse_checkpoint_metadata(std::string_view json_text, std::string_view where) {
  const json j = parse_json(json_text, where, fmt::format("the '{}' metadata", kStateKey));
  const Where w{where, ""};
  CheckpointMetadata m;
  const int64_t version = integer(field(j, w, "version"), w / "version", 0);
  ATHANOR_CHECK(version == kFormatVersion,
                "checkpoint: '{}' has format version {}; this build reads version {}", where,
                version, kFormatVersion);
  m.weights = stem_name(field(j, w, "weights"), w / "weights");
  const uint64_t crc = unsigned_integer(field(j, w, "weights_crc32c"), w / "weights_crc32c");
  if (crc > UINT32_MAX) bad(w / "weights_crc32c", "a 32-bit CRC", j["weights_crc32c"]);
  m.weights_crc32c = static_cast<uint32_t>(crc);
  m.epoch = integer(field(j, w, "epoch"), w / "epoch", 0);
  m.batch = integer(field(j, w, "batch"), w / "batch", 0);
  m.steps_per_epoch = integer(field(j, w, "steps_per_epoch"), w / "steps_per_epoch", 0);
  m.global_step = integer(field(j, w, "global_step"), w / "global_step", 0);
  m.loss_sum = number(field(j, w, "loss_sum"), w / "loss_sum");
  m.loss_count = integer(field(j, w, "loss_count"), w / "loss_count", 0);

  const json& opt = field(j, w, "optimizer");
  m.optimizer = string(field(opt, w / "optimizer", "name"), w / "optimizer" / "name");
  m.optimizer_scalars =
      scalars(field(opt, w / "optimizer", "scalars"), w / "optimizer" / "scalars");
  if (j.contains("scheduler")) {
    const json& sched = j["scheduler"];
    m.scheduler = string(field(sched, w / "scheduler", "name"), w / "scheduler" / "name");
    m.scheduler_scalars =
        scalars(field(sched, w / "scheduler", "scalars"), w / "scheduler" / "scalars");
  }
  const json& rng = field(j, w, "rng");
  m.rng = generator_state(field(rng, w / "rng", "default"), w / "rng" / "default");
  if (rng.contains("modules")) {
    const json& modules = rng["modules"];
    if (!modules.is_object()) bad(w / "rng" / "modules", "an object", modules);
    for (const auto& [name, state] : modules.items()) {
      m.module_rngs[name] = generator_state(state, w / "rng" / "modules" / name);
    }
  }
  const json& history = field(j, w, "history");
  if (!history.is_array()) bad(w / "history", "an array", history);
  for (size_t e = 0; e < history.size(); ++e) {
    const Where we = (w / "history")[e];
    std::vector<std::pair<std::string, double>> logs;
    const json& entry_logs = field(history[e], we, "logs");
    if (!entry_logs.is_array()) bad(we / "logs", "an array of [key, value] pairs", entry_logs);
    for (size_t k = 0; k < entry_logs.size(); ++k) {
      const json& kv = entry_logs[k];
      if (!kv.is_array() || kv.size() != 2) bad((we / "logs")[k], "[key, value]", kv);
      logs.emplace_back(string(kv[0], (we / "logs")[k]), number(kv[1], (we / "logs")[k]));
    }
    m.history.emplace_back(integer(field(history[e], we, "epoch"), we / "epoch", 0),
                           std::move(logs));
  }
  if (j.contains("callbacks")) {
    const json& callbacks = j["callbacks"];
    if (!callbacks.is_object()) bad(w / "callbacks", "an object", callbacks);
    for (const auto& [key, value] : callbacks.items()) {
      m.callbacks[key] = scalars(value, w / "callbacks" / key);
    }
  }
  return m;
}

CheckpointIndex parse_checkpoint_index(std::string_view text, std::string_view where) {
  const json j = parse_json(text, where, "the checkpoint index");
  const Where w{where, ""};
  CheckpointIndex index;
  const json& list = field(j, w, "checkpoints");
  if (!list.is_array() || list.empty()) bad(w / "checkpoints", "a non-empty array of names", list);
  for (size_t i = 0; i < list.size(); ++i) {
    index.checkpoints.push_back(stem_name(list[i], (w / "checkpoints")[i]));
  }
  const std::string latest = stem_name(field(j, w, "latest"), w / "latest");
  ATHANOR_CHECK(latest == index.checkpoints.back(),
                "checkpoint: '{}': \"latest\" is '{}' but the last of \"checkpoints\" is '{}'; "
                "expected the same name",
                where, latest, index.checkpoints.back());
  if (j.contains("best")) {
    const json& best = j["best"];
    index.best_monitor = string(field(best, w / "best", "monitor"), w / "best" / "monitor");
    index.best_value = number(field(best, w / "best", "value"), w / "best" / "value");
    index.best_epoch = integer(field(best, w / "best", "epoch"), w / "best" / "epoch", 0);
  }
  return index;
}

CheckpointState read_checkpoint_state(std::string_view bytes, std::string_view where) {
  io::SafetensorsFile file = io::from_safetensors(bytes, where);
  const auto it = file.metadata.find(kStateKey);
  ATHANOR_CHECK(it != file.metadata.end(),
                "checkpoint: '{}' has no '{}' metadata (not a training checkpoint)", where,
                kStateKey);
  // Files of the first format had no CRC of the JSON: they load unverified.
  if (const auto crc = file.metadata.find(kStateCrcKey); crc != file.metadata.end()) {
    const std::string actual = fmt::format("{:08x}", io::crc32c(it->second));
    ATHANOR_CHECK(crc->second == actual,
                  "checkpoint: '{}': the CRC32C of the '{}' metadata is {}, but '{}' records {}; "
                  "the file is corrupt",
                  where, kStateKey, actual, kStateCrcKey, crc->second);
  }
  CheckpointState state;
  state.metadata = parse_checkpoint_metadata(it->second, where);
  for (const auto& [name, tensor] : file.tensors) {
    ATHANOR_CHECK(name.starts_with("optimizer."),
                  "checkpoint: '{}': unexpected tensor '{}'; expected only optimizer.* tensors",
                  where, name);
    state.optimizer_tensors.insert(name.substr(10), tensor);
  }
  return state;
}

CheckpointMetadata verify_checkpoint(const CheckpointPaths& paths) {
  const std::string where = paths.state.string();
  ATHANOR_CHECK(fs::exists(paths.state), "checkpoint: {} does not exist", where);
  const CheckpointState state = read_checkpoint_state(io::read_file(paths.state), where);
  const std::string weights = io::read_file(paths.weights);
  const std::string actual = fmt::format("{:08x}", io::crc32c(weights));
  const std::string recorded = fmt::format("{:08x}", state.metadata.weights_crc32c);
  ATHANOR_CHECK(actual == recorded,
                "checkpoint: '{}' ({} bytes) has CRC32C {}, but '{}' records {} (overwritten, "
                "truncated or corrupt)",
                paths.weights.string(), weights.size(), actual, where, recorded);
  (void)io::from_safetensors(weights, paths.weights.string());  // its own per-tensor checksums
  return state.metadata;
}

fs::path find_resumable_checkpoint(const fs::path& dir, std::ostream& log) {
  std::vector<std::string> candidates;  // newest first
  const fs::path index_path = dir / kCheckpointIndex;
  try {
    const CheckpointIndex index =
        parse_checkpoint_index(io::read_file(index_path), index_path.string());
    candidates.assign(index.checkpoints.rbegin(), index.checkpoints.rend());
  } catch (const Error& e) {
    // The index is written atomically, so this is damage after the fact: look at the files.
    log << "resume: cannot use " << index_path.string() << " (" << e.what()
        << "); looking for checkpoints in " << dir.string() << "\n";
    std::vector<std::pair<int64_t, std::string>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      constexpr std::string_view kSuffix = ".state.safetensors";
      if (!name.ends_with(kSuffix) || name.size() == kSuffix.size()) continue;
      const std::string stem = name.substr(0, name.size() - kSuffix.size());
      try {
        found.emplace_back(verify_checkpoint(checkpoint_paths(dir / stem)).global_step, stem);
      } catch (const Error&) {
        found.emplace_back(-1, stem);  // reported below, when its turn comes
      }
    }
    std::sort(found.rbegin(), found.rend());
    for (const auto& [step, stem] : found) candidates.push_back(stem);
  }
  std::vector<std::string> failures;
  for (const std::string& stem : candidates) {
    try {
      verify_checkpoint(checkpoint_paths(dir / stem));
      if (!failures.empty()) {
        log << "resume: falling back to the previous complete checkpoint " << stem << "\n";
      }
      return dir / stem;
    } catch (const Error& e) {
      log << "resume: skipping checkpoint " << stem << ": " << e.what() << "\n";
      failures.push_back(fmt::format("{}: {}", stem, e.what()));
    }
  }
  throw Error(fmt::format("checkpoint: no complete checkpoint in '{}'{}{}", dir.string(),
                          failures.empty() ? "" : ": ", fmt::join(failures, "; ")));
}

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
    stem = where / parse_checkpoint_index(io::read_file(index), index.string()).checkpoints.back();
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

  const TensorDict model_state = model_->state_dict();
  // Never a checkpoint to resume into a diverged run: a step can overflow weights to inf even from
  // a finite gradient (a huge learning rate).
  for (const auto& [name, tensor] : model_state) {
    if (tensor.dtype() != kFloat32 && tensor.dtype() != kFloat64) continue;
    const double largest = amax(abs(tensor), {}).item<double>();
    ATHANOR_CHECK(std::isfinite(largest),
                  "Trainer::save_checkpoint: not writing {}: {} holds {} at epoch {}, batch {} "
                  "(step {}); the last checkpoint written stays the one to resume from",
                  paths.weights.string(), name, std::isnan(largest) ? "nan" : "inf", epoch_, batch_,
                  global_step_);
  }
  const std::string weights =
      io::to_safetensors(model_state, io::with_checksums(model_state, {{"format", "pt"}}));
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
  const std::string text = j.dump();
  io::save_safetensors(
      paths.state, tensors,
      io::with_checksums(
          tensors, {{kStateKey, text}, {kStateCrcKey, fmt::format("{:08x}", io::crc32c(text))}}));
}

void Trainer::restore(Run& run, const fs::path& from) {
  const CheckpointPaths paths = checkpoint_paths(from);
  const std::string where = paths.state.string();
  ATHANOR_CHECK(fs::exists(paths.state), "checkpoint: {} does not exist", where);
  const CheckpointState state = read_checkpoint_state(io::read_file(paths.state), where);
  const CheckpointMetadata& m = state.metadata;
  ATHANOR_CHECK(m.steps_per_epoch == steps_per_epoch_,
                "checkpoint: '{}' was written with {} batches per epoch, this fit has {}; resume "
                "with the same data, batch_size and drop_last",
                where, m.steps_per_epoch, steps_per_epoch_);
  ATHANOR_CHECK(m.batch < std::max<int64_t>(steps_per_epoch_, 1),
                "checkpoint: '{}' continues at batch {} of an epoch of {} batches; expected a "
                "batch below {}",
                where, m.batch, steps_per_epoch_, steps_per_epoch_);

  // The weights file must be the one this state was written with.
  const std::string weights = io::read_file(paths.weights);
  ATHANOR_CHECK(io::crc32c(weights) == m.weights_crc32c,
                "checkpoint: '{}' does not match the CRC32C recorded in '{}' (overwritten or "
                "corrupt)",
                paths.weights.string(), where);
  model_->load_state_dict(io::from_safetensors(weights, paths.weights.string()).tensors);

  ATHANOR_CHECK(m.optimizer == optimizer_->name(),
                "checkpoint: '{}' holds the state of {}, but this trainer's optimizer is {}", where,
                m.optimizer, optimizer_->name());
  optim::OptimizerState opt;
  opt.tensors = state.optimizer_tensors;
  opt.scalars = m.optimizer_scalars;
  optimizer_->load_state_dict(opt);

  const auto& scheduler = run.options.scheduler;
  ATHANOR_CHECK(m.scheduler.has_value() == (scheduler != nullptr),
                "checkpoint: '{}' {} a schedule but this fit {} one", where,
                m.scheduler ? "holds" : "has no", scheduler ? "has" : "has no");
  if (scheduler) {
    ATHANOR_CHECK(*m.scheduler == scheduler->name(),
                  "checkpoint: '{}' holds the state of {}, but this fit's schedule is {}", where,
                  *m.scheduler, scheduler->name());
    scheduler->load_state_dict(m.scheduler_scalars);
  }

  default_generator().set_state(m.rng);
  for (const auto& [name, module] : model_->named_modules()) {
    if (Generator* g = module->own_generator()) {
      const auto it = m.module_rngs.find(name);
      ATHANOR_CHECK(it != m.module_rngs.end(),
                    "checkpoint: '{}' has no generator state for module '{}'", where, name);
      g->set_state(it->second);
    }
  }

  epoch_ = m.epoch;
  run.start_batch = m.batch;
  global_step_ = m.global_step;
  run.loss_sum = m.loss_sum;
  run.loss_count = m.loss_count;
  for (const auto& [epoch, entries] : m.history) {
    Logs logs;
    for (const auto& [key, value] : entries) logs.set(key, value);
    history_.epochs.push_back(epoch);
    history_.logs.push_back(std::move(logs));
  }
  for (const auto& [key, value] : m.callbacks) run.callback_states[key] = value;
}

}  // namespace athanor::train
