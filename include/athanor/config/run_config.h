// include/athanor/config/run_config.h: RunConfig, a run file (TOML) as plain structs with every
// default filled in; load_run_file (parse, apply --set overrides, validate) and to_toml.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace athanor::config {

/// One option's value: a flag, an integer, a real number, a name, or a list of numbers (betas,
/// milestones, image_size).
using OptionValue = std::variant<bool, int64_t, double, std::string, std::vector<double>>;

/// A layer's, loss's, optimizer's or schedule's options by name, each present with its value or
/// its default (documented in docs/run-file.md).
class Options {
 public:
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  void set(const std::string& key, OptionValue value) { values_[key] = std::move(value); }
  void erase(const std::string& key) { values_.erase(key); }
  /// The value as the type asked for (an integer reads as a double too); throws naming the key
  /// when absent or of another type.
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_double(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;
  const std::vector<double>& get_list(const std::string& key) const;
  const std::map<std::string, OptionValue>& values() const { return values_; }
  friend bool operator==(const Options&, const Options&) = default;

 private:
  std::map<std::string, OptionValue> values_;
};

/// One augmentation of the training images: random_crop {padding}, flip {p}, translate {max},
/// noise {std} or cutout {size}.
struct AugmentConfig {
  std::string type;
  Options options;
  friend bool operator==(const AugmentConfig&, const AugmentConfig&) = default;
};

/// [data]. Paths are absolute (relative ones were resolved against the run file's directory).
struct DataConfig {
  /// "csv", "sklearn_csv", "idx", "fashion-mnist" or "image_folder".
  std::string format;
  std::filesystem::path train, test, validation;
  /// A separate file of targets for each split (IDX labels, or a one-column CSV); empty: none.
  std::filesystem::path train_labels, test_labels, validation_labels;
  /// fashion-mnist's directory, or a csv/idx file's folder for nothing else.
  std::filesystem::path dir;
  /// CSV: the target column by name or index (negative from the end); default -1 (the last).
  std::variant<int64_t, std::string> label_column = int64_t{-1};
  bool header = true;
  std::string delimiter = ",";
  /// "classification" or "regression" (inferred from the loss when the file does not say).
  std::string task = "classification";
  /// Fractions of the labelled training file held out for validation and testing (0 when the
  /// split comes from its own file).
  double validation_split = 0.1;
  double test_split = 0.2;
  bool stratify = true;
  uint64_t seed = 0;
  /// "none", "standardize", "minmax" or "scale" (divide by 255); fitted on the training split.
  std::string normalize = "standardize";
  std::vector<AugmentConfig> augment;
  /// image_folder: {height, width} to resize to (empty: all images must share one size), and
  /// the channel count (1 grey, 3 RGB).
  std::vector<int64_t> image_size;
  int64_t channels = 3;
  friend bool operator==(const DataConfig&, const DataConfig&) = default;
};

/// One entry of [model].layers: its type ("linear", "conv2d", "residual", ...), its options with
/// defaults filled in, and for a residual block its body.
struct LayerConfig {
  std::string type;
  Options options;
  std::vector<LayerConfig> layers;
  friend bool operator==(const LayerConfig&, const LayerConfig&) = default;
};

struct ModelConfig {
  std::vector<LayerConfig> layers;
  friend bool operator==(const ModelConfig&, const ModelConfig&) = default;
};

/// [loss]: name (mse, l1, smooth_l1, huber, bce, bce_with_logits, cross_entropy, nll, hinge),
/// its options, and the penalty coefficients added to the loss (l1 sum|w|, l2 sum w^2).
struct LossConfig {
  std::string name = "cross_entropy";
  Options options;
  double l1 = 0;
  double l2 = 0;
  friend bool operator==(const LossConfig&, const LossConfig&) = default;
};

/// [optimizer]: name (sgd, adam, adamw, rmsprop, adagrad, nadam, radam, lion) and its options
/// (PyTorch's names and defaults; betas as a list of two numbers).
struct OptimizerConfig {
  std::string name = "adam";
  Options options;
  friend bool operator==(const OptimizerConfig&, const OptimizerConfig&) = default;
};

/// [schedule]: name ("" for none) and its options; counts (step_size, t_max, ...) are in units
/// of `every`.
struct ScheduleConfig {
  std::string name;
  Options options;
  int64_t warmup_steps = 0;
  int64_t warmup_epochs = 0;
  double warmup_start_factor = 1e-3;
  /// "step" or "epoch".
  std::string every = "step";
  friend bool operator==(const ScheduleConfig&, const ScheduleConfig&) = default;
};

/// A metric by name ("accuracy", "f1", "top_k_accuracy", "auc", "mse", "rmse", "mae", "r2", ...)
/// with its average ("binary", "micro", "macro", "weighted"; "" picks binary for two classes and
/// macro otherwise) and k for top_k_accuracy.
struct MetricConfig {
  std::string name;
  std::string average;
  int64_t k = 5;
  friend bool operator==(const MetricConfig&, const MetricConfig&) = default;
};

struct EarlyStoppingConfig {
  std::string monitor = "val_loss";
  int64_t patience = 0;
  double min_delta = 0;
  bool restore_best_weights = false;
  friend bool operator==(const EarlyStoppingConfig&, const EarlyStoppingConfig&) = default;
};

/// [train].
struct TrainConfig {
  int64_t epochs = 10;
  int64_t batch_size = 32;
  uint64_t seed = 0;
  /// 0: the library's default thread count.
  int64_t threads = 0;
  bool shuffle = true;
  int64_t accumulate_steps = 1;
  double clip_grad_norm = 0;
  double clip_grad_value = 0;
  std::vector<MetricConfig> metrics;
  std::optional<EarlyStoppingConfig> early_stopping;
  bool terminate_on_nan = true;
  friend bool operator==(const TrainConfig&, const TrainConfig&) = default;
};

struct CheckpointConfig {
  int64_t every_n_epochs = 1;
  int64_t every_n_steps = 0;
  int64_t keep_last = 2;
  /// The value best.safetensors tracks ("" for none).
  std::string monitor = "val_loss";
  friend bool operator==(const CheckpointConfig&, const CheckpointConfig&) = default;
};

/// [output].
struct OutputConfig {
  /// The run folder (absolute; a relative one is resolved against the working directory).
  std::filesystem::path dir;
  bool tensorboard = true;
  CheckpointConfig checkpoint;
  friend bool operator==(const OutputConfig&, const OutputConfig&) = default;
};

/// A whole run file.
struct RunConfig {
  DataConfig data;
  ModelConfig model;
  LossConfig loss;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  TrainConfig train;
  OutputConfig output;
  /// The file it was read from (not part of the run: not written by to_toml).
  std::filesystem::path source;
  friend bool operator==(const RunConfig& a, const RunConfig& b) {
    return a.data == b.data && a.model == b.model && a.loss == b.loss &&
           a.optimizer == b.optimizer && a.schedule == b.schedule && a.train == b.train &&
           a.output == b.output;
  }
};

/// Reads the run file at `path`, applies `overrides` ("key=value": a dotted key such as
/// "optimizer.lr" or "model.layers.2.units", the value parsed as TOML or else taken as a string),
/// validates every section and returns it with defaults filled in. Every problem throws one
/// athanor::Error "run.toml:12: optimizer.lr: expected a positive number, got \"fast\"" (file,
/// line, dotted key, what was expected, what was found; "--set optimizer.lr=fast" in place of the
/// file and line for an override).
RunConfig load_run_file(const std::filesystem::path& path,
                        const std::vector<std::string>& overrides = {});

/// Parses run-file text as if read from `path` (for tests and tools holding the text).
RunConfig parse_run_file(const std::string& text, const std::filesystem::path& path,
                         const std::vector<std::string>& overrides = {});

/// The run file as run: every section, defaults explicit, paths absolute. load_run_file reads it
/// back to an equal RunConfig.
std::string to_toml(const RunConfig& config);

}  // namespace athanor::config
