// src/train/report_svg.cpp: the report's SVG line charts and confusion-matrix heat map.
#include "train/report_svg.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace athanor::train::detail {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double magnitude = std::abs(value);
  if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return fmt::format("{:.3e}", value);
  return fmt::format("{:.4f}", value);
}

std::string shorten(std::string_view text, size_t max_chars) {
  // Byte offsets of the character starts (UTF-8 lead bytes), so no character is cut in half.
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  if (starts.size() <= max_chars || max_chars == 0) return std::string(text);
  return std::string(text.substr(0, starts[max_chars - 1])) + "\u2026";
}

namespace {

// A step of 1, 2 or 5 times a power of ten near `raw`: step = nice * 10^exponent.
struct Step {
  double nice;
  int exponent;
};

Step nice_step(double raw) {
  const int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double fraction = raw / std::pow(10.0, exponent);
  if (fraction >= 7) return {1, exponent + 1};
  return {fraction < 1.5 ? 1.0 : fraction < 3 ? 2.0 : 5.0, exponent};
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const Step step = nice_step((hi - lo) / count);
  const double power = std::pow(10.0, std::abs(step.exponent));  // exact up to 1e22
  // Tick k is k * nice (a small integer) scaled by the exact power of ten, so a tick is the
  // double nearest its decimal value (0.6, not 3 * 0.2 = 0.6000000000000001).
  auto tick = [&](double k) {
    return step.exponent >= 0 ? k * step.nice * power : k * step.nice / power;
  };
  const double width = tick(1);
  // The slack keeps 1.2 / 0.2 = 5.999... from adding a tick.
  const double first = std::floor(lo / width + 1e-9);
  const double last = std::ceil(hi / width - 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last + 0.5; ++k) ticks.push_back(tick(k) + 0.0);  // -0 -> 0
  return ticks;
}

std::string format_tick(double value) {
  if (value == 0) return "0";
  const double exponent = std::log10(std::abs(value));
  if (std::abs(exponent - std::round(exponent)) < 1e-9 && std::abs(exponent) > 3.5) {
    return fmt::format("{}1e{}", value < 0 ? "-" : "", static_cast<int>(std::round(exponent)));
  }
  return fmt::format("{:.6g}", value);
}

namespace {

// The chart's frame, in SVG user units (the page scales it to its column's width).
constexpr double kWidth = 560;
constexpr double kHeight = 290;
constexpr double kLeft = 60;
constexpr double kRight = 18;
constexpr double kTop = 38;
constexpr double kBottom = 42;
constexpr size_t kMaxHitAreas = 100;
constexpr size_t kMaxMarkers = 40;  // points get markers only up to this many epochs

std::string num(double v) { return fmt::format("{:.1f}", v); }

// "epoch 3, 4, 9 and 2 more".
std::string epoch_list(const std::vector<double>& epochs) {
  std::string out;
  const size_t shown = std::min<size_t>(epochs.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + fmt::format("{}", epochs[i]);
  if (epochs.size() > shown) out += fmt::format(" and {} more", epochs.size() - shown);
  return out;
}

}  // namespace

Chart line_chart(const std::vector<double>& epochs, const std::vector<Series>& series,
                 bool log_scale) {
  Chart chart;
  const size_t n = epochs.size();
  auto drawable = [&](double v) { return std::isfinite(v) && (!log_scale || v > 0); };

  // Value range over the drawable values of every series.
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const Series& s : series) {
    std::vector<double> skipped;
    for (size_t i = 0; i < n; ++i) {
      if (drawable(s.values[i])) {
        lo = std::min(lo, s.values[i]);
        hi = std::max(hi, s.values[i]);
      } else {
        skipped.push_back(epochs[i]);
      }
    }
    if (!skipped.empty()) {
      const bool all = skipped.size() == n;
      chart.notes.push_back(
          fmt::format("{}: {} at epoch {}{}", s.name,
                      log_scale ? "not finite or not positive (log scale)" : "not finite",
                      epoch_list(skipped), all ? " (nothing to draw)" : " (gaps in the line)"));
    }
  }
  if (lo > hi) {  // nothing drawable: an empty frame
    lo = log_scale ? 1 : 0;
    hi = log_scale ? 10 : 1;
  }

  // y axis: round ticks; on a log scale the decades (every k-th when there are many).
  std::vector<double> y_ticks;
  bool scientific = false;
  double y_lo = 0;
  double y_hi = 0;
  if (log_scale) {
    // A value a hair above a decade (1e-3 + 1e-6) does not open a whole decade more.
    const double d_lo = std::floor(std::log10(lo) + 0.01);
    const double d_hi = std::max(std::ceil(std::log10(hi) - 0.01), d_lo + 1);
    const double every = std::ceil((d_hi - d_lo) / 6);
    for (double d = d_lo; d <= d_hi + 0.5; d += every) y_ticks.push_back(std::pow(10.0, d));
    // One notation per axis: all decades as 1eK once any needs it.
    scientific = d_lo < -3 || d_hi > 3;
    y_lo = d_lo;
    y_hi = d_hi;
  } else {
    y_ticks = nice_ticks(lo, hi, 4);
    y_lo = y_ticks.front();
    y_hi = y_ticks.back();
  }
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  auto y_of = [&](double v) {
    const double t = log_scale ? std::log10(v) : v;
    return kTop + plot_h * (1 - (t - y_lo) / (y_hi - y_lo));
  };

  // x axis: epochs; a single epoch sits in the middle.
  double x_lo = n ? *std::min_element(epochs.begin(), epochs.end()) : 0;
  double x_hi = n ? *std::max_element(epochs.begin(), epochs.end()) : 1;
  std::vector<double> x_ticks;
  if (x_hi > x_lo) {
    for (double t : nice_ticks(x_lo, x_hi, 6)) {
      if (t >= x_lo && t <= x_hi && t == std::round(t)) x_ticks.push_back(t);
    }
  } else {
    x_ticks = {x_lo};
    x_lo -= 1;
    x_hi += 1;
  }
  auto x_of = [&](double e) { return kLeft + plot_w * (e - x_lo) / (x_hi - x_lo); };

  std::string& svg = chart.svg;
  svg += fmt::format(
      "<svg class=\"chart-svg\" viewBox=\"0 0 {} {}\" role=\"img\" preserveAspectRatio=\"xMidYMid "
      "meet\">",
      kWidth, kHeight);
  // Grid and axes.
  svg += "<g class=\"grid\">";
  for (double t : y_ticks) {
    svg += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", num(kLeft),
                       num(kWidth - kRight), num(y_of(t)), num(y_of(t)));
  }
  svg += "</g><g class=\"axis\">";
  svg += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", num(kLeft),
                     num(kWidth - kRight), num(kHeight - kBottom), num(kHeight - kBottom));
  for (double t : y_ticks) {
    svg += fmt::format(
        "<text class=\"ytick\" x=\"{}\" y=\"{}\">{}</text>", num(kLeft - 8), num(y_of(t) + 4),
        scientific ? fmt::format("1e{}", std::lround(std::log10(t))) : format_tick(t));
  }
  for (double t : x_ticks) {
    svg += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/>", num(x_of(t)),
                       num(kHeight - kBottom), num(kHeight - kBottom + 5));
    svg += fmt::format("<text class=\"xtick\" x=\"{}\" y=\"{}\">{}</text>", num(x_of(t)),
                       num(kHeight - kBottom + 19), format_tick(t));
  }
  svg += fmt::format("<text class=\"xlabel\" x=\"{}\" y=\"{}\">epoch</text></g>",
                     num(kLeft + plot_w / 2), num(kHeight - 4));

  // Legend, above the plot.
  double legend_x = kLeft;
  for (size_t k = 0; k < series.size(); ++k) {
    const std::string cls = series[k].validation ? "val" : fmt::format("c{}", k);
    svg += fmt::format(
        "<g class=\"legend {}\"><line x1=\"{}\" x2=\"{}\" y1=\"14\" y2=\"14\"/>"
        "<text x=\"{}\" y=\"18\">{}</text></g>",
        cls, num(legend_x), num(legend_x + 22), num(legend_x + 28), escape_html(series[k].name));
    legend_x += 44 + 7.0 * static_cast<double>(series[k].name.size());
  }

  // The lines: one polyline per run of drawable values, a dot for a run of one.
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const std::string cls = s.validation ? "val" : fmt::format("c{}", k);
    svg += fmt::format("<g class=\"series {}\" data-series=\"{}\">", cls, escape_html(s.name));
    size_t i = 0;
    while (i < n) {
      if (!drawable(s.values[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < n && drawable(s.values[end])) ++end;
      if (end - i == 1) {
        svg += fmt::format("<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"4\"/>",
                           num(x_of(epochs[i])), num(y_of(s.values[i])));
      } else {
        svg += "<polyline class=\"line\" points=\"";
        for (size_t j = i; j < end; ++j) {
          svg += fmt::format("{}{},{}", j > i ? " " : "", num(x_of(epochs[j])),
                             num(y_of(s.values[j])));
        }
        svg += "\"/>";
        if (n <= kMaxMarkers) {
          for (size_t j = i; j < end; ++j) {
            svg += fmt::format("<circle class=\"marker\" cx=\"{}\" cy=\"{}\" r=\"2.5\"/>",
                               num(x_of(epochs[j])), num(y_of(s.values[j])));
          }
        }
      }
      i = end;
    }
    svg += "</g>";
  }

  // Tooltips: a transparent band per epoch (per group of epochs when there are many), titled
  // with every series' value there.
  const size_t stride = std::max<size_t>(1, (n + kMaxHitAreas - 1) / kMaxHitAreas);
  svg += "<g class=\"hits\">";
  for (size_t i = 0; i < n; i += stride) {
    const size_t last = std::min(n, i + stride) - 1;
    const double left = i == 0 ? kLeft : (x_of(epochs[i - 1]) + x_of(epochs[i])) / 2;
    const double right =
        last + 1 == n ? kWidth - kRight : (x_of(epochs[last]) + x_of(epochs[last + 1])) / 2;
    std::string title = fmt::format("epoch {}", epochs[i]);
    for (const Series& s : series)
      title += fmt::format("\n{}: {}", s.name, format_value(s.values[i]));
    svg += fmt::format(
        "<rect class=\"hit\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
        num(left), num(kTop), num(std::max(right - left, 0.5)), num(plot_h), escape_html(title));
  }
  svg += "</g></svg>";
  return chart;
}

namespace {

// Sequential blues from near-white to deep blue, t in [0, 1].
std::string heat_colour(double t) {
  constexpr double kLow[3] = {247, 250, 253};
  constexpr double kHigh[3] = {28, 78, 140};
  int rgb[3];
  for (int c = 0; c < 3; ++c) {
    rgb[c] = static_cast<int>(std::lround(kLow[c] + (kHigh[c] - kLow[c]) * t));
  }
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

// The tint of a share: nonzero shares get at least a faint tint so they differ from zero.
double shade(double share) { return share <= 0 ? 0 : 0.06 + 0.94 * share; }

constexpr size_t kMaxLabelChars = 14;

}  // namespace

std::string confusion_svg(const std::vector<std::vector<int64_t>>& counts,
                          const std::vector<std::string>& names) {
  const size_t c = counts.size();
  const double cell = std::clamp(std::floor(560.0 / static_cast<double>(c)), 12.0, 56.0);
  const double label_font = std::min(12.0, std::max(9.0, cell * 0.75));
  size_t longest = 1;
  std::vector<std::string> labels;
  for (const std::string& name : names) {
    labels.push_back(shorten(name, kMaxLabelChars));
    size_t chars = 0;
    for (const char ch : labels.back()) chars += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    longest = std::max(longest, chars);
  }
  // 0.65 em per character: wide enough for DejaVu Sans, the widest common system font.
  const double label_len = static_cast<double>(longest) * label_font * 0.65 + 8;
  const double left = 30 + label_len;
  // Column labels run up at -45 degrees, so they need label_len * sin(45) of height.
  const double top = 30 + label_len * 0.75;
  const double grid = cell * static_cast<double>(c);
  const double width = left + grid + 16 + label_len * 0.72;
  const double height = top + grid + 44;
  const double count_font = std::clamp(cell * 0.3, 9.0, 13.0);

  std::string svg = fmt::format(
      "<svg class=\"matrix-svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\">",
      num(width), num(height));
  svg += fmt::format(
      "<text class=\"axis-title\" x=\"{}\" y=\"14\">predicted class</text>"
      "<text class=\"axis-title\" transform=\"translate(14 {}) rotate(-90)\">true "
      "class</text>",
      num(left + grid / 2), num(top + grid / 2));
  svg += fmt::format("<rect class=\"matrix-bg\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                     num(left), num(top), num(grid), num(grid));
  for (size_t k = 0; k < c; ++k) {
    const double pos = static_cast<double>(k) * cell + cell / 2;
    const std::string full = escape_html(names[k]);
    svg += fmt::format(
        "<text class=\"row-label\" x=\"{}\" y=\"{}\" font-size=\"{}\">{}<title>{}</title></text>",
        num(left - 6), num(top + pos + label_font * 0.35), num(label_font), escape_html(labels[k]),
        full);
    svg += fmt::format(
        "<text class=\"col-label\" transform=\"translate({} {}) rotate(-45)\" font-size=\"{}\">{}"
        "<title>{}</title></text>",
        num(left + pos + label_font * 0.3), num(top - 6), num(label_font), escape_html(labels[k]),
        full);
  }
  svg += "<g class=\"cells\">";
  for (size_t i = 0; i < c; ++i) {
    int64_t row_total = 0;
    for (const int64_t v : counts[i]) row_total += v;
    for (size_t j = 0; j < c; ++j) {
      const int64_t v = counts[i][j];
      const double share =
          row_total == 0 ? 0 : static_cast<double>(v) / static_cast<double>(row_total);
      const double x = left + static_cast<double>(j) * cell;
      const double y = top + static_cast<double>(i) * cell;
      if (v > 0) {
        svg += fmt::format(
            "<rect class=\"cell{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
            "<title>true {}, predicted {}: {} ({:.1f}% of the row)</title></rect>",
            i == j ? " diag" : "", num(x), num(y), num(cell), num(cell), heat_colour(shade(share)),
            escape_html(names[i]), escape_html(names[j]), v, 100 * share);
      }
      const std::string text = std::to_string(v);
      if (cell >= 24 && static_cast<double>(text.size()) * count_font * 0.62 <= cell - 4) {
        svg += fmt::format("<text class=\"count{}\" x=\"{}\" y=\"{}\" font-size=\"{}\">{}</text>",
                           v == 0                ? " zero"
                           : shade(share) > 0.55 ? " light"
                                                 : "",
                           num(x + cell / 2), num(y + cell / 2 + count_font * 0.35),
                           num(count_font), text);
      }
    }
  }
  svg += "</g>";
  // Colour key: five steps of the row share.
  const double key_y = top + grid + 16;
  svg += fmt::format("<g class=\"key\"><text x=\"{}\" y=\"{}\">share of the row</text>", num(left),
                     num(key_y + 11));
  for (int k = 0; k <= 4; ++k) {
    const double x = left + 110 + k * 34.0;
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"34\" height=\"14\" fill=\"{}\"/>"
        "<text class=\"pct\" x=\"{}\" y=\"{}\">{}%</text>",
        num(x), num(key_y), heat_colour(shade(k / 4.0)), num(x + 17), num(key_y + 27), k * 25);
  }
  svg += "</g></svg>";
  return svg;
}

}  // namespace athanor::train::detail
