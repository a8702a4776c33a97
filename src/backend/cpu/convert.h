// src/backend/cpu/convert.h: value conversion between element types, defined for every input.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace athanor::cpu {

/// Converts like a C++ cast, but defined everywhere: to bool is `v != 0`; a floating value going to
/// an integer type is truncated, NaN becomes 0 and out-of-range values saturate at int64's limits
/// before wrapping to the target width (as PyTorch does for uint8).
template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From{0};
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To{0};
    constexpr double kLo = -9223372036854775808.0;  // -2^63
    if (v <= kLo) return static_cast<To>(std::numeric_limits<int64_t>::min());
    if (v >= -kLo) return static_cast<To>(std::numeric_limits<int64_t>::max());
    return static_cast<To>(static_cast<int64_t>(v));
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace athanor::cpu
