// src/train/report_test.cpp: the run report: the page is well-formed and self-contained, has one
// chart per quantity with the right lines and points, escapes text, draws the confusion matrix and
// per-class scores equal to metrics::ConfusionMatrix's; edge cases (one epoch, NaN, no
// validation, regression, 100 classes, 1000 epochs) and bad inputs.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/io/file.h>
#include <athanor/metrics/classification.h>
#include <athanor/tensor/tensor.h>
#include <athanor/train/report.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "train/report_svg.h"

namespace athanor::train {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- Small HTML helpers (no std::regex: GCC 12 false positives under sanitizers). ----

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

/// "" when every tag is closed in order; otherwise what broke. Void elements (meta) need no end
/// tag, `<.../>` closes itself, `<!DOCTYPE` is skipped; text inside <style> and <script> is
/// skipped to its end tag.
std::string tag_balance_error(const std::string& html) {
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    const size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    const std::string tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '!') continue;
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" + (open.empty() ? "nothing" : open.back()) + ">";
      }
      open.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;
    const std::string name = tag.substr(0, tag.find_first_of(" \n\t"));
    // An unescaped '<' in text shows up here as a tag with no proper name.
    const bool named = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    if (!named) return "bad tag <" + tag + ">";
    if (name == "meta" || name == "br" || name == "link") continue;
    if (name == "style" || name == "script") {
      const size_t close = html.find("</" + name + ">", i);
      if (close == std::string::npos) return "unclosed <" + name + ">";
      i = close;
    }
    open.push_back(name);
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

/// The text between `from` (searched from `start`) and the next `to`.
std::string between(const std::string& text, const std::string& from, const std::string& to,
                    size_t start = 0) {
  const size_t a = text.find(from, start);
  if (a == std::string::npos) return "";
  const size_t b = text.find(to, a + from.size());
  return text.substr(a + from.size(), b - a - from.size());
}

/// The <figure> of the chart whose first key is `key`.
std::string chart(const std::string& html, const std::string& key) {
  return between(html, "<figure class=\"chart\" data-chart=\"" + key + "\">", "</figure>");
}

/// The number of points of every polyline in `svg`, in order.
std::vector<size_t> polyline_points(const std::string& svg) {
  std::vector<size_t> sizes;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    sizes.push_back(count(between(svg, "points=\"", "\"", at), " ") + 1);
  }
  return sizes;
}

/// The texts of the <text class="`cls`"> elements of `svg`, in order.
std::vector<std::string> tick_labels(const std::string& svg, const std::string& cls) {
  std::vector<std::string> labels;
  const std::string open = "<text class=\"" + cls + "\"";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at + 1)) {
    labels.push_back(between(svg, ">", "<", at));
  }
  return labels;
}

History history_of(const std::vector<std::pair<std::string, std::vector<double>>>& columns) {
  History h;
  const size_t n = columns.front().second.size();
  for (size_t e = 0; e < n; ++e) {
    h.epochs.push_back(static_cast<int64_t>(e));
    Logs logs;
    for (const auto& [name, values] : columns) logs.set(name, values[e]);
    h.logs.push_back(logs);
  }
  return h;
}

const std::vector<std::vector<int64_t>> kConfusion = {
    {50, 3, 0, 2}, {4, 41, 5, 0}, {0, 7, 30, 1}, {1, 0, 0, 0}};

// A ConfusionMatrix fed one-hot outputs reproducing `counts`.
metrics::ConfusionMatrix confusion_matrix_of(const std::vector<std::vector<int64_t>>& counts) {
  const auto c = static_cast<int64_t>(counts.size());
  std::vector<double> scores;
  std::vector<int64_t> targets;
  for (int64_t i = 0; i < c; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      for (int64_t k = 0; k < counts[i][j]; ++k) {
        for (int64_t m = 0; m < c; ++m) scores.push_back(m == j ? 1.0 : 0.0);
        targets.push_back(i);
      }
    }
  }
  metrics::ConfusionMatrix cm({.num_classes = c});
  const auto n = static_cast<int64_t>(targets.size());
  cm.update(Tensor::from(scores, Shape{n, c}, kFloat64), Tensor::from(targets, Shape{n}, kInt64));
  return cm;
}

ReportData classification_report() {
  ReportData data;
  data.title = "fashion <mlp> & friends";
  data.history = history_of({{"loss", {1.2, 0.8, 0.6, 0.5, 0.45}},
                             {"accuracy", {0.6, 0.7, 0.75, 0.8, 0.82}},
                             {"val_loss", {1.0, 0.9, 0.7, 0.65, 0.66}},
                             {"val_accuracy", {0.62, 0.68, 0.74, 0.77, 0.78}},
                             {"lr", {1e-3, 1e-3, 5e-4, 2.5e-4, 1.25e-4}},
                             {"seconds", {2.1, 2.0, 2.0, 2.2, 2.1}}});
  data.facts = {{"started", "2026-11-23 13:00 UTC"},
                {"samples/s", "12345"},
                {"command", "athanor train run.toml --set train.epochs=5"}};
  data.confusion = kConfusion;
  data.class_names = {"T-shirt/top", "trouser", "pullover", "dress"};
  data.confusion_caption = "test set, 144 images";
  data.final_scores = {{"test accuracy", 0.8125}, {"test loss", 0.5123}};
  return data;
}

TEST(Report, IsWellFormedAndSelfContained) {
  const std::string html = render_report(classification_report());
  EXPECT_EQ(tag_balance_error(html), "");
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr(" src=")));  // no external scripts or images
  EXPECT_EQ(count(html, "<script"), 1u);
  EXPECT_THAT(html, HasSubstr("data-report-loaded"));
}

TEST(Report, TagBalanceCheckerCatchesBrokenMarkup) {
  EXPECT_EQ(tag_balance_error("<p><b>x</b></p>"), "");
  EXPECT_EQ(tag_balance_error("<p><b>x</p></b>"), "</p> closes <b>");
  EXPECT_EQ(tag_balance_error("<div><svg><circle/></svg>"), "unclosed <div>");
  EXPECT_EQ(tag_balance_error("<p>a < b</p>"), "bad tag < b</p>");
}

TEST(Report, EscapesEveryText) {
  ReportData data = classification_report();
  data.facts.push_back({"note <b>", "a \"quoted\" & 'odd' <value>"});
  data.class_names[1] = "<script>";
  const std::string html = render_report(data);
  EXPECT_THAT(html, HasSubstr("<h1>fashion &lt;mlp&gt; &amp; friends</h1>"));
  EXPECT_THAT(html, HasSubstr("<title>fashion &lt;mlp&gt; &amp; friends · athanor report</title>"));
  EXPECT_THAT(html, Not(HasSubstr("<mlp>")));
  EXPECT_THAT(html, HasSubstr("<dt>note &lt;b&gt;</dt>"));
  EXPECT_THAT(html, HasSubstr("a &quot;quoted&quot; &amp; &#39;odd&#39; &lt;value&gt;"));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;"));
  EXPECT_EQ(count(html, "<script"), 1u);
  EXPECT_EQ(tag_balance_error(html), "");
}

TEST(Report, HeaderShowsFactsAndFinalScores) {
  const std::string html = render_report(classification_report());
  EXPECT_THAT(html, HasSubstr("<dt>samples/s</dt><dd>12345</dd>"));
  EXPECT_THAT(html, HasSubstr("<dd class=\"mono\">athanor train run.toml --set "
                              "train.epochs=5</dd>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"value\">0.8125</span><span class=\"name\">test "
                              "accuracy</span>"));
}

TEST(Report, DrawsOneChartPerQuantityWithItsValidationTwin) {
  const std::string html = render_report(classification_report());
  // loss + val_loss, accuracy + val_accuracy, lr; seconds only in the table.
  EXPECT_EQ(count(html, "<svg class=\"chart-svg\""), 3u);
  const std::string loss = chart(html, "loss");
  EXPECT_EQ(count(loss, "<svg"), 1u);
  EXPECT_EQ(polyline_points(loss), (std::vector<size_t>{5, 5}));
  EXPECT_THAT(loss, HasSubstr("data-series=\"loss\""));
  EXPECT_THAT(loss, HasSubstr("data-series=\"val_loss\""));
  EXPECT_EQ(polyline_points(chart(html, "accuracy")), (std::vector<size_t>{5, 5}));
  EXPECT_EQ(polyline_points(chart(html, "lr")), (std::vector<size_t>{5}));
  EXPECT_EQ(chart(html, "seconds"), "");
  EXPECT_EQ(chart(html, "val_loss"), "");
  // A tooltip per epoch with every series' value; epochs counted from 1 as the progress bar.
  EXPECT_EQ(count(loss, "<rect class=\"hit\""), 5u);
  EXPECT_THAT(loss, HasSubstr("<title>epoch 2\nloss: 0.8000\nval_loss: 0.9000</title>"));
  EXPECT_THAT(loss, HasSubstr(">epoch</text>"));
}

TEST(Report, ChartTicksAreRoundNumbers) {
  const std::string loss = chart(render_report(classification_report()), "loss");
  // loss spans 0.45 .. 1.2: ticks every 0.2 from 0.4 to 1.2; epochs 1 .. 5.
  EXPECT_EQ(tick_labels(loss, "ytick"),
            (std::vector<std::string>{"0.4", "0.6", "0.8", "1", "1.2"}));
  EXPECT_EQ(tick_labels(loss, "xtick"), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(detail::nice_ticks(0.23, 0.91, 4), (std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0}));
  EXPECT_EQ(detail::nice_ticks(0, 1000, 6), (std::vector<double>{0, 200, 400, 600, 800, 1000}));
  EXPECT_EQ(detail::format_tick(0.1 * 3), "0.3");
  EXPECT_EQ(detail::format_tick(1e-5), "1e-5");
  EXPECT_EQ(detail::format_tick(0.001), "0.001");
}

TEST(Report, LearningRateUsesALogScaleBeyondADecade) {
  ReportData data = classification_report();
  const std::string lr = chart(render_report(data), "lr");
  EXPECT_THAT(lr, Not(HasSubstr("log scale")));  // 1e-3 .. 1.25e-4 is within a decade
  data.history = history_of({{"loss", {1, 0.5, 0.4}}, {"lr", {0.1, 0.01, 1e-4}}});
  const std::string log_lr = chart(render_report(data), "lr");
  EXPECT_THAT(log_lr, HasSubstr("(log scale)"));
  EXPECT_EQ(tick_labels(log_lr, "ytick"),
            (std::vector<std::string>{"1e-4", "1e-3", "1e-2", "1e-1"}));
}

TEST(Report, NonFiniteValuesLeaveGapsAndAreNoted) {
  ReportData data;
  data.title = "nan";
  data.history = history_of(
      {{"loss", {1.0, 0.8, NAN, 0.6, 0.5}}, {"val_loss", {1.0, INFINITY, 0.7, -INFINITY, 0.6}}});
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  const std::string loss = chart(html, "loss");
  // loss: epochs 1-2 and 4-5; val_loss: three single points, drawn as dots.
  EXPECT_EQ(polyline_points(loss), (std::vector<size_t>{2, 2}));
  EXPECT_EQ(count(loss, "class=\"dot\""), 3u);
  EXPECT_THAT(loss, HasSubstr("loss: not finite at epoch 3 (gaps in the line)"));
  EXPECT_THAT(loss, HasSubstr("val_loss: not finite at epoch 2, 4 (gaps in the line)"));
  EXPECT_THAT(loss, HasSubstr("val_loss: inf"));  // the tooltip of epoch 2
  EXPECT_THAT(html, HasSubstr("<td class=\"bad\">nan</td>"));
  EXPECT_THAT(html, Not(HasSubstr("\"nan\"")));  // no NaN coordinates
  EXPECT_THAT(html, Not(HasSubstr(",nan")));
}

TEST(Report, AllNonFiniteSeriesDrawsAnEmptyFrame) {
  ReportData data;
  data.history = history_of({{"loss", {NAN, NAN}}});
  const std::string loss = chart(render_report(data), "loss");
  EXPECT_EQ(polyline_points(loss), std::vector<size_t>{});
  EXPECT_THAT(loss, HasSubstr("(nothing to draw)"));
  EXPECT_THAT(render_report(data), HasSubstr("<h1>untitled run</h1>"));
}

TEST(Report, OneEpochIsADot) {
  ReportData data;
  data.title = "one";
  data.history = history_of({{"loss", {0.7}}, {"val_loss", {0.8}}, {"lr", {0.01}}});
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  const std::string loss = chart(html, "loss");
  EXPECT_EQ(count(loss, "<polyline"), 0u);
  EXPECT_EQ(count(loss, "class=\"dot\""), 2u);
  EXPECT_EQ(count(loss, "class=\"xtick\""), 1u);
  EXPECT_THAT(html, HasSubstr("Per-epoch values (1 epoch)"));
}

TEST(Report, WithoutValidationEachChartHasOneLine) {
  ReportData data;
  data.history = history_of({{"loss", {1, 0.5, 0.3}}, {"mae", {0.9, 0.6, 0.4}}});
  const std::string html = render_report(data);
  EXPECT_EQ(count(html, "<svg class=\"chart-svg\""), 2u);
  EXPECT_EQ(polyline_points(chart(html, "loss")), (std::vector<size_t>{3}));
  EXPECT_EQ(polyline_points(chart(html, "mae")), (std::vector<size_t>{3}));
}

TEST(Report, RegressionHasNoMatrixSection) {
  ReportData data;
  data.title = "diabetes";
  data.history = history_of({{"loss", {3000, 2900}}, {"val_loss", {3100, 3050}}});
  data.final_scores = {{"test mse", 2950.5}};
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  EXPECT_THAT(html, Not(HasSubstr("id=\"confusion\"")));
  EXPECT_THAT(html, Not(HasSubstr("id=\"per-class\"")));
  EXPECT_THAT(html, HasSubstr("2950.5000"));
}

TEST(Report, NoEpochsSaysSo) {
  ReportData data;
  data.confusion = kConfusion;
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  EXPECT_THAT(html, HasSubstr("No epochs were recorded."));
  EXPECT_THAT(html, HasSubstr("<td class=\"name\" title=\"3\">3</td>"));  // default names
}

TEST(Report, MatrixCellsHoldTheCounts) {
  const std::string html = render_report(classification_report());
  const std::string matrix = between(html, "<section id=\"confusion\">", "</section>");
  EXPECT_THAT(matrix, HasSubstr("test set, 144 images"));
  EXPECT_EQ(count(matrix, "<text class=\"count"), 16u);
  EXPECT_EQ(count(matrix, "<rect class=\"cell"), 10u);  // the nonzero cells
  for (const auto& row : kConfusion) {
    for (const int64_t v : row) {
      EXPECT_THAT(matrix, HasSubstr(">" + std::to_string(v) + "</text>")) << v;
    }
  }
  EXPECT_THAT(matrix, HasSubstr("<title>true trouser, predicted pullover: 5 (10.0% of the "
                                "row)</title>"));
  EXPECT_EQ(count(matrix, ">T-shirt/top<title>"), 2u);  // row and column labels
  // Row-normalized colour: 30 of 38 (row 2) is darker than 41 of 50 (row 1) would be if raw.
  EXPECT_THAT(matrix, HasSubstr("class=\"cell diag\""));
}

TEST(Report, PerClassScoresEqualConfusionMatrixs) {
  const metrics::ConfusionMatrix cm = confusion_matrix_of(kConfusion);
  const ClassScores s = class_scores(kConfusion);
  EXPECT_EQ(s.precision, cm.precision_per_class());
  EXPECT_EQ(s.recall, cm.recall_per_class());
  EXPECT_EQ(s.f1, cm.f1_per_class());
  EXPECT_EQ(s.support, cm.support());
  EXPECT_DOUBLE_EQ(s.macro_precision, cm.precision(metrics::Average::Macro));
  EXPECT_DOUBLE_EQ(s.macro_recall, cm.recall(metrics::Average::Macro));
  EXPECT_DOUBLE_EQ(s.macro_f1, cm.f1(metrics::Average::Macro));
  EXPECT_DOUBLE_EQ(s.weighted_precision, cm.precision(metrics::Average::Weighted));
  EXPECT_DOUBLE_EQ(s.weighted_recall, cm.recall(metrics::Average::Weighted));
  EXPECT_DOUBLE_EQ(s.weighted_f1, cm.f1(metrics::Average::Weighted));
  EXPECT_DOUBLE_EQ(s.accuracy, cm.compute());
  EXPECT_EQ(s.total, 144);
  // Class 3 (dress) is never predicted correctly: all its scores are 0 (zero division).
  EXPECT_EQ(s.precision[3], 0.0);

  // The table shows the same values, 4 decimals.
  const std::string html = render_report(classification_report());
  const std::vector<std::string> names = {"T-shirt/top", "trouser", "pullover", "dress"};
  const std::vector<double> p = cm.precision_per_class();
  const std::vector<double> r = cm.recall_per_class();
  const std::vector<double> f = cm.f1_per_class();
  for (size_t k = 0; k < names.size(); ++k) {
    const std::string row =
        between(html, "<tr><td class=\"name\" title=\"" + names[k] + "\">", "</tr>");
    EXPECT_EQ(between(row, "<td>", "</td>"), fmt::format("{:.4f}", p[k])) << names[k];
    EXPECT_THAT(row, HasSubstr(fmt::format(
                         "</td><td>{:.4f}</td><td>{:.4f}</td><td class=\"barcell\">", r[k], f[k])));
    EXPECT_THAT(row, HasSubstr(fmt::format("<td>{}</td>", cm.support()[k])));
  }
  EXPECT_THAT(html, HasSubstr(fmt::format("<tr><td>macro avg</td><td>{:.4f}</td><td>{:.4f}</td>"
                                          "<td>{:.4f}</td><td></td><td>144</td></tr>",
                                          cm.precision(metrics::Average::Macro),
                                          cm.recall(metrics::Average::Macro),
                                          cm.f1(metrics::Average::Macro))));
  EXPECT_THAT(html, HasSubstr(fmt::format("<tr><td>weighted avg</td><td>{:.4f}</td>",
                                          cm.precision(metrics::Average::Weighted))));
}

TEST(Report, AveragesSkipClassesAbsentFromTruthAndPredictions) {
  // Class 2 never occurs: macro averages over classes 0 and 1 only, as scikit-learn.
  const std::vector<std::vector<int64_t>> counts = {{3, 1, 0}, {2, 4, 0}, {0, 0, 0}};
  const metrics::ConfusionMatrix cm = confusion_matrix_of(counts);
  const ClassScores s = class_scores(counts);
  EXPECT_DOUBLE_EQ(s.macro_f1, cm.f1(metrics::Average::Macro));
  EXPECT_DOUBLE_EQ(s.macro_precision, (0.6 + 0.8) / 2);
  EXPECT_DOUBLE_EQ(s.weighted_recall, cm.recall(metrics::Average::Weighted));
  const ClassScores zero = class_scores({{0, 0}, {0, 0}});
  EXPECT_EQ(zero.macro_f1, 0.0);
  EXPECT_EQ(zero.accuracy, 0.0);
}

TEST(Report, HundredClassesStayLegible) {
  ReportData data;
  data.history = history_of({{"loss", {2.0, 1.5}}});
  const size_t c = 100;
  data.confusion.assign(c, std::vector<int64_t>(c, 0));
  for (size_t i = 0; i < c; ++i) {
    data.confusion[i][i] = 90;
    data.confusion[i][(i + 1) % c] = 10;
    data.class_names.push_back(fmt::format("a very long class name number {}", i));
  }
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  const std::string matrix = between(html, "<section id=\"confusion\">", "</section>");
  // Labels capped at 14 characters, the full name in their title; cells too small for counts
  // keep them in their titles.
  EXPECT_THAT(matrix, HasSubstr(">a very long c\u2026<title>a very long class name number 7"));
  EXPECT_EQ(count(matrix, "<text class=\"count"), 0u);
  EXPECT_EQ(count(matrix, "<rect class=\"cell"), 200u);
  EXPECT_THAT(matrix, HasSubstr(": 90 (90.0% of the row)</title>"));
  EXPECT_LT(html.size(), 400'000u);
}

TEST(Report, ThousandEpochsKeepAReasonableSize) {
  std::vector<double> loss;
  std::vector<double> val;
  for (int e = 0; e < 1000; ++e) {
    loss.push_back(1.0 / (1 + 0.01 * e));
    val.push_back(1.1 / (1 + 0.009 * e));
  }
  ReportData data;
  data.history = history_of({{"loss", loss}, {"val_loss", val}});
  const std::string html = render_report(data);
  EXPECT_EQ(tag_balance_error(html), "");
  const std::string chart_html = chart(html, "loss");
  EXPECT_EQ(polyline_points(chart_html), (std::vector<size_t>{1000, 1000}));
  EXPECT_EQ(count(chart_html, "<rect class=\"hit\""), 100u);
  EXPECT_EQ(count(chart_html, "class=\"marker\""), 0u);
  EXPECT_LT(html.size(), 250'000u);
}

TEST(Report, TextHelpers) {
  EXPECT_EQ(detail::escape_html("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(detail::shorten("short", 14), "short");
  EXPECT_EQ(detail::shorten("abcdefghijklmnop", 5), "abcd\u2026");
  EXPECT_EQ(detail::shorten("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 3), "\u00e9\u00e9\u2026");
  EXPECT_EQ(detail::format_value(0.5), "0.5000");
  EXPECT_EQ(detail::format_value(1.5e-5), "1.500e-05");
  EXPECT_EQ(detail::format_value(NAN), "nan");
  EXPECT_EQ(detail::format_value(-INFINITY), "-inf");
}

TEST(Report, RejectsInconsistentData) {
  ReportData data = classification_report();
  data.class_names.pop_back();
  EXPECT_THROW_WITH_MESSAGE(render_report(data),
                            "render_report: 3 class names for a 4x4 confusion matrix; expected 4 "
                            "names (or none)");
  data = classification_report();
  data.confusion[2].pop_back();
  EXPECT_THROW_WITH_MESSAGE(render_report(data),
                            "class_scores: confusion matrix row 2 has 3 entries; expected 4");
  data = classification_report();
  data.confusion[1][0] = -1;
  EXPECT_THROW_WITH_MESSAGE(render_report(data),
                            "class_scores: confusion matrix entry [1, 0] is -1; expected a count "
                            ">= 0");
  data = classification_report();
  data.history.epochs.pop_back();
  EXPECT_THROW_WITH_MESSAGE(render_report(data),
                            "render_report: history has 4 epoch numbers and 5 logs");
}

TEST(Report, WriteReportWritesTheRenderedPage) {
  data::testing::TempDir dir;
  const std::filesystem::path path = dir.root() / "report.html";
  const ReportData data = classification_report();
  write_report(path, data);
  EXPECT_EQ(io::read_file(path), render_report(data));
  EXPECT_THROW_WITH_MESSAGE(write_report(dir.root() / "missing" / "report.html", data), "missing");
}

}  // namespace
}  // namespace athanor::train
