// include/athanor/core/shape.h: Shape, the sizes of a tensor's dimensions (also used for strides).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace athanor {

/// Up to kMaxDims sizes, stored inline (no heap allocation per tensor). Prints as "[32, 784]".
class Shape {
 public:
  static constexpr int kMaxDims = 8;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit Shape(std::span<const int64_t> dims) { assign(dims.begin(), dims.end()); }
  explicit Shape(const std::vector<int64_t>& dims) { assign(dims.begin(), dims.end()); }

  /// Number of dimensions.
  int size() const { return rank_; }
  int rank() const { return rank_; }
  bool empty() const { return rank_ == 0; }
  int64_t operator[](int i) const { return dims_[static_cast<size_t>(i)]; }
  int64_t& operator[](int i) { return dims_[static_cast<size_t>(i)]; }
  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + rank_; }
  int64_t* begin() { return dims_.data(); }
  int64_t* end() { return dims_.data() + rank_; }
  const int64_t* data() const { return dims_.data(); }
  int64_t back() const { return dims_[static_cast<size_t>(rank_ - 1)]; }

  void push_back(int64_t d);
  void insert(int pos, int64_t d);
  void erase(int pos);
  void resize(int n, int64_t fill = 0);

  /// Product of the sizes (1 for a scalar shape []).
  int64_t numel() const;
  std::vector<int64_t> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.rank_ == b.rank_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  template <typename It>
  void assign(It first, It last);

  std::array<int64_t, kMaxDims> dims_{};
  int rank_ = 0;
};

/// "[32, 784]".
std::string to_string(const Shape& s);

/// Resolves a possibly negative dimension index against `rank`, or throws naming `op`:
/// "sum: dimension 3 is out of range for a tensor of 2 dimensions (valid: -2 to 1)".
int normalize_dim(int dim, int rank, const char* op);

/// NumPy broadcasting of two shapes, or an error naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Row-major (C order) strides for `shape`, in elements.
Shape contiguous_strides(const Shape& shape);

template <typename It>
void Shape::assign(It first, It last) {
  rank_ = 0;
  for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
}

}  // namespace athanor

template <>
struct fmt::formatter<athanor::Shape> : fmt::formatter<std::string> {
  auto format(const athanor::Shape& s, format_context& ctx) const {
    return fmt::formatter<std::string>::format(athanor::to_string(s), ctx);
  }
};
