// include/athanor/tune/search_space.h: what a hyperparameter search varies: run-file keys, each
// with a list of values or a range (linear or log scale), and the configurations drawn from them.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace athanor::tune {

enum class Scale { kLinear, kLog };

/// A continuous (or integer) interval [low, high]. Random search draws uniformly in it (in log
/// space for kLog, which needs low > 0); grid search takes `count` points spaced evenly (evenly in
/// log space for kLog), both ends included. `integer` rounds every value to the nearest integer.
struct Range {
  double low = 0;
  double high = 1;
  Scale scale = Scale::kLinear;
  bool integer = false;
  /// Points for grid search (0: the range cannot be used by grid search).
  int64_t count = 0;
};

/// One searched key: a dotted run-file key ("optimizer.lr", "model.layers[2].units") and either
/// explicit `values` (each the TOML text of a scalar: "0.01", "64", "true", "\"adam\"") or a range.
struct Param {
  std::string key;
  std::vector<std::string> values;
  std::optional<Range> range;
};

/// One point of the space: (key, TOML value text) for every param, in the space's order. As run
/// file overrides: "key=value".
struct Configuration {
  std::vector<std::pair<std::string, std::string>> values;
  /// {"optimizer.lr=0.01", "train.batch_size=64"}: load_run_file's `overrides`.
  std::vector<std::string> overrides() const;
  /// The value text of `key`; throws when the configuration has no such key.
  const std::string& at(const std::string& key) const;
  /// "optimizer.lr=0.01 train.batch_size=64".
  std::string to_string() const;
  friend bool operator==(const Configuration&, const Configuration&) = default;
};

/// The searched keys in order. Every method that adds a param validates it and throws naming
/// the key: "tune.space: optimizer.lr: log scale needs low > 0, got low = 0".
class SearchSpace {
 public:
  /// A key taking each of `values` (TOML scalar text, at least one).
  SearchSpace& add_values(const std::string& key, std::vector<std::string> values);
  /// A key ranging over `range` (low < high; low > 0 on a log scale).
  SearchSpace& add_range(const std::string& key, Range range);

  const std::vector<Param>& params() const { return params_; }
  bool empty() const { return params_.empty(); }

  /// Every combination (the cartesian product), the last param varying fastest. A range gives its
  /// `count` points; a range without a count is an error naming it.
  std::vector<Configuration> grid() const;
  /// One configuration drawn with `rng`: a list value uniformly, a range value uniformly (in log
  /// space for kLog). Params are drawn in order, so the same seed gives the same sequence.
  Configuration sample(std::mt19937_64& rng) const;

 private:
  std::vector<Param> params_;
};

/// A number as TOML text that reads back to the same double ("0.001", "1e-05", "3.0"), or an
/// integer's text when `integer`.
std::string format_number(double value, bool integer = false);

}  // namespace athanor::tune
