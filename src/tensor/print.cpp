// src/tensor/print.cpp: printing tensors the way PyTorch does, plus shape and dtype.
//
// This follows torch/_tensor_str.py with its default print options (precision 4, threshold 1000,
// edgeitems 3, linewidth 80). Tensors over 1000 elements show the first and last 3 entries of each
// dimension around "...", and only the entries shown choose the format. Floating values print as
// "1." when all nonzero finite ones are whole, else with 4 decimals ("0.1235"), and in scientific
// notation ("1.0000e+05") when the nonzero finite magnitudes span more than 1000x, exceed 1e8 or,
// for non-whole values, go below 1e-4. Entries are right-aligned to a common width and rows wrap
// at 80 columns. Booleans print as True / False.
#include <algorithm>
#include <cmath>
#include <ostream>

#include <athanor/tensor/tensor.h>

namespace athanor {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 80;

enum class Mode { kInteger, kBool, kWhole, kFixed, kScientific };

std::string format_value(Mode mode, double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  switch (mode) {
    case Mode::kWhole:
      return fmt::format("{:.0f}.", v);
    case Mode::kScientific:
      return fmt::format("{:.4e}", v);
    default:
      return fmt::format("{:.4f}", v);
  }
}

struct Printer {
  Shape shape;
  std::vector<double> values;  // floating tensors
  std::vector<int64_t> ints;   // integer and bool tensors
  bool summarize = false;
  Mode mode = Mode::kFixed;
  size_t width = 1;

  // Indices of a dimension of size n to show; -1 marks the "..." gap.
  std::vector<int64_t> shown(int64_t n) const {
    std::vector<int64_t> idx;
    if (summarize && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
      idx.push_back(-1);
      for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    }
    return idx;
  }

  // Flat indices of the elements that will be printed (all, unless summarizing).
  void collect_shown(int d, int64_t flat, std::vector<int64_t>& out) const {
    if (d == shape.rank()) {
      out.push_back(flat);
      return;
    }
    const int64_t stride = contiguous_strides(shape)[d];
    for (int64_t i : shown(shape[d])) {
      if (i >= 0) collect_shown(d + 1, flat + i * stride, out);
    }
  }

  std::string raw(int64_t flat) const {
    const auto i = static_cast<size_t>(flat);
    if (mode == Mode::kBool) return ints[i] ? "True" : "False";
    if (mode == Mode::kInteger) return fmt::format("{}", ints[i]);
    return format_value(mode, values[i]);
  }

  std::string element(int64_t flat) const {
    std::string e = raw(flat);
    return std::string(width > e.size() ? width - e.size() : 0, ' ') + e;
  }

  // Picks the mode and width from the shown elements, like torch's _Formatter.
  void choose_format() {
    std::vector<int64_t> flat;
    collect_shown(0, 0, flat);
    if (!ints.empty()) {
      for (int64_t f : flat) width = std::max(width, raw(f).size());
      return;
    }
    double lo = INFINITY, hi = 0;
    bool whole = true;
    for (int64_t f : flat) {
      const double v = values[static_cast<size_t>(f)];
      if (!std::isfinite(v) || v == 0) continue;
      lo = std::min(lo, std::fabs(v));
      hi = std::max(hi, std::fabs(v));
      whole = whole && v == std::ceil(v);
    }
    if (lo == INFINITY) {  // no nonzero finite value: zeros print as "0.", the rest as they are
      mode = Mode::kWhole;
      return;
    }
    const bool wide = hi / lo > 1000 || hi > 1e8;
    mode = whole ? (wide ? Mode::kScientific : Mode::kWhole)
                 : (wide || lo < 1e-4 ? Mode::kScientific : Mode::kFixed);
    for (int64_t f : flat) {
      const double v = values[static_cast<size_t>(f)];
      if (std::isfinite(v) && v != 0) width = std::max(width, raw(f).size());
    }
  }

  void print(std::string& out, int d, int64_t flat, size_t indent) const {
    if (d == shape.rank()) {
      out += element(flat);
      return;
    }
    const int64_t stride = contiguous_strides(shape)[d];
    const auto idx = shown(shape[d]);
    out += '[';
    if (d + 1 == shape.rank()) {
      // The innermost dimension: entries (and " ...") separated by ", ", wrapped to the line width.
      std::vector<std::string> entries;
      for (int64_t i : idx) entries.push_back(i < 0 ? " ..." : element(flat + i * stride));
      const size_t per_line =
          std::max<size_t>(1, (kLineWidth > indent ? kLineWidth - indent : 0) / (width + 2));
      for (size_t k = 0; k < entries.size(); ++k) {
        if (k > 0) out += k % per_line == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ";
        out += entries[k];
      }
    } else {
      const std::string sep = "," + std::string(static_cast<size_t>(shape.rank() - d - 1), '\n') +
                              std::string(indent + 1, ' ');
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k > 0) out += sep;
        if (idx[k] < 0)
          out += "...";
        else
          print(out, d + 1, flat + idx[k] * stride, indent + 1);
      }
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  std::string body = "[]";
  if (t.numel() > 0) {
    Printer p;
    p.shape = t.shape();
    p.summarize = t.numel() > kSummarizeAbove;
    if (t.is_floating_point()) {
      p.values = t.to_vector<double>();
    } else {
      p.ints = t.to_vector<int64_t>();
      p.mode = t.dtype() == kBool ? Mode::kBool : Mode::kInteger;
    }
    p.choose_format();
    body.clear();
    p.print(body, 0, 0, std::string("tensor(").size());
  }
  return fmt::format("tensor({}, shape={}, dtype={})", body, t.shape(), t.dtype());
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace athanor
