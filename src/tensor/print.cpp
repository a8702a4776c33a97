// src/tensor/print.cpp: printing tensors the way PyTorch does, plus shape and dtype.
//
// Floating values print with 4 decimals ("0.1235"), as "1." when all are whole numbers, and in
// scientific notation ("1.0000e+05") when their magnitudes span more than 1000x or leave
// [1e-4, 1e8). Tensors over 1000 elements show the first and last 3 entries of each dimension.
#include <algorithm>
#include <cmath>
#include <ostream>

#include <athanor/tensor/tensor.h>

namespace athanor {
namespace {

constexpr int64_t kSummarizeAbove = 1000;
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  enum class Mode { kInteger, kWhole, kFixed, kScientific } mode = Mode::kFixed;
  size_t width = 0;

  std::string format(double v) const {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    switch (mode) {
      case Mode::kInteger:
        return fmt::format("{}", static_cast<int64_t>(v));
      case Mode::kWhole:
        return fmt::format("{:.0f}.", v);
      case Mode::kFixed:
        return fmt::format("{:.4f}", v);
      case Mode::kScientific:
        return fmt::format("{:.4e}", v);
    }
    return {};
  }
};

struct Printer {
  const Tensor& t;
  std::vector<double> values;
  std::vector<int64_t> ints;
  bool is_bool = false;
  bool summarize = false;
  Formatter f;

  std::string element(int64_t flat) const {
    if (is_bool) return ints[static_cast<size_t>(flat)] ? "true" : "false";
    if (!ints.empty()) return fmt::format("{}", ints[static_cast<size_t>(flat)]);
    return f.format(values[static_cast<size_t>(flat)]);
  }

  // Indices of dimension d to show (-1 marks the "..." gap).
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

  void print(std::string& out, int d, int64_t flat, size_t indent) const {
    const Shape& s = t.shape();
    if (d == s.rank()) {
      std::string e = element(flat);
      out += std::string(f.width > e.size() ? f.width - e.size() : 0, ' ') + e;
      return;
    }
    int64_t stride = 1;
    for (int k = d + 1; k < s.rank(); ++k) stride *= s[k];
    out += '[';
    const auto idx = shown(s[d]);
    const bool last_dim = d + 1 == s.rank();
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k > 0) {
        out += ',';
        if (last_dim) {
          out += ' ';
        } else {
          out += std::string(static_cast<size_t>(s.rank() - d - 1), '\n');
          out += std::string(indent + 1, ' ');
        }
      }
      if (idx[k] < 0) {
        out += "...";
        continue;
      }
      print(out, d + 1, flat + idx[k] * stride, indent + 1);
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  Printer p{t, {}, {}, t.dtype() == kBool, t.numel() > kSummarizeAbove, {}};
  if (t.is_floating_point()) {
    p.values = t.to_vector<double>();
    double lo = INFINITY, hi = 0;
    bool whole = true;
    for (double v : p.values) {
      if (!std::isfinite(v)) continue;
      const double a = std::fabs(v);
      if (a != 0) lo = std::min(lo, a);
      hi = std::max(hi, a);
      whole = whole && v == std::nearbyint(v);
    }
    using Mode = Formatter::Mode;
    if (whole && hi < 1e8)
      p.f.mode = Mode::kWhole;
    else if (lo != INFINITY && (hi / lo > 1000 || hi >= 1e8 || lo < 1e-4))
      p.f.mode = Mode::kScientific;
    else
      p.f.mode = Mode::kFixed;
    for (double v : p.values) p.f.width = std::max(p.f.width, p.f.format(v).size());
  } else {
    p.ints = t.to_vector<int64_t>();
    for (int64_t v : p.ints) p.f.width = std::max(p.f.width, fmt::format("{}", v).size());
    if (p.is_bool) p.f.width = 0;
  }
  std::string body;
  p.print(body, 0, 0, std::string("tensor(").size());
  return fmt::format("tensor({}, shape={}, dtype={})", body, t.shape(), t.dtype());
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }

}  // namespace athanor
