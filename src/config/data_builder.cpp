// src/config/data_builder.cpp: load_data: reading [data]'s files, splitting them, fitting the
// normalization on the training split, and the Preprocessing that replays it for prediction.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <athanor/config/builders.h>
#include <athanor/core/error.h>
#include <athanor/data/csv.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/image_folder.h>
#include <athanor/data/split.h>
#include <athanor/data/transforms.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>

#include "config/toml_reader.h"

namespace athanor::config {

namespace {

/// Inputs and targets of one file (or one split of it).
struct Arrays {
  Tensor inputs;
  Tensor targets;
};

Arrays take(const Arrays& a, const std::vector<int64_t>& indices) {
  const Tensor index = Tensor::from(indices, Shape{static_cast<int64_t>(indices.size())}, kInt64);
  return {index_select(a.inputs, 0, index), index_select(a.targets, 0, index)};
}

data::CsvOptions csv_options(const DataConfig& d, bool with_labels) {
  data::CsvOptions o;
  o.header = d.header;
  o.delimiter = d.delimiter[0];
  if (with_labels) {
    if (const auto* i = std::get_if<int64_t>(&d.label_column)) {
      o.label_column = static_cast<int>(*i);
    } else {
      o.label_column = std::get<std::string>(d.label_column);
    }
  }
  o.label_type = d.task == "regression" ? data::LabelType::kRegression : data::LabelType::kClass;
  return o;
}

/// A CSV split: features with labels from label_column, or from a separate one-column file.
data::CsvData read_csv_split(const DataConfig& d, const std::filesystem::path& path,
                             const std::filesystem::path& labels_path,
                             const std::vector<std::string>& classes) {
  if (labels_path.empty()) {
    data::CsvOptions o = csv_options(d, true);
    o.classes = classes;
    return data::read_csv(path.string(), o);
  }
  data::CsvData features = data::read_csv(path.string(), csv_options(d, false));
  // The labels file is one numeric column, read as features: regression targets [N, 1] as they
  // are, class labels as integer ids.
  const data::CsvData labels = data::read_csv(labels_path.string(), csv_options(d, false));
  ATHANOR_CHECK(labels.features.dim() == 2 && labels.features.shape(1) == 1,
                "data: {}: expected one column of labels, got {}", labels_path.string(),
                labels.features.shape(1));
  ATHANOR_CHECK(labels.features.shape(0) == features.features.shape(0),
                "data: {} has {} rows but its labels {} have {}", path.string(),
                features.features.shape(0), labels_path.string(), labels.features.shape(0));
  features.label_name = labels.feature_names[0];
  if (d.task == "regression") {
    features.labels = labels.features;
    return features;
  }
  std::vector<int64_t> ids;
  int64_t largest = -1;
  for (float v : labels.features.to_vector<float>()) {
    const auto id = static_cast<int64_t>(v);
    ATHANOR_CHECK(static_cast<float>(id) == v && id >= 0,
                  "data: {}: expected class ids 0, 1, 2, ..., got {}", labels_path.string(), v);
    ids.push_back(id);
    largest = std::max(largest, id);
  }
  const int64_t num_classes = classes.empty() ? largest + 1 : static_cast<int64_t>(classes.size());
  ATHANOR_CHECK(largest < num_classes, "data: {}: label {} outside [0, {})", labels_path.string(),
                largest, num_classes);
  features.labels = Tensor::from(ids, Shape{static_cast<int64_t>(ids.size())}, kInt64);
  features.class_names = classes;
  for (int64_t c = static_cast<int64_t>(classes.size()); c < num_classes; ++c) {
    features.class_names.push_back(std::to_string(c));
  }
  return features;
}

/// Dims reduced when fitting statistics: the batch, and for [N, C, ...] the positions too
/// (per-channel statistics, as for images).
std::vector<int> statistic_dims(const Tensor& inputs) {
  std::vector<int> dims = {0};
  for (int d = 2; d < inputs.dim(); ++d) dims.push_back(d);
  return dims;
}

std::string real(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string strings_text(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + detail::quoted(names[i]);
  return out + "]";
}

std::string ints_text(const std::vector<int64_t>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + fmt::format("{}", v[i]);
  return out + "]";
}

toml::array parse_array(const io::Metadata& m, const std::string& key) {
  auto it = m.find(key);
  ATHANOR_CHECK(it != m.end(), "Preprocessing::from_metadata: metadata has no '{}'", key);
  toml::table t;
  try {
    t = detail::parse_toml("v = " + it->second, "metadata");
  } catch (const Error& e) {
    throw Error(fmt::format("Preprocessing::from_metadata: '{}' is not a list: {}", key, e.what()));
  }
  const toml::array* a = t.get("v") ? t.get("v")->as_array() : nullptr;
  ATHANOR_CHECK(a != nullptr, "Preprocessing::from_metadata: '{}' is not a list", key);
  return *a;
}

const std::string& metadata_value(const io::Metadata& m, const std::string& key) {
  auto it = m.find(key);
  ATHANOR_CHECK(it != m.end(), "Preprocessing::from_metadata: metadata has no '{}'", key);
  return it->second;
}

/// The output width the loss needs: classes for cross_entropy and nll, one binary score for bce,
/// bce_with_logits and hinge, the target columns for regression.
int64_t outputs_for(const RunConfig& config, int64_t num_classes, const Tensor& targets) {
  const std::string& loss = config.loss.name;
  if (config.data.task == "regression") return targets.dim() > 1 ? targets.shape(1) : 1;
  if (loss == "bce" || loss == "bce_with_logits" || loss == "hinge") {
    ATHANOR_CHECK(num_classes == 2,
                  "loss.name: \"{}\" is a binary loss; expected data with 2 classes, got {}; use "
                  "cross_entropy for {} classes",
                  loss, num_classes, num_classes);
    return 1;
  }
  return num_classes;
}

data::Transform augmentation(const std::vector<AugmentConfig>& augment) {
  std::vector<data::Transform> transforms;
  for (const AugmentConfig& a : augment) {
    const Options o = a.options;
    if (a.type == "random_crop") {
      const int64_t padding = o.get_int("padding");
      transforms.push_back(
          [padding](const Tensor& x, Generator& g) { return data::random_crop(x, padding, g); });
    } else if (a.type == "flip") {
      const double p = o.get_double("p");
      transforms.push_back(
          [p](const Tensor& x, Generator& g) { return data::random_horizontal_flip(x, g, p); });
    } else if (a.type == "translate") {
      const double max = o.get_double("max");
      transforms.push_back(
          [max](const Tensor& x, Generator& g) { return data::random_translate(x, max, g); });
    } else if (a.type == "noise") {
      const double std = o.get_double("std");
      transforms.push_back(
          [std](const Tensor& x, Generator& g) { return data::gaussian_noise(x, std, g); });
    } else if (a.type == "cutout") {
      const int64_t size = o.get_int("size");
      transforms.push_back(
          [size](const Tensor& x, Generator& g) { return data::cutout(x, size, g); });
    }
  }
  return data::compose(std::move(transforms));
}

}  // namespace

Tensor Preprocessing::apply(const Tensor& raw_inputs) const {
  ATHANOR_CHECK(raw_inputs.defined() && raw_inputs.dim() >= 1,
                "Preprocessing::apply: expected inputs [N, ...], got an undefined or 0-d tensor");
  Tensor x =
      raw_inputs.dtype() == kUInt8 ? data::scale_to_unit(raw_inputs) : raw_inputs.to(kFloat32);
  const int64_t n = x.shape(0);
  Shape target = input_shape;
  target.insert(0, n);
  ATHANOR_CHECK(x.numel() == target.numel(),
                "Preprocessing::apply: expected {} inputs of shape {} ({} values each), got input "
                "shape {}",
                n, input_shape, input_shape.numel(), raw_inputs.shape());
  x = x.reshape(target);
  if (normalize == "scale") return x / 255.0;
  if (normalize == "standardize") {
    return data::Standardize::from_state(statistics)(x).to(kFloat32);
  }
  if (normalize == "minmax") return data::MinMax::from_state(statistics)(x).to(kFloat32);
  return x;
}

io::Metadata Preprocessing::to_metadata() const {
  io::Metadata m;
  m["athanor.task"] = task;
  m["athanor.normalize"] = normalize;
  m["athanor.input_shape"] = ints_text(input_shape.to_vector());
  m["athanor.class_names"] = strings_text(class_names);
  m["athanor.feature_names"] = strings_text(feature_names);
  for (const auto& [name, tensor] : statistics) {
    const std::vector<double> values = tensor.to(kFloat64).contiguous().to_vector<double>();
    std::string text = "[";
    for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + real(values[i]);
    m["athanor." + name] = text + "]";
    m["athanor." + name + ".shape"] = ints_text(tensor.shape().to_vector());
  }
  return m;
}

Preprocessing Preprocessing::from_metadata(const io::Metadata& m) {
  Preprocessing p;
  p.task = metadata_value(m, "athanor.task");
  p.normalize = metadata_value(m, "athanor.normalize");
  std::vector<int64_t> dims;
  for (const toml::node& d : parse_array(m, "athanor.input_shape")) {
    dims.push_back(d.value<int64_t>().value_or(0));
  }
  p.input_shape = Shape(dims);
  for (const toml::node& s : parse_array(m, "athanor.class_names")) {
    p.class_names.push_back(s.value<std::string>().value_or(""));
  }
  for (const toml::node& s : parse_array(m, "athanor.feature_names")) {
    p.feature_names.push_back(s.value<std::string>().value_or(""));
  }
  std::vector<std::string> names;
  if (p.normalize == "standardize") names = {"mean", "std"};
  if (p.normalize == "minmax") names = {"min", "max"};
  for (const std::string& name : names) {
    std::vector<double> values;
    for (const toml::node& v : parse_array(m, "athanor." + name)) {
      values.push_back(v.value<double>().value_or(0.0));
    }
    std::vector<int64_t> shape;
    for (const toml::node& d : parse_array(m, "athanor." + name + ".shape")) {
      shape.push_back(d.value<int64_t>().value_or(0));
    }
    p.statistics.insert(name, Tensor::from(values, Shape(shape), kFloat64));
  }
  return p;
}

PreparedData load_data(const RunConfig& config) {
  const DataConfig& d = config.data;
  Arrays all;  // the training file, before splitting
  std::optional<Arrays> test, validation;
  PreparedData out;
  Preprocessing& pre = out.preprocessing;
  pre.task = d.task;
  pre.normalize = d.normalize;

  if (d.format == "csv" || d.format == "sklearn_csv") {
    auto read = [&](const std::filesystem::path& path, const std::filesystem::path& labels,
                    const std::vector<std::string>& classes) {
      return d.format == "sklearn_csv" ? data::sklearn_csv(path.string())
                                       : read_csv_split(d, path, labels, classes);
    };
    const data::CsvData train = read(d.train, d.train_labels, {});
    all = {train.features, train.labels};
    pre.feature_names = train.feature_names;
    pre.class_names = train.class_names;
    if (!d.test.empty()) {
      const data::CsvData t = read(d.test, d.test_labels, train.class_names);
      test = Arrays{t.features, t.labels};
    }
    if (!d.validation.empty()) {
      const data::CsvData v = read(d.validation, d.validation_labels, train.class_names);
      validation = Arrays{v.features, v.labels};
    }
  } else if (d.format == "idx") {
    const data::TensorDataset train = data::mnist_split(d.train.string(), d.train_labels.string());
    all = {train.inputs(), train.targets()};
    // IDX labels carry no names: the ids themselves, 0 .. the largest.
    const std::vector<int64_t> ids = train.targets().to_vector<int64_t>();
    const int64_t largest = ids.empty() ? -1 : *std::max_element(ids.begin(), ids.end());
    for (int64_t c = 0; c <= largest; ++c) pre.class_names.push_back(std::to_string(c));
    if (!d.test.empty()) {
      const data::TensorDataset t = data::mnist_split(d.test.string(), d.test_labels.string());
      test = Arrays{t.inputs(), t.targets()};
    }
    if (!d.validation.empty()) {
      const data::TensorDataset v =
          data::mnist_split(d.validation.string(), d.validation_labels.string());
      validation = Arrays{v.inputs(), v.targets()};
    }
  } else if (d.format == "fashion-mnist") {
    auto [train, t] = data::fashion_mnist(d.dir.string());
    all = {train.inputs(), train.targets()};
    test = Arrays{t.inputs(), t.targets()};
    for (std::string_view name : data::kFashionMnistClasses) pre.class_names.emplace_back(name);
  } else if (d.format == "image_folder") {
    data::ImageFolderOptions o;
    o.channels = static_cast<int>(d.channels);
    if (!d.image_size.empty()) o.size = std::pair{d.image_size[0], d.image_size[1]};
    const data::ImageFolderData train = data::image_folder(d.train.string(), o);
    all = {train.images, train.labels};
    pre.class_names = train.class_names;
    auto read_other = [&](const std::filesystem::path& root, const char* key) {
      data::ImageFolderOptions other = o;
      if (!other.size) other.size = std::pair{train.images.shape(2), train.images.shape(3)};
      const data::ImageFolderData f = data::image_folder(root.string(), other);
      ATHANOR_CHECK(f.class_names == train.class_names,
                    "data.{}: {} has classes {} but the training folder has {}", key, root.string(),
                    fmt::join(f.class_names, ", "), fmt::join(train.class_names, ", "));
      return Arrays{f.images, f.labels};
    };
    if (!d.test.empty()) test = read_other(d.test, "test");
    if (!d.validation.empty()) validation = read_other(d.validation, "validation");
  } else {
    throw Error(fmt::format("data.format: unknown format \"{}\"", d.format));
  }

  // Split the training file: train, then validation, then test fractions.
  const int64_t n = all.inputs.shape(0);
  ATHANOR_CHECK(n > 0, "data.train: {} holds no examples", d.train.string());
  std::vector<double> fractions = {1.0 - d.validation_split - d.test_split};
  if (d.validation_split > 0) fractions.push_back(d.validation_split);
  if (d.test_split > 0) fractions.push_back(d.test_split);
  Arrays train = all;
  if (fractions.size() > 1) {
    const std::vector<std::vector<int64_t>> parts =
        d.stratify ? data::stratified_split(all.targets, fractions, d.seed)
                   : data::random_split(n, fractions, d.seed);
    train = take(all, parts[0]);
    size_t next = 1;
    if (d.validation_split > 0) validation = take(all, parts[next++]);
    if (d.test_split > 0) test = take(all, parts[next++]);
    ATHANOR_CHECK(train.inputs.shape(0) > 0,
                  "data: the training split of {} is empty ({} examples, validation_split {}, "
                  "test_split {})",
                  d.train.string(), n, d.validation_split, d.test_split);
  }

  // Normalization, fitted on the training split only.
  if (d.normalize == "standardize") {
    const data::Standardize s = data::Standardize::fit(train.inputs, statistic_dims(train.inputs));
    pre.statistics = s.state();
  } else if (d.normalize == "minmax") {
    const data::MinMax s = data::MinMax::fit(train.inputs, statistic_dims(train.inputs));
    pre.statistics = s.state();
  }
  Shape example = train.inputs.shape();
  example.erase(0);
  pre.input_shape = example;
  auto prepare = [&](const Arrays& a) {
    return std::make_shared<data::TensorDataset>(pre.apply(a.inputs), a.targets);
  };

  std::shared_ptr<const data::Dataset> train_set = prepare(train);
  if (!d.augment.empty()) {
    train_set = std::make_shared<data::TransformDataset>(train_set, augmentation(d.augment),
                                                         nullptr, d.seed);
  }
  out.train = train_set;
  if (validation) out.validation = prepare(*validation);
  if (test) out.test = prepare(*test);
  out.input_shape = example;
  out.class_names = pre.class_names;
  out.num_classes = d.task == "classification" ? static_cast<int64_t>(pre.class_names.size()) : 0;
  out.num_outputs = outputs_for(config, out.num_classes, all.targets);
  return out;
}

}  // namespace athanor::config
