// src/config/schema.cpp: the option tables of layers, losses, optimizers, schedules and
// augmentations, the generic option reader, and Options' typed getters.
#include "config/schema.h"

#include <algorithm>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/optim/adagrad.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/lion.h>
#include <athanor/optim/nadam.h>
#include <athanor/optim/radam.h>
#include <athanor/optim/rmsprop.h>
#include <athanor/optim/sgd.h>

namespace athanor::config {

namespace {

template <typename T>
const T& get_as(const std::map<std::string, OptionValue>& values, const std::string& key,
                const char* type) {
  auto it = values.find(key);
  ATHANOR_CHECK(it != values.end(), "config: option '{}' is missing", key);
  const T* v = std::get_if<T>(&it->second);
  ATHANOR_CHECK(v != nullptr, "config: option '{}' is not {}", key, type);
  return *v;
}

}  // namespace

bool Options::get_bool(const std::string& key) const {
  return get_as<bool>(values_, key, "a boolean");
}

int64_t Options::get_int(const std::string& key) const {
  return get_as<int64_t>(values_, key, "an integer");
}

double Options::get_double(const std::string& key) const {
  auto it = values_.find(key);
  if (it != values_.end()) {
    if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  }
  return get_as<double>(values_, key, "a number");
}

const std::string& Options::get_string(const std::string& key) const {
  return get_as<std::string>(values_, key, "a string");
}

const std::vector<double>& Options::get_list(const std::string& key) const {
  return get_as<std::vector<double>>(values_, key, "a list");
}

namespace detail {

namespace {

using V = OptionValue;

OptionSpec flag(std::string key, bool value) {
  return {std::move(key), Kind::kBool, Range::kAny, V(value)};
}
OptionSpec count(std::string key, Range range, std::optional<int64_t> value) {
  return {std::move(key), Kind::kInt, range, value ? std::optional<V>(V(*value)) : std::nullopt};
}
OptionSpec real(std::string key, Range range, std::optional<double> value) {
  return {std::move(key), Kind::kNumber, range, value ? std::optional<V>(V(*value)) : std::nullopt};
}
OptionSpec pick(std::string key, std::vector<std::string> choices) {
  std::string first = choices.front();
  return {std::move(key), Kind::kChoice, Range::kAny, V(first), std::move(choices)};
}

const std::vector<std::string> kInits = {
    "default",        "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "orthogonal",     "zeros"};

std::vector<OptionSpec> conv_options() {
  return {count("filters", Range::kPositive, std::nullopt),
          count("kernel", Range::kPositive, std::nullopt),
          count("stride", Range::kPositive, 1),
          count("padding", Range::kNonNegative, 0),
          count("dilation", Range::kPositive, 1),
          count("groups", Range::kPositive, 1),
          flag("bias", true),
          pick("init", kInits)};
}

std::vector<OptionSpec> recurrent_options() {
  return {count("units", Range::kPositive, std::nullopt), count("num_layers", Range::kPositive, 1),
          flag("bidirectional", false), real("dropout", Range::kFraction, 0.0),
          flag("return_sequences", false)};
}

std::vector<OptionSpec> pool_options() {
  // stride 0: equal to the kernel (PyTorch's stride=None).
  return {count("kernel", Range::kPositive, std::nullopt), count("stride", Range::kNonNegative, 0),
          count("padding", Range::kNonNegative, 0)};
}

}  // namespace

const std::vector<NamedSpec>& layer_specs() {
  static const std::vector<NamedSpec> specs = {
      {"linear",
       {{"units", Kind::kUnits, Range::kPositive, std::nullopt},
        flag("bias", true),
        pick("init", kInits)}},
      {"conv1d", conv_options()},
      {"conv2d", conv_options()},
      {"maxpool2d", pool_options()},
      {"avgpool2d", pool_options()},
      {"adaptive_avgpool2d", {count("output_size", Range::kPositive, 1)}},
      {"batchnorm", {real("eps", Range::kPositive, 1e-5), real("momentum", Range::kUnit, 0.1)}},
      {"layernorm", {real("eps", Range::kPositive, 1e-5)}},
      {"dropout", {real("p", Range::kFraction, 0.5)}},
      {"flatten", {}},
      {"identity", {}},
      {"relu", {}},
      {"leaky_relu", {real("negative_slope", Range::kNonNegative, 0.01)}},
      {"elu", {real("alpha", Range::kPositive, 1.0)}},
      {"gelu", {pick("approximate", {"none", "tanh"})}},
      {"sigmoid", {}},
      {"tanh", {}},
      {"softplus",
       {real("beta", Range::kPositive, 1.0), real("threshold", Range::kPositive, 20.0)}},
      {"softmax", {count("dim", Range::kAny, -1)}},
      {"log_softmax", {count("dim", Range::kAny, -1)}},
      {"reshape", {{"shape", Kind::kShape, Range::kAny, std::nullopt}}},
      {"rnn",
       [] {
         std::vector<OptionSpec> o = recurrent_options();
         o.push_back(pick("nonlinearity", {"tanh", "relu"}));
         return o;
       }()},
      {"lstm", recurrent_options()},
      {"gru", recurrent_options()},
      {"residual", {}},  // its `layers` are read by the model reader
  };
  return specs;
}

const std::vector<NamedSpec>& loss_specs() {
  static const std::vector<NamedSpec> specs = {
      {"mse", {}},
      {"l1", {}},
      {"smooth_l1", {real("beta", Range::kNonNegative, 1.0)}},
      {"huber", {real("delta", Range::kPositive, 1.0)}},
      {"bce", {}},
      {"bce_with_logits", {real("pos_weight", Range::kPositive, 1.0)}},
      {"cross_entropy", {real("label_smoothing", Range::kUnit, 0.0)}},
      {"nll", {}},
      {"hinge", {real("margin", Range::kPositive, 1.0)}},
  };
  return specs;
}

const std::vector<NamedSpec>& optimizer_specs() {
  static const std::vector<NamedSpec> specs = {
      {"sgd", optimizer_fields<optim::SGDOptions>()},
      {"adam", optimizer_fields<optim::AdamOptions>()},
      {"adamw", optimizer_fields<optim::AdamWOptions>()},
      {"rmsprop", optimizer_fields<optim::RMSpropOptions>()},
      {"adagrad", optimizer_fields<optim::AdagradOptions>()},
      {"nadam", optimizer_fields<optim::NAdamOptions>()},
      {"radam", optimizer_fields<optim::RAdamOptions>()},
      {"lion", optimizer_fields<optim::LionOptions>()},
  };
  return specs;
}

const std::vector<NamedSpec>& schedule_specs() {
  // Lengths of 0 mean "the whole run after the warm-up" (in units of `every`).
  static const std::vector<NamedSpec> specs = {
      {"none", {}},
      {"step",
       {count("step_size", Range::kPositive, std::nullopt), real("gamma", Range::kPositive, 0.1)}},
      {"multistep",
       {{"milestones", Kind::kIntList, Range::kPositive, std::nullopt},
        real("gamma", Range::kPositive, 0.1)}},
      {"exponential", {real("gamma", Range::kPositive, std::nullopt)}},
      {"cosine",
       {count("t_max", Range::kNonNegative, 0), real("eta_min", Range::kNonNegative, 0.0)}},
      {"cosine_warm_restarts",
       {count("t_0", Range::kPositive, std::nullopt), count("t_mult", Range::kPositive, 1),
        real("eta_min", Range::kNonNegative, 0.0)}},
      {"one_cycle",
       {real("max_lr", Range::kNonNegative, 0.0), real("pct_start", Range::kFraction, 0.3),
        pick("anneal_strategy", {"cos", "linear"}), real("div_factor", Range::kPositive, 25.0),
        real("final_div_factor", Range::kPositive, 1e4), flag("three_phase", false),
        flag("cycle_momentum", true), real("base_momentum", Range::kUnit, 0.85),
        real("max_momentum", Range::kUnit, 0.95)}},
      {"linear",
       {real("start_factor", Range::kPositive, 1.0), real("end_factor", Range::kNonNegative, 0.0),
        count("total_iters", Range::kNonNegative, 0)}},
      {"polynomial",
       {count("total_iters", Range::kNonNegative, 0), real("power", Range::kPositive, 1.0)}},
      {"constant",
       {real("factor", Range::kPositive, 1.0 / 3), count("total_iters", Range::kNonNegative, 5)}},
      {"plateau",
       {{"monitor", Kind::kChoice, Range::kAny, V(std::string("val_loss"))},  // any log key
        real("factor", Range::kFraction, 0.1),
        count("patience", Range::kNonNegative, 10),
        real("threshold", Range::kNonNegative, 1e-4),
        count("cooldown", Range::kNonNegative, 0),
        real("min_lr", Range::kNonNegative, 0.0)}},
  };
  return specs;
}

const std::vector<NamedSpec>& augment_specs() {
  static const std::vector<NamedSpec> specs = {
      {"random_crop", {count("padding", Range::kPositive, 4)}},
      {"flip", {real("p", Range::kUnit, 0.5)}},
      {"translate", {real("max", Range::kFraction, 0.1)}},
      {"noise", {real("std", Range::kPositive, 0.05)}},
      {"cutout", {count("size", Range::kPositive, 8)}},
  };
  return specs;
}

const NamedSpec* find_spec(const std::vector<NamedSpec>& specs, const std::string& name) {
  auto it =
      std::find_if(specs.begin(), specs.end(), [&](const NamedSpec& s) { return s.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

std::vector<std::string> spec_names(const std::vector<NamedSpec>& specs) {
  std::vector<std::string> names;
  for (const NamedSpec& s : specs) names.push_back(s.name);
  return names;
}

namespace {

const char* int_list_text(Kind kind) {
  return kind == Kind::kShape ? "a non-empty list of positive integers, one of them may be -1"
                              : "a non-empty list of positive integers";
}

}  // namespace

Options read_options(TableReader& reader, const std::vector<OptionSpec>& specs) {
  Options out;
  for (const OptionSpec& spec : specs) {
    std::optional<OptionValue> value;
    switch (spec.kind) {
      case Kind::kBool:
        if (auto v = reader.boolean(spec.key)) value = *v;
        break;
      case Kind::kInt:
        if (auto v = reader.integer(spec.key, spec.range)) value = *v;
        break;
      case Kind::kNumber:
        if (auto v = reader.number(spec.key, spec.range)) value = *v;
        break;
      case Kind::kChoice:
        if (spec.choices.empty()) {
          if (auto v = reader.string(spec.key)) value = *v;
        } else if (auto v = reader.choice(spec.key, spec.choices)) {
          value = *v;
        }
        break;
      case Kind::kNumberList:
        if (auto v = reader.number_list(spec.key, spec.list_size, spec.range)) value = *v;
        break;
      case Kind::kIntList:
      case Kind::kShape: {
        const toml::node* node = reader.get(spec.key);
        if (node == nullptr) break;
        const toml::array* array = node->as_array();
        const bool shape = spec.kind == Kind::kShape;
        const char* expected = int_list_text(spec.kind);
        if (array == nullptr || array->empty()) reader.fail(spec.key, expected);
        std::vector<double> values;
        int inferred = 0;
        for (const toml::node& item : *array) {
          const int64_t v = item.is_integer() ? item.as_integer()->get() : 0;
          inferred += shape && v == -1;
          if (!(v > 0 || (shape && v == -1)) || inferred > 1) reader.fail(spec.key, expected);
          values.push_back(static_cast<double>(v));
        }
        value = values;
        break;
      }
      case Kind::kUnits: {
        const toml::node* node = reader.get(spec.key);
        if (node == nullptr) break;
        const char* expected = "a positive integer or \"outputs\" (the data's output size)";
        if (node->is_integer() && node->as_integer()->get() > 0) {
          value = node->as_integer()->get();
        } else if (node->is_string() && (node->as_string()->get() == "outputs" ||
                                         node->as_string()->get() == "classes")) {
          value = node->as_string()->get();
        } else {
          reader.fail(spec.key, expected);
        }
        break;
      }
    }
    if (!value) {
      if (!spec.default_value) {
        std::string expected;
        switch (spec.kind) {
          case Kind::kInt:
            expected = range_text(spec.range, "integer");
            break;
          case Kind::kNumber:
            expected = range_text(spec.range, "number");
            break;
          case Kind::kIntList:
          case Kind::kShape:
            expected = int_list_text(spec.kind);
            break;
          case Kind::kUnits:
            expected = "a positive integer or \"outputs\" (the data's output size)";
            break;
          default:
            expected = "a value";
        }
        reader.fail(spec.key, expected);
      }
      value = *spec.default_value;
    }
    out.set(spec.key, *value);
  }
  return out;
}

}  // namespace detail
}  // namespace athanor::config
