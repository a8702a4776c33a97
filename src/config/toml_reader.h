// src/config/toml_reader.h: reading a parsed TOML table with validation: typed getters that throw
// "file:line: dotted.key: expected ..., got ..." and a check for unknown keys ("did you mean").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include <athanor/config/run_config.h>

namespace athanor::config::detail {

/// Where values came from: the file's name for "file:line", and which dotted keys were set by
/// --set overrides (reported as "--set key=value" instead of a line).
struct Source {
  std::string file;
  std::map<std::string, std::string> overrides;  // dotted key -> the override as written
};

/// Parses TOML text; errors read "<source>:<line>: invalid TOML: ...". Characters outside ASCII are
/// refused outside strings and comments before toml++ sees them: TOML allows none there, and
/// Debian's toml++ 3 reaches undefined behaviour on some (found by fuzz/fuzz_run_file.cpp).
toml::table parse_toml(std::string_view text, const std::string& source);

/// `s` in double quotes, with TOML's escapes.
std::string quoted(const std::string& s);

/// How a value is rendered after "got": strings quoted, numbers and booleans as written, arrays
/// inline, "a table", or "nothing" for an absent value.
std::string describe(const toml::node* node);

/// Edit distance, for "did you mean".
size_t edit_distance(const std::string& a, const std::string& b);
/// The closest of `candidates` within a small edit distance of `word`, or "".
std::string closest(const std::string& word, const std::vector<std::string>& candidates);
/// "a, b or c".
std::string join_names(const std::vector<std::string>& names, const std::string& last_sep = ", ");

enum class Range { kAny, kPositive, kNonNegative, kFraction /* [0, 1) */, kUnit /* [0, 1] */ };

/// A table being read: every key asked for is known; finish() rejects the others.
class TableReader {
 public:
  /// `table` may be null (a section that is absent); `where` is the node to blame for a missing
  /// key (the table itself or its parent).
  TableReader(const Source& source, const toml::table* table, std::string prefix,
              const toml::node* where);

  const toml::node* get(const std::string& key);
  bool has(const std::string& key) { return get(key) != nullptr; }
  std::string key_path(const std::string& key) const;

  /// Throws "location: prefix.key: expected <expected>, got <describe(node)>".
  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;
  /// Throws "location: prefix.key: <message>" (for problems that are not a type mismatch).
  [[noreturn]] void fail_message(const std::string& key, const std::string& message) const;
  /// The location prefix for `key`: "file:line" or "--set key=value".
  std::string location(const std::string& key) const;

  std::optional<bool> boolean(const std::string& key);
  std::optional<int64_t> integer(const std::string& key, Range range = Range::kAny);
  std::optional<double> number(const std::string& key, Range range = Range::kAny);
  std::optional<std::string> string(const std::string& key);
  /// One of `choices` (with a "did you mean" for a near miss).
  std::optional<std::string> choice(const std::string& key,
                                    const std::vector<std::string>& choices);
  /// A list of numbers (`size` of them unless 0) each in `range`.
  std::optional<std::vector<double>> number_list(const std::string& key, size_t size, Range range);
  /// A path, resolved against `base` when relative.
  std::optional<std::filesystem::path> path(const std::string& key,
                                            const std::filesystem::path& base);
  /// A sub-table (null when absent; throws when the key holds something else).
  const toml::table* table(const std::string& key);
  const toml::array* array(const std::string& key);

  /// Throws on the first key nobody asked for: "location: prefix.key: unknown key; expected one
  /// of ... (did you mean ...?)".
  void finish() const;

  const Source& source() const { return source_; }
  const toml::table* raw() const { return table_; }

 private:
  const Source& source_;
  const toml::table* table_;
  std::string prefix_;
  const toml::node* where_;
  std::vector<std::string> known_;
};

/// "expected a positive number" etc.
std::string range_text(Range range, const char* noun);

}  // namespace athanor::config::detail
