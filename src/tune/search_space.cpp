// src/tune/search_space.cpp: SearchSpace (validation, the grid, random draws) and Configuration.
#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/tune/search_space.h>

namespace athanor::tune {

namespace {

/// A uniform double in [0, 1) from 53 random bits: unlike std::uniform_real_distribution, the
/// same on every standard library.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double round_if(double v, bool integer) { return integer ? std::round(v) : v; }

}  // namespace

std::string format_number(double value, bool integer) {
  if (integer) return fmt::format("{}", static_cast<int64_t>(std::llround(value)));
  std::string text = fmt::format("{}", value);
  // "3" would read back as a TOML integer; keep it a float.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::vector<std::string> Configuration::overrides() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : values) out.push_back(key + "=" + value);
  return out;
}

const std::string& Configuration::at(const std::string& key) const {
  for (const auto& [k, v] : values) {
    if (k == key) return v;
  }
  throw Error(fmt::format("tune: configuration has no key '{}'", key));
}

std::string Configuration::to_string() const {
  std::string out;
  for (const auto& [key, value] : values) out += (out.empty() ? "" : " ") + key + "=" + value;
  return out;
}

SearchSpace& SearchSpace::add_values(const std::string& key, std::vector<std::string> values) {
  ATHANOR_CHECK(!key.empty(), "tune.space: expected a run-file key such as optimizer.lr, got \"\"");
  for (const Param& p : params_) {
    ATHANOR_CHECK(p.key != key, "tune.space: {}: searched twice; expected each key once", key);
  }
  ATHANOR_CHECK(!values.empty(), "tune.space: {}: expected at least one value, got an empty list",
                key);
  params_.push_back({key, std::move(values), std::nullopt});
  return *this;
}

SearchSpace& SearchSpace::add_range(const std::string& key, Range range) {
  ATHANOR_CHECK(!key.empty(), "tune.space: expected a run-file key such as optimizer.lr, got \"\"");
  for (const Param& p : params_) {
    ATHANOR_CHECK(p.key != key, "tune.space: {}: searched twice; expected each key once", key);
  }
  ATHANOR_CHECK(std::isfinite(range.low) && std::isfinite(range.high) && range.low < range.high,
                "tune.space: {}: expected low < high, got low = {}, high = {}", key, range.low,
                range.high);
  ATHANOR_CHECK(range.scale == Scale::kLinear || range.low > 0,
                "tune.space: {}: log scale needs low > 0, got low = {}", key, range.low);
  ATHANOR_CHECK(range.count >= 0, "tune.space: {}: expected count >= 0, got {}", key, range.count);
  params_.push_back({key, {}, range});
  return *this;
}

std::vector<Configuration> SearchSpace::grid() const {
  // Each param's grid values first, then their product.
  std::vector<std::vector<std::string>> axes;
  for (const Param& p : params_) {
    if (!p.range) {
      axes.push_back(p.values);
      continue;
    }
    const Range& r = *p.range;
    ATHANOR_CHECK(r.count > 0,
                  "tune.space: {}: a range needs a count (points) for grid search; expected "
                  "count >= 1, or a list of values, or strategy \"random\"",
                  p.key);
    std::vector<std::string> axis;
    for (int64_t i = 0; i < r.count; ++i) {
      const double t = r.count == 1 ? 0.0 : static_cast<double>(i) / (r.count - 1);
      const double v = r.scale == Scale::kLog
                           ? std::exp(std::log(r.low) + t * (std::log(r.high) - std::log(r.low)))
                           : r.low + t * (r.high - r.low);
      // The ends exactly, not exp(log(x)); inner points to 15 significant digits, so that a log
      // grid over 1e-4 .. 1e-1 reads 0.001, not 0.001000000000000001.
      const double exact = i == 0             ? r.low
                           : i == r.count - 1 ? r.high
                                              : std::stod(fmt::format("{:.15g}", v));
      axis.push_back(format_number(round_if(exact, r.integer), r.integer));
    }
    axes.push_back(std::move(axis));
  }
  std::vector<Configuration> out;
  if (params_.empty()) return out;
  std::vector<size_t> index(params_.size(), 0);
  while (true) {
    Configuration c;
    for (size_t i = 0; i < params_.size(); ++i)
      c.values.emplace_back(params_[i].key, axes[i][index[i]]);
    out.push_back(std::move(c));
    // Odometer step: the last axis fastest.
    size_t i = params_.size();
    while (i > 0) {
      --i;
      if (++index[i] < axes[i].size()) break;
      index[i] = 0;
      if (i == 0) return out;
    }
  }
}

Configuration SearchSpace::sample(std::mt19937_64& rng) const {
  Configuration c;
  for (const Param& p : params_) {
    const double u = uniform01(rng);
    if (!p.range) {
      const size_t i = std::min(p.values.size() - 1, static_cast<size_t>(u * p.values.size()));
      c.values.emplace_back(p.key, p.values[i]);
      continue;
    }
    const Range& r = *p.range;
    double v = r.scale == Scale::kLog
                   ? std::exp(std::log(r.low) + u * (std::log(r.high) - std::log(r.low)))
                   : r.low + u * (r.high - r.low);
    v = std::clamp(v, r.low, r.high);
    c.values.emplace_back(p.key, format_number(round_if(v, r.integer), r.integer));
  }
  return c;
}

}  // namespace athanor::tune
