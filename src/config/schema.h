// src/config/schema.h: the options each layer, loss, optimizer and schedule accepts (name, kind,
// range, default), read and validated generically; optimizer options come from the optimizers'
// own visit_fields lists, so the run file and the C++ structs cannot drift apart.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <athanor/config/run_config.h>

#include "config/toml_reader.h"

namespace athanor::config::detail {

enum class Kind {
  kBool,
  kInt,
  kNumber,
  kChoice,
  /// numbers (list_size of them unless 0) in `range`
  kNumberList,
  /// positive integers
  kIntList,
  /// a shape: positive integers, at most one of them -1 (inferred)
  kShape,
  /// a positive integer, or "outputs" / "classes" (the data's output width)
  kUnits,
};

struct OptionSpec {
  std::string key;
  Kind kind;
  Range range = Range::kAny;
  /// Absent: the option is required.
  std::optional<OptionValue> default_value = std::nullopt;
  std::vector<std::string> choices = {};
  size_t list_size = 0;
};

struct NamedSpec {
  std::string name;
  std::vector<OptionSpec> options;
};

const std::vector<NamedSpec>& layer_specs();
const std::vector<NamedSpec>& loss_specs();
const std::vector<NamedSpec>& optimizer_specs();
const std::vector<NamedSpec>& schedule_specs();
const std::vector<NamedSpec>& augment_specs();

const NamedSpec* find_spec(const std::vector<NamedSpec>& specs, const std::string& name);
std::vector<std::string> spec_names(const std::vector<NamedSpec>& specs);

/// Reads every option of `specs` from `reader` (validated), filling in defaults; a required
/// option that is absent throws. Does not call reader.finish().
Options read_options(TableReader& reader, const std::vector<OptionSpec>& specs);

/// The fields of an optimizer's options struct (lr, betas, ...) as specs with its defaults.
template <typename O>
std::vector<OptionSpec> optimizer_fields() {
  O defaults;
  std::vector<OptionSpec> out;
  defaults.visit_fields([&](const char* name, auto& field) {
    using T = std::decay_t<decltype(field)>;
    const std::string key = name;
    if constexpr (std::is_same_v<T, bool>) {
      out.push_back({key, Kind::kBool, Range::kAny, OptionValue(field)});
    } else if constexpr (std::is_same_v<T, double>) {
      out.push_back({key, Kind::kNumber, key == "lr" ? Range::kPositive : Range::kNonNegative,
                     OptionValue(field)});
    } else if constexpr (std::is_same_v<T, std::pair<double, double>>) {
      out.push_back({key,
                     Kind::kNumberList,
                     Range::kFraction,
                     OptionValue(std::vector<double>{field.first, field.second}),
                     {},
                     2});
    }
  });
  return out;
}

/// An optimizer's options struct from validated Options.
template <typename O>
O optimizer_options(const Options& options) {
  O out;
  out.visit_fields([&](const char* name, auto& field) {
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, bool>) {
      field = options.get_bool(name);
    } else if constexpr (std::is_same_v<T, double>) {
      field = options.get_double(name);
    } else if constexpr (std::is_same_v<T, std::pair<double, double>>) {
      const std::vector<double>& v = options.get_list(name);
      field = {v.at(0), v.at(1)};
    }
  });
  return out;
}

}  // namespace athanor::config::detail
