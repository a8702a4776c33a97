// src/tune/tune_html.cpp: tune.html: the search's facts, a sortable table of its trials and a
// scatter plot of the score against each searched key, in one self-contained page.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include <athanor/tune/results.h>

#include "train/report_svg.h"

namespace athanor::tune {

namespace {

using train::detail::escape_html;
using train::detail::format_tick;
using train::detail::format_value;
using train::detail::nice_ticks;

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
main{max-width:1100px;margin:auto;padding:16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#666}dd{margin:0}
table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #e3e3e3;text-align:right}
th{cursor:pointer;background:#f0f0f0;position:sticky;top:0;user-select:none}
th[data-dir=asc]::after{content:" \25B2"}th[data-dir=desc]::after{content:" \25BC"}
tr.best td{background:#fff4cc;font-weight:600}
.plots{display:flex;flex-wrap:wrap;gap:16px}
svg{background:#fff;border:1px solid #ddd}
svg text{font-size:11px;fill:#444}.axis{stroke:#999}.grid{stroke:#eee}
.err{stroke:#888}.pt{stroke:#fff;stroke-width:1}
)";

// Click a header to sort by it (numbers numerically, text as text); click again to reverse.
constexpr const char* kScript = R"(
document.querySelectorAll("table.sortable th").forEach((th, col) => {
  th.addEventListener("click", () => {
    const body = th.closest("table").tBodies[0];
    const dir = th.dataset.dir === "asc" ? "desc" : "asc";
    th.closest("tr").querySelectorAll("th").forEach(h => delete h.dataset.dir);
    th.dataset.dir = dir;
    const key = r => { const t = r.cells[col].dataset.v ?? r.cells[col].textContent;
                       const n = parseFloat(t); return isNaN(n) ? t : n; };
    const rows = [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
      const c = typeof x === "number" && typeof y === "number"
                ? x - y : String(x).localeCompare(String(y));
      return dir === "asc" ? c : -c; });
    rows.forEach(r => body.appendChild(r));
  });
});
document.documentElement.setAttribute("data-tune-loaded", "1");
)";

constexpr const char* kRungColours[] = {"#9ab", "#4a90d9", "#2c6e2f", "#c0392b", "#8e44ad"};

std::optional<double> as_number(const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

/// The score against one key's values: numeric x (log axis for a log range) or one column per
/// distinct value.
std::string scatter(const Param& param, const std::vector<Trial>& trials, const std::string& metric,
                    int64_t best_id) {
  constexpr double kW = 340, kH = 240, kLeft = 56, kRight = 12, kTop = 12, kBottom = 40;
  const bool log_x = param.range && param.range->scale == Scale::kLog;
  std::vector<std::string> categories;
  bool numeric = true;
  std::vector<double> xs, ys, lo, hi;
  std::vector<const Trial*> shown;
  for (const Trial& t : trials) {
    const std::string& text = t.spec.config.at(param.key);
    if (!as_number(text)) numeric = false;
    if (std::find(categories.begin(), categories.end(), text) == categories.end()) {
      categories.push_back(text);
    }
  }
  if (!param.range && !numeric) {
    // Keep the order the space lists its values in.
    categories = param.values;
  }
  for (const Trial& t : trials) {
    if (!std::isfinite(t.score.mean)) continue;
    const std::string& text = t.spec.config.at(param.key);
    double x = 0;
    if (numeric) {
      x = *as_number(text);
      if (log_x) {
        if (x <= 0) continue;
        x = std::log10(x);
      }
    } else {
      x = static_cast<double>(std::find(categories.begin(), categories.end(), text) -
                              categories.begin());
    }
    xs.push_back(x);
    ys.push_back(t.score.mean);
    lo.push_back(t.score.mean - t.score.std);
    hi.push_back(t.score.mean + t.score.std);
    shown.push_back(&t);
  }
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\"><title>{2} against {3}</title>",
      kW, kH, escape_html(metric), escape_html(param.key));
  if (shown.empty()) return svg + "<text x=\"60\" y=\"120\">no finite scores</text></svg>";
  double x0 = *std::min_element(xs.begin(), xs.end()), x1 = *std::max_element(xs.begin(), xs.end());
  double y0 = *std::min_element(lo.begin(), lo.end()), y1 = *std::max_element(hi.begin(), hi.end());
  if (!numeric) {
    x0 = -0.5;
    x1 = static_cast<double>(categories.size()) - 0.5;
  }
  if (x0 == x1) {
    x0 -= 1;
    x1 += 1;
  }
  if (y0 == y1) {
    y0 -= std::max(1e-3, std::abs(y0) * 0.01);
    y1 += std::max(1e-3, std::abs(y1) * 0.01);
  }
  const std::vector<double> yt = nice_ticks(y0, y1, 5);
  y0 = std::min(y0, yt.front());
  y1 = std::max(y1, yt.back());
  auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * (kW - kLeft - kRight); };
  auto py = [&](double y) { return kTop + (y1 - y) / (y1 - y0) * (kH - kTop - kBottom); };
  for (double y : yt) {
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/><text x=\"{3}\" "
        "y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>",
        kLeft, kW - kRight, py(y), kLeft - 4, py(y) + 4, format_tick(y));
  }
  if (numeric) {
    // A log axis is ticked at whole powers of ten only (when the range spans one).
    std::vector<double> xt = nice_ticks(x0, x1, 4);
    if (log_x && std::floor(x1) >= std::ceil(x0)) {
      xt.clear();
      for (double e = std::ceil(x0); e <= std::floor(x1); ++e) xt.push_back(e);
    }
    for (double x : xt) {
      if (x < x0 - 1e-12 || x > x1 + 1e-12) continue;
      svg +=
          fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x),
                      kH - kBottom + 14, log_x ? format_tick(std::pow(10.0, x)) : format_tick(x));
    }
  } else {
    for (size_t i = 0; i < categories.size(); ++i) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                         px(static_cast<double>(i)), kH - kBottom + 14, escape_html(categories[i]));
    }
  }
  svg += fmt::format(
      "<line class=\"axis\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><line class=\"axis\" "
      "x1=\"{0}\" x2=\"{3}\" y1=\"{2}\" y2=\"{2}\"/><text x=\"{4}\" y=\"{5}\" "
      "text-anchor=\"middle\">{6}{7}</text>",
      kLeft, kTop, kH - kBottom, kW - kRight, (kLeft + kW - kRight) / 2, kH - 6,
      escape_html(param.key), log_x ? " (log)" : "");
  for (size_t i = 0; i < shown.size(); ++i) {
    const Trial& t = *shown[i];
    if (hi[i] > lo[i]) {
      svg += fmt::format(
          "<line class=\"err\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" "
          "y2=\"{2:.1f}\"/>",
          px(xs[i]), py(lo[i]), py(hi[i]));
    }
    const char* colour = kRungColours[std::min<int64_t>(t.spec.rung, 4)];
    svg += fmt::format(
        "<circle class=\"pt\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"><title>trial {}: "
        "{} = {}, {} {} ± {} (rung {}, {} epochs)</title></circle>",
        px(xs[i]), py(ys[i]), t.spec.id == best_id ? 6 : 4,
        t.spec.id == best_id ? "#e6a100" : colour, t.spec.id, escape_html(param.key),
        escape_html(t.spec.config.at(param.key)), escape_html(metric), format_value(t.score.mean),
        format_value(t.score.std), t.spec.rung, t.spec.budget);
  }
  return svg + "</svg>";
}

}  // namespace

std::string tune_html(const TuneReport& report) {
  std::string html = fmt::format(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}"
      "</style></head><body><main><h1>{}</h1><dl>",
      escape_html(report.title), kStyle, escape_html(report.title));
  for (const auto& [name, value] : report.facts) {
    html += fmt::format("<dt>{}</dt><dd>{}</dd>", escape_html(name), escape_html(value));
  }
  const Trial* best = nullptr;
  for (const Trial& t : report.trials) {
    if (t.spec.id == report.best_id) best = &t;
  }
  if (best != nullptr) {
    html += fmt::format("<dt>best</dt><dd>trial {}: {} ({} {} ± {})</dd>", best->spec.id,
                        escape_html(best->spec.config.to_string()), escape_html(report.metric),
                        format_value(best->score.mean), format_value(best->score.std));
  }
  html += "</dl><h2>Score against each searched key</h2><div class=\"plots\">";
  for (const Param& p : report.space.params()) {
    html += scatter(p, report.trials, report.metric, report.best_id);
  }
  html +=
      "</div><h2>Trials</h2><table class=\"sortable\"><thead><tr><th>id</th><th>config</th>"
      "<th>rung</th><th>epochs</th>";
  for (const Param& p : report.space.params()) html += "<th>" + escape_html(p.key) + "</th>";
  html += fmt::format(
      "<th>{} mean</th><th>std</th><th>folds</th><th>seconds</th></tr></thead>"
      "<tbody>",
      escape_html(report.metric));
  for (const Trial& t : report.trials) {
    std::string folds;
    for (double v : t.score.values) folds += (folds.empty() ? "" : " ") + format_value(v);
    html += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                        t.spec.id == report.best_id ? " class=\"best\"" : "", t.spec.id,
                        t.spec.config_index, t.spec.rung, t.spec.budget);
    for (const auto& [key, value] : t.spec.config.values) {
      html += "<td>" + escape_html(value) + "</td>";
    }
    html += fmt::format(
        "<td data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{:.1f}</td></tr>",
        t.score.mean, format_value(t.score.mean), t.score.std, format_value(t.score.std),
        escape_html(folds), t.seconds);
  }
  html += "</tbody></table></main><script>" + std::string(kScript) + "</script></body></html>\n";
  return html;
}

}  // namespace athanor::tune
