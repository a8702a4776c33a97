// src/config/toml_reader.cpp: validated reading of TOML tables with file:line errors.
#include "config/toml_reader.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include <athanor/core/error.h>

namespace athanor::config::detail {

namespace {

// The code point of the UTF-8 sequence at text[i] (a replacement value when it is malformed).
uint32_t code_point_at(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(k < text.size() ? text[k] : 0); };
  const uint8_t b0 = byte(i);
  if (b0 >= 0xF0) {
    return (uint32_t{b0 & 0x07u} << 18) | (uint32_t{byte(i + 1) & 0x3Fu} << 12) |
           (uint32_t{byte(i + 2) & 0x3Fu} << 6) | (byte(i + 3) & 0x3Fu);
  }
  if (b0 >= 0xE0) {
    return (uint32_t{b0 & 0x0Fu} << 12) | (uint32_t{byte(i + 1) & 0x3Fu} << 6) |
           (byte(i + 2) & 0x3Fu);
  }
  if (b0 >= 0xC0) return (uint32_t{b0 & 0x1Fu} << 6) | (byte(i + 1) & 0x3Fu);
  return b0;  // a stray continuation byte
}

constexpr const char* kAfterBackslash =
    "{}:{}: invalid TOML: character U+{:04X} after a backslash in a multi-line string is not "
    "supported; start the line with an ASCII character or write it as \\u{:04X}";

// Throws at the first byte >= 0x80 outside strings and comments. Strings are followed only as far
// as needed to know where they end; toml++ reports anything else wrong with them. A quote opens a
// string only where TOML lets one start (a key at the start of a line or after '.', '[', '{' or
// ',', a value after '=', '[' or ','): toml++ reads `-"é"` as a malformed number, not a string,
// and its whitespace test on the 'é' that follows is the defect this guards against.
void check_ascii_outside_strings(std::string_view text, const std::string& source) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral } in = In::kCode;
  int64_t line = 1;
  char last = '\n';       // the last character outside strings other than spaces and tabs
  bool trimming = false;  // in a multi-line basic string, after a line-ending backslash
  // A value that is not a string, array or inline table (a number, date, bool, or garbage) is
  // one token to its first terminator: toml++ scans all of it, testing each character as
  // whitespace, before it decides what it is, so quotes inside it open no string.
  bool bare = false;
  bool header = false;  // in a [table] or [[table]] header
  std::string open;     // the arrays ('[') and inline tables ('{') around this point
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (in == In::kComment || in == In::kBasic || in == In::kLiteral) in = In::kCode;
      if (in == In::kCode) last = '\n';
      bare = header = false;
      continue;
    }
    const auto starts = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
    switch (in) {
      case In::kCode:
        if (static_cast<uint8_t>(c) >= 0x80) {
          throw Error(fmt::format(
              "{}:{}: invalid TOML: character U+{:04X} is not allowed outside strings and "
              "comments",
              source, line, code_point_at(text, i)));
        }
        if (bare) {
          if (std::string_view(" \t\r,]}#").find(c) == std::string_view::npos) {
            last = c;
            break;
          }
          bare = false;
        }
        if (c == '[' && last == '\n' && open.empty()) {
          header = true;
        } else if ((c == '[' && !header) || c == '{') {
          open.push_back(c);
        } else if ((c == ']' || c == '}') && !open.empty() && !header) {
          open.pop_back();
        }
        if ((last == '=' ||
             (!open.empty() && open.back() == '[' && (last == '[' || last == ','))) &&
            std::string_view(" \t\r\"'[{#]").find(c) == std::string_view::npos) {
          bare = true;
        }
        if (c == '#') {
          in = In::kComment;
        } else if (std::string_view("\n=[{,.").find(last) == std::string_view::npos) {
          // no string can start here: a quote is one more character toml++ will refuse
        } else if (starts("\"\"\"")) {
          in = In::kMultiBasic, i += 2;
        } else if (starts("'''")) {
          in = In::kMultiLiteral, i += 2;
        } else if (c == '"') {
          in = In::kBasic;
        } else if (c == '\'') {
          in = In::kLiteral;
        }
        if (c != ' ' && c != '\t') last = c;
        break;
      case In::kComment:
        break;
      case In::kBasic:
        if (c == '\\') {
          ++i;  // the escaped character (a newline cannot be escaped in a one-line string)
        } else if (c == '"') {
          in = In::kCode;
        }
        break;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (trimming) {  // after a line-ending backslash toml++ tests each character as space
          if (c == ' ' || c == '\t' || c == '\r') break;
          if (static_cast<uint8_t>(c) >= 0x80) {
            throw Error(fmt::format(kAfterBackslash, source, line, code_point_at(text, i),
                                    code_point_at(text, i)));
          }
          trimming = false;
        }
        if (c == '\\') {
          // A backslash before whitespace ends a line (toml++ skips the whitespace that follows,
          // newlines included, or refuses the line); any other is an escape sequence.
          const char next = i + 1 < text.size() ? text[i + 1] : '\n';
          if (static_cast<uint8_t>(next) >= 0x80) {  // toml++ tests it as whitespace too
            throw Error(fmt::format(kAfterBackslash, source, line, code_point_at(text, i + 1),
                                    code_point_at(text, i + 1)));
          }
          if (next == ' ' || next == '\t' || next == '\r' || next == '\n') {
            trimming = true;
          } else {
            ++i;
          }
        } else if (starts("\"\"\"")) {
          in = In::kCode, i += 2;
        }
        break;
      case In::kMultiLiteral:
        if (starts("'''")) in = In::kCode, i += 2;
        break;
    }
  }
}

}  // namespace

toml::table parse_toml(std::string_view text, const std::string& source) {
  check_ascii_outside_strings(text, source);
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(
        fmt::format("{}:{}: invalid TOML: {}", source, e.source().begin.line, e.description()));
  }
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string describe(const toml::node* node) {
  if (node == nullptr) return "nothing";
  if (const auto* s = node->as_string()) return quoted(s->get());
  if (node->is_table()) return "a table";
  std::ostringstream os;
  if (const auto* a = node->as_array()) {
    os << "[";
    for (size_t i = 0; i < a->size(); ++i) os << (i ? ", " : "") << describe(a->get(i));
    os << "]";
  } else if (const auto* i = node->as_integer()) {
    os << i->get();
  } else if (const auto* f = node->as_floating_point()) {
    os << fmt::format("{}", f->get());
  } else if (const auto* b = node->as_boolean()) {
    os << (b->get() ? "true" : "false");
  } else {
    os << "a " << node->type();
  }
  return os.str();
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string join_names(const std::vector<std::string>& names, const std::string& last_sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last_sep : ", ";
    out += names[i];
  }
  return out;
}

std::string range_text(Range range, const char* noun) {
  switch (range) {
    case Range::kAny:
      return fmt::format("a{} {}", noun[0] == 'i' ? "n" : "", noun);
    case Range::kPositive:
      return fmt::format("a positive {}", noun);
    case Range::kNonNegative:
      return fmt::format("a non-negative {}", noun);
    case Range::kFraction:
      return fmt::format("a {} in [0, 1)", noun);
    case Range::kUnit:
      return fmt::format("a {} in [0, 1]", noun);
  }
  return noun;
}

namespace {

bool in_range(double v, Range range) {
  switch (range) {
    case Range::kAny:
      return true;
    case Range::kPositive:
      return v > 0;
    case Range::kNonNegative:
      return v >= 0;
    case Range::kFraction:
      return v >= 0 && v < 1;
    case Range::kUnit:
      return v >= 0 && v <= 1;
  }
  return false;
}

}  // namespace

TableReader::TableReader(const Source& source, const toml::table* table, std::string prefix,
                         const toml::node* where)
    : source_(source), table_(table), prefix_(std::move(prefix)), where_(where) {}

const toml::node* TableReader::get(const std::string& key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
  return table_ ? table_->get(key) : nullptr;
}

std::string TableReader::key_path(const std::string& key) const {
  return prefix_.empty() ? key : prefix_ + "." + key;
}

std::string TableReader::location(const std::string& key) const {
  const std::string path = key_path(key);
  // An override of this key or of a table holding it.
  for (const auto& [overridden, text] : source_.overrides) {
    if (path == overridden || path.starts_with(overridden + ".") ||
        path.starts_with(overridden + "[") || overridden.starts_with(path + ".") ||
        overridden.starts_with(path + "[")) {
      return "--set " + text;
    }
  }
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  if (node == nullptr) node = where_;
  if (node != nullptr && node->source().begin.line > 0) {
    return fmt::format("{}:{}", source_.file, node->source().begin.line);
  }
  return source_.file;
}

void TableReader::fail(const std::string& key, const std::string& expected) const {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  throw Error(fmt::format("{}: {}: expected {}, got {}", location(key), key_path(key), expected,
                          describe(node)));
}

void TableReader::fail_message(const std::string& key, const std::string& message) const {
  throw Error(fmt::format("{}: {}: {}", location(key), key_path(key), message));
}

std::optional<bool> TableReader::boolean(const std::string& key) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) fail(key, "true or false");
  return node->as_boolean()->get();
}

std::optional<int64_t> TableReader::integer(const std::string& key, Range range) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer() || !in_range(static_cast<double>(node->as_integer()->get()), range)) {
    fail(key, range_text(range, "integer"));
  }
  return node->as_integer()->get();
}

std::optional<double> TableReader::number(const std::string& key, Range range) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_number()) fail(key, range_text(range, "number"));
  const double v = node->value<double>().value();
  if (std::isnan(v) || !in_range(v, range)) fail(key, range_text(range, "number"));
  return v;
}

std::optional<std::string> TableReader::string(const std::string& key) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) fail(key, "a string");
  return node->as_string()->get();
}

std::optional<std::string> TableReader::choice(const std::string& key,
                                               const std::vector<std::string>& choices) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  std::string expected = "one of " + join_names(choices);
  if (!node->is_string()) fail(key, expected);
  const std::string& value = node->as_string()->get();
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    const std::string near = closest(value, choices);
    if (!near.empty())
      expected = fmt::format("one of {} (did you mean \"{}\"?)", join_names(choices), near);
    fail(key, expected);
  }
  return value;
}

std::optional<std::vector<double>> TableReader::number_list(const std::string& key, size_t size,
                                                            Range range) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  const std::string expected =
      size > 0 ? fmt::format("a list of {} numbers, each {}", size,
                             range_text(range, "number").substr(2))
               : fmt::format("a list of numbers, each {}", range_text(range, "number").substr(2));
  const toml::array* array = node->as_array();
  if (array == nullptr || (size > 0 && array->size() != size)) fail(key, expected);
  std::vector<double> values;
  for (const toml::node& item : *array) {
    if (!item.is_number()) fail(key, expected);
    const double v = item.value<double>().value();
    if (std::isnan(v) || !in_range(v, range)) fail(key, expected);
    values.push_back(v);
  }
  return values;
}

std::optional<std::filesystem::path> TableReader::path(const std::string& key,
                                                       const std::filesystem::path& base) {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string() || node->as_string()->get().empty()) fail(key, "a path");
  std::filesystem::path p = node->as_string()->get();
  if (p.is_relative()) p = base / p;
  return p.lexically_normal();
}

const toml::table* TableReader::table(const std::string& key) {
  const toml::node* node = get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) fail(key, "a table");
  return node->as_table();
}

const toml::array* TableReader::array(const std::string& key) {
  const toml::node* node = get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_array()) fail(key, "a list");
  return node->as_array();
}

void TableReader::finish() const {
  if (table_ == nullptr) return;
  for (const auto& [key, node] : *table_) {
    const std::string name(key.str());
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
    std::vector<std::string> sorted = known_;
    std::sort(sorted.begin(), sorted.end());
    const std::string near = closest(name, known_);
    const std::string hint = near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near);
    fail_message(name, fmt::format("unknown key{}; expected one of {}", hint,
                                   sorted.empty() ? "no keys" : join_names(sorted)));
  }
}

}  // namespace athanor::config::detail
