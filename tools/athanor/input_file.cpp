// tools/athanor/input_file.cpp: read_input.
#include "input_file.h"

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/data/csv.h>
#include <athanor/data/fashion_mnist.h>
#include <athanor/data/idx.h>

#include "commands.h"

namespace athanor::cli {

namespace fs = std::filesystem;

namespace {

data::CsvColumn label_column(const config::DataConfig& d) {
  if (const auto* name = std::get_if<std::string>(&d.label_column)) return *name;
  return static_cast<int>(std::get<int64_t>(d.label_column));
}

InputData read_csv_input(const config::RunConfig& cfg, const config::Preprocessing& pre,
                         const fs::path& path, bool need_labels) {
  data::CsvOptions options{.header = cfg.data.header,
                           .delimiter = cfg.data.delimiter.empty() ? ',' : cfg.data.delimiter[0]};
  const data::CsvData plain = data::read_csv(path.string(), options);
  const auto features = static_cast<int64_t>(pre.feature_names.size());
  const bool has_label = plain.features.size(1) == features + 1;
  if (!has_label) {
    ATHANOR_CHECK(!need_labels,
                  "{}: {} columns, the model takes {} features and needs the label column too "
                  "to be scored",
                  path.string(), plain.features.size(1), features);
    return {pre.apply(plain.features), Tensor()};
  }
  options.label_column = label_column(cfg.data);
  const bool classification = pre.task == "classification";
  options.label_type = classification ? data::LabelType::kClass : data::LabelType::kRegression;
  if (classification) options.classes = pre.class_names;
  const data::CsvData labelled = data::read_csv(path.string(), options);
  return {pre.apply(labelled.features), labelled.labels};
}

}  // namespace

InputData read_input(const config::RunConfig& cfg, const config::Preprocessing& pre,
                     const fs::path& path, const fs::path& labels_path, bool need_labels) {
  if (!fs::exists(path)) throw UsageError(fmt::format("{} does not exist", path.string()));
  const std::string& format = cfg.data.format;
  if (format == "csv") return read_csv_input(cfg, pre, path, need_labels);
  if (format == "sklearn_csv") {
    const data::CsvData d = data::sklearn_csv(path.string());
    return {pre.apply(d.features), d.labels};
  }
  if (format == "idx" || format == "fashion-mnist") {
    if (fs::is_directory(path)) {
      const auto [train, test] = data::mnist_idx(path.string(), {.dtype = kUInt8});
      return {pre.apply(test.inputs()), test.targets()};
    }
    InputData out{pre.apply(data::read_idx(path.string())), Tensor()};
    if (!labels_path.empty()) out.labels = data::read_idx(labels_path.string()).to(kInt64);
    ATHANOR_CHECK(!need_labels || out.labels.defined(),
                  "{}: an IDX image file has no labels: give --labels LABELS.idx", path.string());
    return out;
  }
  throw UsageError(
      fmt::format("reading {} data files for evaluate/predict is not supported yet", format));
}

}  // namespace athanor::cli
