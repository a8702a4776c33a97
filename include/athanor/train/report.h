// include/athanor/train/report.h: the run report (report.html): a self-contained page with the
// run's facts, SVG curves per epoch, the confusion matrix and per-class scores.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <athanor/train/logs.h>

namespace athanor::train {

/// What a report shows. Only `title` and `history` are needed; empty parts are left out.
struct ReportData {
  std::string title;  // e.g. the run name
  /// Per-epoch loss, metrics, val_*, lr, seconds. Charts: loss with val_loss, each metric with its
  /// val_ twin, lr (log scale when it spans more than a decade). Non-finite values leave gaps.
  /// Epochs are shown counted from 1, as the progress bar shows them.
  History history;
  /// Shown in the header, in order: "started", "duration", "samples/s", "parameters", "command".
  std::vector<std::pair<std::string, std::string>> facts;
  /// Classification only (empty otherwise): counts [C][C], rows = true class, columns =
  /// predicted class (as metrics::ConfusionMatrix::matrix()).
  std::vector<std::vector<int64_t>> confusion;
  /// C names, or empty for "0" .. "C-1".
  std::vector<std::string> class_names;
  std::string confusion_caption;                             // e.g. "test set, 10000 images"
  std::vector<std::pair<std::string, double>> final_scores;  // e.g. test accuracy, macro F1
};

/// Per-class scores from a confusion matrix, as scikit-learn's classification_report: per class
/// tp / predicted, tp / true, 2 tp / (true + predicted) (each 0 when its denominator is) and the
/// number of true examples; macro and weighted averages over the classes present in the truth
/// or the predictions (a class absent from both does not count).
struct ClassScores {
  std::vector<double> precision, recall, f1;
  std::vector<int64_t> support;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double weighted_precision = 0, weighted_recall = 0, weighted_f1 = 0;
  double accuracy = 0;  // trace / total; 0 when the matrix is all zeros
  int64_t total = 0;
};

/// The scores of `confusion` [C][C] (rows = true class). Throws unless it is square with
/// non-negative counts.
ClassScores class_scores(const std::vector<std::vector<int64_t>>& confusion);

/// The report as HTML text: no network references, inline CSS and SVG; its small script only
/// marks the page as loaded (html[data-report-loaded="1"]). Throws when the history's epochs and
/// logs differ in length, the matrix is not square or class_names does not match it.
std::string render_report(const ReportData& data);

/// Writes render_report(data) to `path` atomically (io::write_file_atomic).
void write_report(const std::filesystem::path& path, const ReportData& data);

}  // namespace athanor::train
