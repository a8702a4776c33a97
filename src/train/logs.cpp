// src/train/logs.cpp: Logs and History.
#include <athanor/core/error.h>
#include <athanor/train/logs.h>

namespace athanor::train {

Logs::Logs(std::initializer_list<Entry> entries) {
  for (const auto& [name, value] : entries) set(name, value);
}

void Logs::set(std::string_view name, double value) {
  for (auto& entry : entries_) {
    if (entry.first == name) {
      entry.second = value;
      return;
    }
  }
  entries_.emplace_back(std::string(name), value);
}

bool Logs::contains(std::string_view name) const { return get(name).has_value(); }

std::optional<double> Logs::get(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

double Logs::at(std::string_view name) const {
  const std::optional<double> value = get(name);
  ATHANOR_CHECK(value.has_value(), "Logs: no value named '{}' (have: {})", name, names());
  return *value;
}

std::string Logs::names() const {
  std::string out;
  for (const auto& [key, value] : entries_) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out.empty() ? "none" : out;
}

std::vector<double> History::operator[](std::string_view name) const {
  std::vector<double> out;
  out.reserve(logs.size());
  for (size_t e = 0; e < logs.size(); ++e) {
    const std::optional<double> value = logs[e].get(name);
    ATHANOR_CHECK(value.has_value(), "History: epoch {} has no value named '{}' (have: {})",
                  epochs[e], name, logs[e].names());
    out.push_back(*value);
  }
  return out;
}

}  // namespace athanor::train
