// src/train/report_svg.h: the report's SVG drawings (line charts, the confusion-matrix heat map)
// and the text helpers they share with the page (HTML escaping, number formatting, axis ticks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace athanor::train::detail {

/// `text` with &, <, >, " and ' replaced by entities, safe in element text and attribute values.
std::string escape_html(std::string_view text);

/// A value for tables and tooltips: 4 decimals, scientific for tiny or huge magnitudes, "nan",
/// "inf" and "-inf" spelled out.
std::string format_value(double value);

/// At most `max_chars` UTF-8 characters of `text`, ending in "…" when cut.
std::string shorten(std::string_view text, size_t max_chars);

/// Round tick values covering [lo, hi] (steps 1, 2 or 5 times a power of ten, about `count`
/// intervals); the first tick is <= lo and the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int count);

/// A tick value as short text (round numbers: "0.25", "1e-05", "1000").
std::string format_tick(double value);

/// One line of a chart: its name (shown in the legend and tooltips) and a value per epoch.
struct Series {
  std::string name;
  std::vector<double> values;
  bool validation = false;  // drawn in the validation colour, dashed
};

struct Chart {
  std::string svg;
  std::vector<std::string> notes;  // plain text (not escaped): values left out and why
};

/// A line chart of `series` over `epochs` (the x values, one per value of each series). Runs of
/// drawable values become one <polyline class="line"> each; a run of one value is a
/// <circle class="dot">. Non-finite values (and non-positive ones on a log scale) leave gaps and
/// are listed in the notes. Each epoch (or each group of epochs beyond 100) has a transparent
/// <rect class="hit"> whose <title> lists the values.
Chart line_chart(const std::vector<double>& epochs, const std::vector<Series>& series,
                 bool log_scale);

/// The heat map of `counts` [C][C] (rows = true class): colour = the count's share of its row,
/// counts written in cells wide enough for them, every nonzero cell titled with its count and
/// share; class names (capped in length) on both axes.
std::string confusion_svg(const std::vector<std::vector<int64_t>>& counts,
                          const std::vector<std::string>& names);

}  // namespace athanor::train::detail
