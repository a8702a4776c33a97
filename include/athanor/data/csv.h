// include/athanor/data/csv.h: reading numeric CSV files (plain or gzip-compressed) into feature
// and label tensors, including scikit-learn's bundled-dataset format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <athanor/data/dataset.h>

namespace athanor::data {

/// A column chosen by its header name or by its 0-based index (negative counts from the end), or
/// none (std::monostate).
using CsvColumn = std::variant<std::monostate, int, std::string>;

/// How the label column is read.
enum class LabelType {
  /// Class labels (any strings, e.g. "setosa" or "3"), mapped to int64 ids.
  kClass,
  /// Numeric targets for regression, float32.
  kRegression,
};

struct CsvOptions {
  /// Whether the first non-blank line names the columns.
  bool header = true;
  char delimiter = ',';
  /// The target column; none for unlabelled data (prediction). Every other column is a feature.
  CsvColumn label_column = {};
  LabelType label_type = LabelType::kClass;
  /// The class names to map labels onto (id = position), e.g. the mapping saved with a model so
  /// that a test file uses the training file's ids; a label outside it is an error. Empty: the
  /// classes found in the file, sorted (numerically when every label is an integer, so labels
  /// 0..9 keep their values as ids).
  std::vector<std::string> classes = {};
  /// Drop rows with a missing value (an empty field, NA, N/A, ?, or nan) instead of failing.
  bool skip_missing = false;
};

/// What a CSV file held. Rows appear in file order; blank lines are ignored.
struct CsvData {
  /// float32 [N, F].
  Tensor features;
  /// int64 [N] class ids (LabelType::kClass), float32 [N, 1] targets (kRegression, shaped like a
  /// model's single output), or undefined without a label column.
  Tensor labels;
  /// The F feature columns' names: from the header, else "column_<k>" with k counted from 1.
  std::vector<std::string> feature_names;
  std::string label_name;
  /// Class id -> name (the mapping to save with a model); empty unless LabelType::kClass.
  std::vector<std::string> class_names;
  /// Rows dropped by skip_missing.
  int64_t skipped_rows = 0;

  /// The features and labels as a dataset.
  TensorDataset dataset() const { return TensorDataset(features, labels); }
};

/// Reads the CSV file at `path` (inflated first when it starts with gzip's magic bytes). Fields
/// may be double-quoted ("" escapes a quote); features are parsed with std::from_chars. Every
/// error names the file, the 1-based line and column, the column's header name, and what was
/// expected, e.g. "data.csv:14: column 4 'mean area': expected a number, got 'abc'"; nothing is
/// returned from a file with an error.
CsvData read_csv(const std::string& path, const CsvOptions& options = {});

/// read_csv of (uncompressed) text held in memory; errors name `source_name` as they would a path.
CsvData csv_from_text(std::string_view text, const std::string& source_name,
                      const CsvOptions& options = {});

/// Reads scikit-learn's bundled format (iris.csv, breast_cancer.csv, wine_data.csv): a first line
/// "n_rows,n_features,class names...", then rows of n_features numbers and a class index in
/// [0, number of class names). Checks the declared counts against the rows.
CsvData sklearn_csv(const std::string& path);

/// sklearn_csv of text held in memory; errors name `source_name`.
CsvData sklearn_csv_from_text(std::string_view text, const std::string& source_name);

}  // namespace athanor::data
