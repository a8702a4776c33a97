// src/config/overrides.cpp: apply_override, one `--set key=value` applied to the parsed run file.
#include "config/overrides.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include <athanor/core/error.h>

#include "config/toml_reader.h"

namespace athanor::config::detail {

namespace {

/// "model.layers[2].units" or "model.layers.2.units" -> {"model", "layers", "2", "units"}.
std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : key) {
    if (c == '.' || c == '[' || c == ']') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

}  // namespace

std::optional<size_t> as_index(const std::string& s) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string apply_override(toml::table& root, const std::string& text) {
  const size_t eq = text.find('=');
  ATHANOR_CHECK(eq != std::string::npos && eq > 0,
                "--set {}: expected key=value (e.g. optimizer.lr=0.01)", text);
  const std::string key = text.substr(0, eq);
  const std::string value_text = text.substr(eq + 1);
  const std::vector<std::string> parts = split_key(key);
  ATHANOR_CHECK(!parts.empty(), "--set {}: expected key=value (e.g. optimizer.lr=0.01)", text);

  // The value as TOML ("0.1", "[0.9, 0.99]", "true", "\"x\""), else the text as a string.
  toml::table parsed;
  bool is_toml = false;
  try {
    parsed = parse_toml("v = " + value_text, "--set");
    is_toml = parsed.contains("v");
  } catch (const Error&) {
    is_toml = false;
  }
  if (!is_toml) {
    parsed = toml::table{};
    parsed.insert_or_assign("v", value_text);
  }

  std::string display;
  toml::node* current = &root;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (toml::array* array = current->as_array()) {
      const std::optional<size_t> index = as_index(part);
      ATHANOR_CHECK(index && *index < array->size() && !last,
                    "--set {}: {}: expected an index below {} followed by a key, got '{}'", text,
                    display, array->size(), part);
      display += fmt::format("[{}]", *index);
      current = array->get(*index);
      continue;
    }
    toml::table* table = current->as_table();
    ATHANOR_CHECK(table != nullptr, "--set {}: {} is not a table", text, display);
    display += (display.empty() ? "" : ".") + part;
    if (last) {
      table->insert_or_assign(part, *parsed.get("v"));
    } else {
      if (table->get(part) == nullptr) table->insert_or_assign(part, toml::table{});
      current = table->get(part);
    }
  }
  return display;
}

}  // namespace athanor::config::detail
