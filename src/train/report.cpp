// src/train/report.cpp: render_report and write_report (the run's report.html), and the per-class
// scores of a confusion matrix.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/io/file.h>
#include <athanor/train/report.h>
#include <athanor/version.h>

#include "train/report_svg.h"

namespace athanor::train {

using detail::escape_html;
using detail::format_value;

namespace {

// A ratio that is 0 when its denominator is (scikit-learn's default zero_division).
double ratio(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

ClassScores class_scores(const std::vector<std::vector<int64_t>>& confusion) {
  const size_t c = confusion.size();
  for (size_t i = 0; i < c; ++i) {
    ATHANOR_CHECK(confusion[i].size() == c,
                  "class_scores: confusion matrix row {} has {} entries; expected {} (a square "
                  "matrix, one row and one column per class)",
                  i, confusion[i].size(), c);
    for (size_t j = 0; j < c; ++j) {
      ATHANOR_CHECK(confusion[i][j] >= 0,
                    "class_scores: confusion matrix entry [{}, {}] is {}; expected a count >= 0", i,
                    j, confusion[i][j]);
    }
  }
  ClassScores s;
  s.support.assign(c, 0);
  std::vector<int64_t> predicted(c, 0);
  int64_t trace = 0;
  for (size_t i = 0; i < c; ++i) {
    for (size_t j = 0; j < c; ++j) {
      s.support[i] += confusion[i][j];
      predicted[j] += confusion[i][j];
    }
    trace += confusion[i][i];
    s.total += s.support[i];
  }
  s.accuracy = ratio(trace, s.total);
  double weight_sum = 0;
  double support_sum = 0;
  for (size_t k = 0; k < c; ++k) {
    const int64_t tp = confusion[k][k];
    s.precision.push_back(ratio(tp, predicted[k]));
    s.recall.push_back(ratio(tp, s.support[k]));
    // 2PR / (P + R) = 2 tp / (2 tp + fp + fn) = 2 tp / (true + predicted).
    s.f1.push_back(ratio(2 * tp, s.support[k] + predicted[k]));
    // scikit-learn's default labels: only classes seen in the truth or the predictions count.
    if (s.support[k] + predicted[k] == 0) continue;
    const auto w = static_cast<double>(s.support[k]);
    s.macro_precision += s.precision[k];
    s.macro_recall += s.recall[k];
    s.macro_f1 += s.f1[k];
    s.weighted_precision += w * s.precision[k];
    s.weighted_recall += w * s.recall[k];
    s.weighted_f1 += w * s.f1[k];
    weight_sum += 1;
    support_sum += w;
  }
  for (double* v : {&s.macro_precision, &s.macro_recall, &s.macro_f1}) {
    *v = weight_sum == 0 ? 0 : *v / weight_sum;
  }
  for (double* v : {&s.weighted_precision, &s.weighted_recall, &s.weighted_f1}) {
    *v = support_sum == 0 ? 0 : *v / support_sum;
  }
  return s;
}

namespace {

constexpr const char* kStyle = R"css(
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f7f8fa;--card:#fff;--c0:#2f6db5;
--val:#d9822b;--c1:#6b4fbb;--c2:#2a8c82;--c3:#b83280;--bad:#b42318}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1160px;margin:0 auto;padding:32px 24px 48px}
header{margin-bottom:28px}
.eyebrow{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:4px 0 16px;font-size:28px;font-weight:650;overflow-wrap:anywhere}
h2{margin:0 0 14px;font-size:18px;font-weight:600}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 22px;
margin:0 0 20px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:10px 24px;
margin:0}
.facts div{min-width:0}
.facts dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.facts .wide{grid-column:1/-1}
.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;
font-size:13px}
.scores{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}
.score{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 18px;
min-width:150px}
.score .value{display:block;font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
.score .name{color:var(--muted);font-size:13px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:18px}
figure{margin:0;min-width:0}
figcaption{font-weight:600;margin-bottom:2px}
.chart-svg{width:100%;height:auto;display:block}
.note{margin:4px 0 0;color:var(--bad);font-size:13px}
.muted{color:var(--muted)}
svg text{fill:var(--muted);font-size:12px}
.grid line{stroke:#eef0f3}
.axis line{stroke:#9aa5b1}
.ytick{text-anchor:end;font-variant-numeric:tabular-nums}
.xtick,.xlabel{text-anchor:middle}
.legend line{stroke-width:2.5}
.legend text{fill:var(--ink)}
.series .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.c0 line,.c0 .line{stroke:var(--c0)}.c0 circle{fill:var(--c0)}
.c1 line,.c1 .line{stroke:var(--c1)}.c1 circle{fill:var(--c1)}
.c2 line,.c2 .line{stroke:var(--c2)}.c2 circle{fill:var(--c2)}
.c3 line,.c3 .line{stroke:var(--c3)}.c3 circle{fill:var(--c3)}
.val line,.val .line{stroke:var(--val);stroke-dasharray:6 4}.val circle{fill:var(--val)}
.hit{fill:#1f2933;fill-opacity:0}.hit:hover{fill-opacity:.06}
.scroll{overflow-x:auto}
.caption{margin:-6px 0 12px;color:var(--muted);font-size:14px}
.matrix-svg{display:block}
.matrix-bg{fill:#fff;stroke:var(--line)}
.cell:hover{stroke:var(--ink);stroke-width:1.5}
.diag{stroke:#fff;stroke-width:.5}
.row-label{text-anchor:end;fill:var(--ink)}
.col-label{fill:var(--ink)}
.axis-title{font-weight:600;fill:var(--muted);text-anchor:middle}
.count{text-anchor:middle;fill:var(--ink);font-variant-numeric:tabular-nums;pointer-events:none}
.count.light{fill:#fff}.count.zero{fill:#c3cad3}
.key text{font-size:11px}.key rect{stroke:var(--line)}
.key .pct{text-anchor:middle}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}
th,td{padding:5px 12px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:13px}
th:first-child,td:first-child{text-align:left}
td.name{max-width:260px;overflow:hidden;text-overflow:ellipsis}
tfoot td{font-weight:600;border-bottom:none}
tfoot tr:first-child td{border-top:2px solid var(--line)}
td.barcell{padding-left:0}
.bar{display:inline-block;width:72px;height:6px;border-radius:3px;
background:#eef0f3;vertical-align:middle;overflow:hidden}
.bar span{display:block;height:100%;background:var(--c0)}
td.bad{color:var(--bad)}
details summary{cursor:pointer;font-weight:600}
details table{margin-top:12px}
footer{color:var(--muted);font-size:13px;text-align:center;margin-top:8px}
@media print{body{background:#fff}section{break-inside:avoid}}
)css";

struct ChartSpec {
  std::string title;
  std::vector<std::string> keys;
  bool lr = false;
};

// The charts, in the order their first key appears: a quantity with its val_ twin, a val_ key
// without a twin alone, the learning rate alone; "seconds" is left to the table.
std::vector<ChartSpec> plan_charts(const std::vector<std::string>& keys) {
  auto has = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  std::vector<ChartSpec> charts;
  for (const std::string& key : keys) {
    if (key == "seconds" || key == "epoch") continue;
    if (key == "lr") {
      charts.push_back({"learning rate", {key}, true});
    } else if (key.rfind("val_", 0) == 0) {
      if (!has(key.substr(4))) charts.push_back({key, {key}});
    } else if (has("val_" + key)) {
      charts.push_back({key, {key, "val_" + key}});
    } else {
      charts.push_back({key, {key}});
    }
  }
  return charts;
}

std::string facts_html(const ReportData& data) {
  if (data.facts.empty()) return "";
  std::string out = "<dl class=\"facts\">";
  for (const auto& [name, value] : data.facts) {
    const bool command = name == "command";
    out += fmt::format("<div{}><dt>{}</dt><dd{}>{}</dd></div>", command ? " class=\"wide\"" : "",
                       escape_html(name), command ? " class=\"mono\"" : "", escape_html(value));
  }
  return out + "</dl>";
}

std::string scores_html(const ReportData& data) {
  if (data.final_scores.empty()) return "";
  std::string out = "<div class=\"scores\" id=\"scores\">";
  for (const auto& [name, value] : data.final_scores) {
    out += fmt::format(
        "<div class=\"score\"><span class=\"value\">{}</span><span class=\"name\">{}</span></div>",
        format_value(value), escape_html(name));
  }
  return out + "</div>";
}

std::string charts_html(const History& history, const std::vector<std::string>& keys) {
  std::string out = "<section id=\"curves\"><h2>Training curves</h2>";
  if (history.empty()) return out + "<p class=\"muted\">No epochs were recorded.</p></section>";
  std::vector<double> epochs;
  // Counted from 1, as the progress bar shows them.
  for (const int64_t e : history.epochs) epochs.push_back(static_cast<double>(e + 1));
  out += "<div class=\"charts\">";
  for (const ChartSpec& spec : plan_charts(keys)) {
    std::vector<detail::Series> series;
    double lo = INFINITY;
    double hi = 0;
    for (const std::string& key : spec.keys) {
      detail::Series s{key, {}, key.rfind("val_", 0) == 0 && spec.keys.size() > 1};
      for (const Logs& logs : history.logs) {
        const double v = logs.get(key).value_or(NAN);
        s.values.push_back(v);
        if (std::isfinite(v) && v > 0) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      series.push_back(std::move(s));
    }
    const bool log_scale = spec.lr && hi > 10 * lo;
    const detail::Chart chart = detail::line_chart(epochs, series, log_scale);
    out += fmt::format("<figure class=\"chart\" data-chart=\"{}\"><figcaption>{}{}</figcaption>{}",
                       escape_html(spec.keys.front()), escape_html(spec.title),
                       log_scale ? " <span class=\"muted\">(log scale)</span>" : "", chart.svg);
    for (const std::string& note : chart.notes) {
      out += fmt::format("<p class=\"note\">{}</p>", escape_html(note));
    }
    out += "</figure>";
  }
  return out + "</div></section>";
}

std::string matrix_html(const ReportData& data, const std::vector<std::string>& names) {
  std::string out = "<section id=\"confusion\"><h2>Confusion matrix</h2><p class=\"caption\">";
  if (!data.confusion_caption.empty()) out += escape_html(data.confusion_caption) + " · ";
  out += "rows: true class, columns: predicted class; colour: the count's share of its row</p>";
  out +=
      "<div class=\"scroll\">" + detail::confusion_svg(data.confusion, names) + "</div></section>";
  return out;
}

std::string score_cell(double v) { return fmt::format("<td>{:.4f}</td>", v); }

std::string per_class_html(const ClassScores& s, const std::vector<std::string>& names) {
  // The F1 bar has a column of its own so the numbers line up with the averages below.
  std::string out =
      "<section id=\"per-class\"><h2>Per-class scores</h2><div class=\"scroll\"><table>"
      "<thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th></th>"
      "<th>support</th></tr></thead><tbody>";
  for (size_t k = 0; k < names.size(); ++k) {
    out += fmt::format(
        "<tr><td class=\"name\" title=\"{0}\">{0}</td>{1}{2}{3}<td class=\"barcell\"><span "
        "class=\"bar\"><span style=\"width:{4:.1f}%\"></span></span></td><td>{5}</td></tr>",
        escape_html(names[k]), score_cell(s.precision[k]), score_cell(s.recall[k]),
        score_cell(s.f1[k]), 100 * s.f1[k], s.support[k]);
  }
  out += fmt::format(
      "</tbody><tfoot><tr><td>accuracy</td><td></td><td></td>{}<td></td><td>{}</td></tr>",
      score_cell(s.accuracy), s.total);
  out += fmt::format("<tr><td>macro avg</td>{}{}{}<td></td><td>{}</td></tr>",
                     score_cell(s.macro_precision), score_cell(s.macro_recall),
                     score_cell(s.macro_f1), s.total);
  out += fmt::format("<tr><td>weighted avg</td>{}{}{}<td></td><td>{}</td></tr>",
                     score_cell(s.weighted_precision), score_cell(s.weighted_recall),
                     score_cell(s.weighted_f1), s.total);
  return out + "</tfoot></table></div></section>";
}

std::string epochs_html(const History& history, const std::vector<std::string>& keys) {
  if (history.empty()) return "";
  std::string out = fmt::format(
      "<section id=\"epochs\"><details><summary>Per-epoch values ({} epoch{})</summary><div "
      "class=\"scroll\"><table><thead><tr><th>epoch</th>",
      history.size(), history.size() == 1 ? "" : "s");
  for (const std::string& key : keys) out += "<th>" + escape_html(key) + "</th>";
  out += "</tr></thead><tbody>";
  for (size_t e = 0; e < history.size(); ++e) {
    out += fmt::format("<tr><td>{}</td>", history.epochs[e] + 1);
    for (const std::string& key : keys) {
      const std::optional<double> v = history.logs[e].get(key);
      if (!v) {
        out += "<td></td>";
      } else {
        out += fmt::format("<td{}>{}</td>", std::isfinite(*v) ? "" : " class=\"bad\"",
                           format_value(*v));
      }
    }
    out += "</tr>";
  }
  return out + "</tbody></table></div></details></section>";
}

}  // namespace

std::string render_report(const ReportData& data) {
  const History& history = data.history;
  ATHANOR_CHECK(history.epochs.size() == history.logs.size(),
                "render_report: history has {} epoch numbers and {} logs; expected one of each "
                "per epoch",
                history.epochs.size(), history.logs.size());
  const size_t c = data.confusion.size();
  ATHANOR_CHECK(data.class_names.empty() || data.class_names.size() == c,
                "render_report: {} class names for a {}x{} confusion matrix; expected {} names "
                "(or none)",
                data.class_names.size(), c, c, c);
  const ClassScores scores = class_scores(data.confusion);  // also checks the matrix
  std::vector<std::string> names = data.class_names;
  for (size_t k = names.size(); k < c; ++k) names.push_back(std::to_string(k));

  // Every key of any epoch, in order of first appearance.
  std::vector<std::string> keys;
  for (const Logs& logs : history.logs) {
    for (const auto& [key, value] : logs) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    }
  }

  const std::string title = data.title.empty() ? "untitled run" : data.title;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  html += "<title>" + escape_html(title) + " · athanor report</title>";
  html += "<style>" + std::string(kStyle) + "</style></head><body><main>";
  html += "<header><p class=\"eyebrow\">athanor run report</p><h1>" + escape_html(title) + "</h1>" +
          facts_html(data) + scores_html(data) + "</header>";
  html += charts_html(history, keys);
  if (c > 0) html += matrix_html(data, names) + per_class_html(scores, names);
  html += epochs_html(history, keys);
  html += fmt::format(
      "<footer>Written by athanor {}. Hover over a chart or a cell for its values.</footer>",
      version());
  // The only script: marks the page as loaded, so a test can tell that nothing stopped it.
  html +=
      "</main><script>document.documentElement.setAttribute(\"data-report-loaded\", "
      "\"1\");</script></body></html>\n";
  return html;
}

void write_report(const std::filesystem::path& path, const ReportData& data) {
  io::write_file_atomic(path, render_report(data));
}

}  // namespace athanor::train
