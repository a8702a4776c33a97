// src/data/csv.cpp: the CSV reader (on std::from_chars) and scikit-learn's bundled CSV format.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <optional>
#include <string_view>

#include <fmt/ranges.h>

#include <athanor/core/error.h>
#include <athanor/data/csv.h>

#include "data/gzip.h"

namespace athanor::data {
namespace {

constexpr const char* kWhat = "read_csv";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// A number filling the whole (trimmed) field, or nothing.
template <typename T>
std::optional<T> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // from_chars rejects a leading '+'
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

bool is_missing(std::string_view s) {
  return s.empty() || s == "NA" || s == "N/A" || s == "?" || s == "nan" || s == "NaN" || s == "NAN";
}

// Splits lines into fields, keeping the position of each for error messages.
class CsvLines {
 public:
  CsvLines(std::string_view text, std::string path, char delimiter)
      : text_(text), path_(std::move(path)), delimiter_(delimiter) {}

  // The next non-blank line's fields (trimmed, unquoted); false at the end of the text.
  bool next(std::vector<std::string_view>& fields) {
    while (pos_ < text_.size()) {
      const size_t end = std::min(text_.find('\n', pos_), text_.size());
      const std::string_view line = text_.substr(pos_, end - pos_);
      pos_ = end + 1;
      ++line_;
      if (trim(line).empty()) continue;
      split(line, fields);
      return true;
    }
    return false;
  }

  int64_t line() const { return line_; }
  const std::string& path() const { return path_; }

 private:
  void split(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    unquoted_.clear();
    size_t i = 0;
    while (true) {
      // Skip leading blanks to see whether the field is quoted.
      size_t start = i;
      while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
      if (start < line.size() && line[start] == '"') {
        std::string value;
        size_t j = start + 1;
        while (true) {
          ATHANOR_CHECK(j < line.size(),
                        "{}:{}: column {}: unterminated quoted field; expected a "
                        "closing '\"' on the same line",
                        path_, line_, fields.size() + 1);
          if (line[j] == '"') {
            if (j + 1 < line.size() && line[j + 1] == '"') {
              value += '"';
              j += 2;
              continue;
            }
            break;
          }
          value += line[j++];
        }
        size_t k = j + 1;
        while (k < line.size() && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) ++k;
        ATHANOR_CHECK(k == line.size() || line[k] == delimiter_,
                      "{}:{}: column {}: unexpected '{}' after a closing quote; expected the "
                      "delimiter '{}'",
                      path_, line_, fields.size() + 1, line[k], delimiter_);
        unquoted_.push_back(std::move(value));
        fields.push_back(unquoted_.back());
        if (k == line.size()) return;
        i = k + 1;
      } else {
        const size_t end = std::min(line.find(delimiter_, i), line.size());
        fields.push_back(trim(line.substr(i, end - i)));
        if (end == line.size()) return;
        i = end + 1;
      }
    }
  }

  std::string_view text_;
  std::string path_;
  char delimiter_;
  size_t pos_ = 0;
  int64_t line_ = 0;
  std::deque<std::string> unquoted_;  // a deque keeps the views into earlier fields valid
};

// How the label column's values are interpreted beyond CsvOptions (sklearn's class indices).
struct LabelRules {
  bool class_indices = false;  // the label is an index into options.classes
  int64_t columns = -1;        // the required column count; -1: that of the header or first row
  std::string columns_note;    // where `columns` comes from, for the error message
};

// "column 4 'mean area'" or "column 4" when the column has no name.
std::string column_desc(int64_t column, const std::vector<std::string>& names) {
  if (column < static_cast<int64_t>(names.size()) && !names[static_cast<size_t>(column)].empty()) {
    return fmt::format("column {} '{}'", column + 1, names[static_cast<size_t>(column)]);
  }
  return fmt::format("column {}", column + 1);
}

int64_t resolve_label_column(const CsvOptions& options, const std::vector<std::string>& names,
                             int64_t ncols, const std::string& path, bool have_header) {
  if (std::holds_alternative<std::monostate>(options.label_column)) return -1;
  if (const int* index = std::get_if<int>(&options.label_column)) {
    const int64_t i = *index < 0 ? *index + ncols : *index;
    ATHANOR_CHECK(i >= 0 && i < ncols,
                  "{}: '{}': label_column {} is out of range for {} columns; expected -{} to {}",
                  kWhat, path, *index, ncols, ncols, ncols - 1);
    return i;
  }
  const std::string& wanted = std::get<std::string>(options.label_column);
  ATHANOR_CHECK(have_header,
                "{}: '{}': label_column '{}' is a name but the file has no header; give an index",
                kWhat, path, wanted);
  const auto it = std::find(names.begin(), names.end(), wanted);
  ATHANOR_CHECK(it != names.end(), "{}: '{}': no column named '{}'; the header has {}", kWhat, path,
                wanted, fmt::join(names, ", "));
  return it - names.begin();
}

CsvData parse(std::string_view text, const std::string& path, const CsvOptions& options,
              const LabelRules& rules, int64_t first_line) {
  CsvLines lines(text, path, options.delimiter);
  std::vector<std::string_view> fields;
  CsvData result;
  std::vector<std::string> names;
  int64_t ncols = 0;
  bool have_first = lines.next(fields);
  ATHANOR_CHECK(have_first, "{}: '{}' is empty; expected {}", kWhat, path,
                options.header ? "a header line and rows of numbers" : "rows of numbers");
  ncols = rules.columns >= 0 ? rules.columns : static_cast<int64_t>(fields.size());
  if (options.header) {
    names.assign(fields.begin(), fields.end());
    const int64_t header_line = lines.line() + first_line;
    have_first = lines.next(fields);
    ATHANOR_CHECK(have_first,
                  "{}: '{}' has a header but no data rows; expected rows of numbers "
                  "after line {}",
                  kWhat, path, header_line);
  }
  // Error messages name a column by its header name only when the file has one.
  const std::vector<std::string> header_names = names;
  if (!options.header) {
    for (int64_t c = 0; c < ncols; ++c) names.push_back(fmt::format("column_{}", c + 1));
  }
  const int64_t label = resolve_label_column(options, names, ncols, path, options.header);
  const bool classes = label >= 0 && options.label_type == LabelType::kClass;
  const int64_t nfeatures = ncols - (label >= 0 ? 1 : 0);
  ATHANOR_CHECK(nfeatures > 0, "{}: '{}' has no feature columns besides the label", kWhat, path);
  for (int64_t c = 0; c < ncols; ++c) {
    if (c != label) result.feature_names.push_back(names[static_cast<size_t>(c)]);
  }
  if (label >= 0) result.label_name = names[static_cast<size_t>(label)];

  std::vector<float> features;
  std::vector<float> targets;
  std::vector<std::string> label_strings;  // class labels, mapped to ids once all are known
  std::vector<int64_t> label_lines;
  std::vector<int64_t> label_ids;
  const std::string header_note = !rules.columns_note.empty() ? rules.columns_note
                                  : options.header            ? " (as in the header)"
                                                              : " (as in the first row)";
  do {
    const int64_t line = lines.line() + first_line;
    ATHANOR_CHECK(static_cast<int64_t>(fields.size()) == ncols,
                  "{}:{}: expected {} columns{}, got {}", path, line, ncols, header_note,
                  fields.size());
    bool missing = false;
    for (int64_t c = 0; c < ncols && !missing; ++c) {
      const std::string_view field = fields[static_cast<size_t>(c)];
      if (is_missing(field)) {
        ATHANOR_CHECK(options.skip_missing,
                      "{}:{}: {}: missing value '{}'; expected a number (set skip_missing to drop "
                      "rows with missing values)",
                      path, line, column_desc(c, header_names), field);
        missing = true;
      }
    }
    if (missing) {
      ++result.skipped_rows;
      continue;
    }
    for (int64_t c = 0; c < ncols; ++c) {
      const std::string_view field = fields[static_cast<size_t>(c)];
      if (c == label && classes) {
        if (rules.class_indices) {
          const std::optional<int64_t> id = parse_number<int64_t>(field);
          const auto n = static_cast<int64_t>(options.classes.size());
          ATHANOR_CHECK(id.has_value(), "{}:{}: {}: expected a class index, got '{}'", path, line,
                        column_desc(c, header_names), field);
          ATHANOR_CHECK(*id >= 0 && *id < n,
                        "{}:{}: {}: class index {} is out of range; expected 0 to {} ({} classes: "
                        "{})",
                        path, line, column_desc(c, header_names), *id, n - 1, n,
                        fmt::join(options.classes, ", "));
          label_ids.push_back(*id);
        } else {
          label_strings.emplace_back(field);
          label_lines.push_back(line);
        }
        continue;
      }
      const std::optional<float> value = parse_number<float>(field);
      ATHANOR_CHECK(value.has_value(), "{}:{}: {}: expected a number, got '{}'", path, line,
                    column_desc(c, header_names), field);
      (c == label ? targets : features).push_back(*value);
    }
  } while (lines.next(fields));

  const auto rows = static_cast<int64_t>(features.size()) / nfeatures;
  ATHANOR_CHECK(rows > 0, "{}: '{}' has no rows left after skipping {} with missing values", kWhat,
                path, result.skipped_rows);
  result.features = Tensor::from(features, Shape{rows, nfeatures});
  if (label < 0) return result;
  if (!classes) {
    result.labels = Tensor::from(targets, Shape{rows, 1});
    return result;
  }
  if (rules.class_indices) {
    result.class_names = options.classes;
    result.labels = Tensor::from(label_ids, Shape{rows});
    return result;
  }
  if (options.classes.empty()) {
    std::vector<std::string> unique = label_strings;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    const bool integers = std::all_of(unique.begin(), unique.end(), [](const std::string& s) {
      return parse_number<int64_t>(s).has_value();
    });
    if (integers) {
      std::sort(unique.begin(), unique.end(), [](const std::string& a, const std::string& b) {
        return *parse_number<int64_t>(a) < *parse_number<int64_t>(b);
      });
    }
    result.class_names = std::move(unique);
  } else {
    result.class_names = options.classes;
  }
  std::vector<std::pair<std::string_view, int64_t>> lookup;
  for (size_t i = 0; i < result.class_names.size(); ++i) {
    lookup.emplace_back(result.class_names[i], static_cast<int64_t>(i));
  }
  std::sort(lookup.begin(), lookup.end());
  label_ids.reserve(label_strings.size());
  for (size_t r = 0; r < label_strings.size(); ++r) {
    const std::string_view s = label_strings[r];
    const auto it = std::lower_bound(lookup.begin(), lookup.end(), std::make_pair(s, int64_t{-1}));
    ATHANOR_CHECK(it != lookup.end() && it->first == s,
                  "{}:{}: {}: label '{}' is not one of the {} classes ({})", path, label_lines[r],
                  column_desc(label, header_names), s, result.class_names.size(),
                  fmt::join(result.class_names, ", "));
    label_ids.push_back(it->second);
  }
  result.labels = Tensor::from(label_ids, Shape{rows});
  return result;
}

}  // namespace

CsvData read_csv(const std::string& path, const CsvOptions& options) {
  const detail::ByteBuffer bytes = detail::read_maybe_gzip(path, kWhat);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return parse(text, path, options, {}, 0);
}

CsvData csv_from_text(std::string_view text, const std::string& source_name,
                      const CsvOptions& options) {
  return parse(text, source_name, options, {}, 0);
}

CsvData sklearn_csv(const std::string& path) {
  const detail::ByteBuffer bytes = detail::read_maybe_gzip(path, "sklearn_csv");
  return sklearn_csv_from_text(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

CsvData sklearn_csv_from_text(std::string_view text, const std::string& path) {
  // The first line: "n_rows,n_features,class names...".
  const size_t eol = std::min(text.find('\n'), text.size());
  std::vector<std::string_view> meta;
  CsvLines first(text.substr(0, eol), path, ',');
  ATHANOR_CHECK(first.next(meta),
                "sklearn_csv: '{}' is empty; expected a first line "
                "\"n_rows,n_features,class names...\"",
                path);
  const std::optional<int64_t> rows =
      meta.size() >= 2 ? parse_number<int64_t>(meta[0]) : std::nullopt;
  const std::optional<int64_t> cols =
      meta.size() >= 2 ? parse_number<int64_t>(meta[1]) : std::nullopt;
  ATHANOR_CHECK(rows && cols && *rows > 0 && *cols > 0 && meta.size() >= 3,
                "sklearn_csv: {}:1: expected \"n_rows,n_features,class names...\" with positive "
                "counts and at least one class name, got '{}'",
                path, trim(text.substr(0, eol)));
  // Bounded before it becomes an int column index (each feature needs at least 2 bytes anyway).
  ATHANOR_CHECK(*cols < (int64_t{1} << 30),
                "sklearn_csv: {}:1: n_features {} is too large; expected below 2^30", path, *cols);
  CsvOptions options{.header = false, .label_column = static_cast<int>(*cols)};
  options.classes.assign(meta.begin() + 2, meta.end());
  const std::string_view body = eol < text.size() ? text.substr(eol + 1) : std::string_view();
  ATHANOR_CHECK(body.find_first_not_of(" \t\r\n") != std::string_view::npos,
                "sklearn_csv: '{}' has its first line but no data rows; expected {} rows", path,
                *rows);
  // A row of n_features + 1 fields takes at least 2 n_features + 1 bytes: a count beyond what the
  // file holds is refused before anything is sized by it (the fuzzer's 55-byte file declaring
  // 211111111 features had the column names allocated first: 2 GB).
  ATHANOR_CHECK(2 * *cols + 1 <= static_cast<int64_t>(body.size()),
                "sklearn_csv: {}:1: n_features {} cannot fit: a row of {} fields takes at least {} "
                "bytes and the rows after line 1 hold {}",
                path, *cols, *cols + 1, 2 * *cols + 1, body.size());
  const LabelRules rules{
      .class_indices = true,
      .columns = *cols + 1,
      .columns_note = fmt::format(" ({} features and the class index, as line 1 declares)", *cols)};
  CsvData data = parse(body, path, options, rules, 1);
  ATHANOR_CHECK(data.features.shape(0) == *rows,
                "sklearn_csv: '{}' declares {} rows in its first line but holds {}", path, *rows,
                data.features.shape(0));
  data.label_name = "target";
  return data;
}

}  // namespace athanor::data
