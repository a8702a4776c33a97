// include/athanor/nn/size2.h: Size2, a pair (height, width) that a single number also converts to,
// for kernel sizes, strides, paddings and dilations of 2-D layers.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace athanor::nn {

/// {h, w}; `2` means {2, 2}, as PyTorch's int-or-tuple arguments.
struct Size2 {
  int64_t h = 0;
  int64_t w = 0;
  constexpr Size2() = default;
  constexpr Size2(int64_t v) : h(v), w(v) {}  // NOLINT: implicit on purpose (.stride = 2)
  constexpr Size2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  constexpr std::array<int64_t, 2> array() const { return {h, w}; }
  constexpr bool operator==(const Size2&) const = default;
  /// "3" when square, else "(3, 5)", as PyTorch prints them.
  std::string to_string() const {
    return h == w ? std::to_string(h) : "(" + std::to_string(h) + ", " + std::to_string(w) + ")";
  }
};

}  // namespace athanor::nn
