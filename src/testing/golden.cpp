// src/testing/golden.cpp: the golden-fixture loader (JSON via nlohmann) and tensors_close_rel.
#include "testing/golden.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace athanor::testing {

using Json = nlohmann::json;

struct Golden::Data {
  std::string path;
  std::string case_name;
  std::string module;
  std::string mode;
  DType dtype = kFloat32;
  Json kwargs;
  std::map<std::string, Tensor, std::less<>> tensors;
};

namespace {

// "a number", "a string", ... for messages about a value of the wrong type.
std::string describe(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return fmt::format("{} {}", value.type_name(), text);
}

const Json& member(const std::string& path, const Json& object, std::string_view key,
                   std::string_view where) {
  const auto it = object.find(key);
  ATHANOR_CHECK(it != object.end(), "golden: {}: missing key '{}{}'", path, where, key);
  return *it;
}

std::string string_member(const std::string& path, const Json& object, std::string_view key,
                          std::string_view where) {
  const Json& value = member(path, object, key, where);
  ATHANOR_CHECK(value.is_string(), "golden: {}: key '{}{}' is {}; expected a string", path, where,
                key, describe(value));
  return value.get<std::string>();
}

DType parse_dtype(const std::string& path, const std::string& key, const std::string& name,
                  bool allow_int) {
  if (name == "float32") return kFloat32;
  if (name == "float64") return kFloat64;
  if (allow_int && name == "int64") return kInt64;
  ATHANOR_CHECK(false, "golden: {}: key '{}' is unknown dtype '{}'; expected {}", path, key, name,
                allow_int ? "float32, float64 or int64" : "float32 or float64");
  return kFloat32;  // unreachable
}

Tensor parse_tensor(const std::string& path, const std::string& name, const Json& t) {
  const std::string where = fmt::format("tensors.{}.", name);
  ATHANOR_CHECK(t.is_object(), "golden: {}: key 'tensors.{}' is {}; expected an object", path, name,
                describe(t));
  const DType dtype =
      parse_dtype(path, where + "dtype", string_member(path, t, "dtype", where), true);

  const Json& shape_json = member(path, t, "shape", where);
  ATHANOR_CHECK(shape_json.is_array() && shape_json.size() <= Shape::kMaxDims,
                "golden: {}: key '{}shape' is {}; expected a list of at most {} sizes", path, where,
                describe(shape_json), Shape::kMaxDims);
  Shape shape;
  for (const Json& d : shape_json) {
    ATHANOR_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0,
                  "golden: {}: key '{}shape' is {}; expected non-negative integer sizes", path,
                  where, describe(shape_json));
    shape.push_back(d.get<int64_t>());
  }

  const Json& data = member(path, t, "data", where);
  ATHANOR_CHECK(data.is_array(), "golden: {}: key '{}data' is {}; expected a list", path, where,
                describe(data));
  ATHANOR_CHECK(static_cast<int64_t>(data.size()) == shape.numel(),
                "golden: {}: key '{}data' has {} values, but shape {} holds {}", path, where,
                data.size(), shape, shape.numel());
  for (size_t i = 0; i < data.size(); ++i) {
    const bool ok = dtype == kInt64 ? data[i].is_number_integer() : data[i].is_number();
    ATHANOR_CHECK(ok, "golden: {}: key '{}data' has {} at index {}; expected {} for {}", path,
                  where, describe(data[i]), i, dtype == kInt64 ? "an integer" : "a number", dtype);
  }
  if (dtype == kInt64) return Tensor::from(data.get<std::vector<int64_t>>(), shape, kInt64);
  // Doubles hold float32 values exactly, and the script writes exact decimal representations.
  return Tensor::from(data.get<std::vector<double>>(), shape, dtype);
}

std::string join_keys(const std::vector<std::string>& keys) {
  return keys.empty() ? "none" : fmt::format("{}", fmt::join(keys, ", "));
}

std::string index_string(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[static_cast<size_t>(d)] = flat % shape[d];
    flat /= shape[d];
  }
  return fmt::format("[{}]", fmt::join(idx, ", "));
}

}  // namespace

Golden Golden::load(std::string_view relative_path) {
  return load_file(golden_dir() / std::filesystem::path(relative_path));
}

Golden Golden::load_file(const std::filesystem::path& file) {
  auto d = std::make_shared<Data>();
  d->path = file.string();
  const std::string& path = d->path;
  std::ifstream in(file);
  ATHANOR_CHECK(in.good(),
                "golden: cannot open '{}'; the fixtures are written by /usr/bin/python3 "
                "tests/golden/make_*.py",
                path);
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::exception& e) {
    ATHANOR_CHECK(false, "golden: {}: invalid JSON: {}", path, e.what());
  }
  ATHANOR_CHECK(root.is_object(), "golden: {}: the top level is {}; expected an object", path,
                describe(root));

  d->case_name = string_member(path, root, "case", "");
  d->module = string_member(path, root, "module", "");
  d->mode = string_member(path, root, "mode", "");
  ATHANOR_CHECK(d->mode == "train" || d->mode == "eval",
                "golden: {}: key 'mode' is '{}'; expected train or eval", path, d->mode);
  d->dtype = parse_dtype(path, "dtype", string_member(path, root, "dtype", ""), false);
  d->kwargs = member(path, root, "kwargs", "");
  ATHANOR_CHECK(d->kwargs.is_object(), "golden: {}: key 'kwargs' is {}; expected an object", path,
                describe(d->kwargs));
  const Json& tensors = member(path, root, "tensors", "");
  ATHANOR_CHECK(tensors.is_object(), "golden: {}: key 'tensors' is {}; expected an object", path,
                describe(tensors));
  for (const auto& [name, t] : tensors.items())
    d->tensors.emplace(name, parse_tensor(path, name, t));
  return Golden(std::move(d));
}

const std::string& Golden::path() const { return data_->path; }
const std::string& Golden::case_name() const { return data_->case_name; }
const std::string& Golden::module() const { return data_->module; }
DType Golden::dtype() const { return data_->dtype; }
const std::string& Golden::mode() const { return data_->mode; }

bool Golden::has(std::string_view tensor_name) const {
  return data_->tensors.find(tensor_name) != data_->tensors.end();
}

Tensor Golden::tensor(std::string_view tensor_name) const {
  const auto it = data_->tensors.find(tensor_name);
  ATHANOR_CHECK(it != data_->tensors.end(), "golden: {}: no tensor '{}' (tensors: {})", path(),
                tensor_name, join_keys(tensor_names()));
  Tensor copy = empty(it->second.shape(), it->second.dtype());
  copy.copy_(it->second);
  return copy;
}

std::vector<std::string> Golden::tensor_names(std::string_view prefix) const {
  std::vector<std::string> names;
  for (const auto& [name, t] : data_->tensors) {
    if (name.starts_with(prefix)) names.push_back(name);
  }
  return names;
}

bool Golden::has_kwarg(std::string_view key) const { return data_->kwargs.contains(key); }

bool Golden::is_null(std::string_view key) const {
  const auto it = data_->kwargs.find(key);
  return it != data_->kwargs.end() && it->is_null();
}

namespace {

const Json& kwarg(const Golden& g, const Json& kwargs, std::string_view key) {
  const auto it = kwargs.find(key);
  if (it == kwargs.end()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : kwargs.items()) keys.push_back(k);
    ATHANOR_CHECK(false, "golden: {}: no kwarg '{}' (kwargs: {})", g.path(), key, join_keys(keys));
  }
  return *it;
}

}  // namespace

double Golden::number(std::string_view key) const {
  const Json& v = kwarg(*this, data_->kwargs, key);
  ATHANOR_CHECK(v.is_number(), "golden: {}: kwarg '{}' is {}; expected a number", path(), key,
                describe(v));
  return v.get<double>();
}

int64_t Golden::integer(std::string_view key) const {
  const Json& v = kwarg(*this, data_->kwargs, key);
  ATHANOR_CHECK(v.is_number_integer(), "golden: {}: kwarg '{}' is {}; expected an integer", path(),
                key, describe(v));
  return v.get<int64_t>();
}

bool Golden::flag(std::string_view key) const {
  const Json& v = kwarg(*this, data_->kwargs, key);
  ATHANOR_CHECK(v.is_boolean(), "golden: {}: kwarg '{}' is {}; expected true or false", path(), key,
                describe(v));
  return v.get<bool>();
}

std::string Golden::text(std::string_view key) const {
  const Json& v = kwarg(*this, data_->kwargs, key);
  ATHANOR_CHECK(v.is_string(), "golden: {}: kwarg '{}' is {}; expected a string", path(), key,
                describe(v));
  return v.get<std::string>();
}

std::vector<int64_t> Golden::integers(std::string_view key, size_t n) const {
  const Json& v = kwarg(*this, data_->kwargs, key);
  if (v.is_number_integer()) return std::vector<int64_t>(std::max<size_t>(n, 1), v.get<int64_t>());
  const bool ok =
      v.is_array() && (n == 0 || v.size() == n) &&
      std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_number_integer(); });
  ATHANOR_CHECK(ok, "golden: {}: kwarg '{}' is {}; expected an integer or a list of {} integers",
                path(), key, describe(v),
                n == 0 ? std::string("any number of") : std::to_string(n));
  return v.get<std::vector<int64_t>>();
}

std::filesystem::path golden_dir() { return ATHANOR_GOLDEN_DIR; }

std::vector<std::string> golden_files(std::string_view subdir) {
  const std::filesystem::path root = golden_dir();
  const std::filesystem::path dir = root / std::filesystem::path(subdir);
  ATHANOR_CHECK(std::filesystem::is_directory(dir),
                "golden: no directory '{}'; the fixtures are written by /usr/bin/python3 "
                "tests/golden/make_*.py",
                dir.string());
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path().lexically_relative(root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

::testing::AssertionResult tensors_close_rel(const Tensor& actual, const Tensor& expected,
                                             double rtol, double atol, Deviation* deviation) {
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype()) {
    return ::testing::AssertionFailure()
           << "actual has shape " << to_string(actual.shape()) << " and dtype "
           << name(actual.dtype()) << ", expected shape " << to_string(expected.shape())
           << " and dtype " << name(expected.dtype());
  }
  const auto a = actual.to_vector<double>();
  const auto e = expected.to_vector<double>();
  Deviation seen;
  double worst_excess = 0;  // |a - e| / (atol + rtol |e|), the worst element's
  int64_t worst = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) && std::isnan(e[i])) continue;
    if (std::isinf(e[i]) && a[i] == e[i]) continue;
    const double diff = std::fabs(a[i] - e[i]);
    seen.abs = std::max(seen.abs, diff);
    if (e[i] != 0) seen.rel = std::max(seen.rel, diff / std::fabs(e[i]));
    const double bound = atol + rtol * std::fabs(e[i]);
    if (bound > 0) seen.tolerance_used = std::max(seen.tolerance_used, diff / bound);
    // NaN in one of them: diff is NaN and fails `diff <= bound`.
    if (!(diff <= bound)) {
      const double excess =
          std::isnan(diff) ? std::numeric_limits<double>::infinity() : diff / bound;
      if (worst < 0 || excess > worst_excess) {
        worst_excess = excess;
        worst = static_cast<int64_t>(i);
      }
    }
  }
  if (deviation != nullptr) {
    deviation->abs = std::max(deviation->abs, seen.abs);
    deviation->rel = std::max(deviation->rel, seen.rel);
    deviation->tolerance_used = std::max(deviation->tolerance_used, seen.tolerance_used);
  }
  if (worst < 0) return ::testing::AssertionSuccess();
  const auto w = static_cast<size_t>(worst);
  return ::testing::AssertionFailure() << fmt::format(
             "element {} differs: actual {}, expected {}, |difference| {:.3g} > atol + rtol * "
             "|expected| = {:.3g} (rtol {:g}, atol {:g}); largest relative difference {:.3g}",
             index_string(actual.shape(), worst), a[w], e[w], std::fabs(a[w] - e[w]),
             atol + rtol * std::fabs(e[w]), rtol, atol, seen.rel);
}

}  // namespace athanor::testing
