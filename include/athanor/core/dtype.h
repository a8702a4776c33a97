// include/athanor/core/dtype.h: element types, their sizes, names and promotion rules.
#pragma once

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

namespace athanor {

/// The element type of a tensor. float32 is the working type; float64 is for gradient checks and
/// closed-form models; int64 for labels and indices; uint8 for raw pixels; bool for masks.
enum class DType : uint8_t { kBool, kUInt8, kInt64, kFloat32, kFloat64 };

inline constexpr DType kBool = DType::kBool;
inline constexpr DType kUInt8 = DType::kUInt8;
inline constexpr DType kInt64 = DType::kInt64;
inline constexpr DType kFloat32 = DType::kFloat32;
inline constexpr DType kFloat64 = DType::kFloat64;

/// Bytes per element.
constexpr int64_t itemsize(DType t) {
  switch (t) {
    case DType::kBool:
    case DType::kUInt8:
      return 1;
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
    case DType::kFloat64:
      return 8;
  }
  return 0;
}

constexpr bool is_floating(DType t) { return t == DType::kFloat32 || t == DType::kFloat64; }

/// "float32", "int64", ... (PyTorch's names without the "torch." prefix).
std::string_view name(DType t);

/// The type two operands are computed in: the later of bool < uint8 < int64 < float32 < float64.
constexpr DType promote_types(DType a, DType b) { return a > b ? a : b; }

/// The C++ type of each dtype, and back.
template <typename T>
struct dtype_of;
template <>
struct dtype_of<bool> {
  static constexpr DType value = kBool;
};
template <>
struct dtype_of<uint8_t> {
  static constexpr DType value = kUInt8;
};
template <>
struct dtype_of<int64_t> {
  static constexpr DType value = kInt64;
};
template <>
struct dtype_of<float> {
  static constexpr DType value = kFloat32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = kFloat64;
};
template <typename T>
inline constexpr DType dtype_of_v = dtype_of<T>::value;

/// Calls fn with a value of the C++ type of `t` (as `fn(T{})`), for dispatch over all dtypes.
template <typename Fn>
decltype(auto) visit_dtype(DType t, Fn&& fn) {
  switch (t) {
    case DType::kBool:
      return fn(bool{});
    case DType::kUInt8:
      return fn(uint8_t{});
    case DType::kInt64:
      return fn(int64_t{});
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      break;
  }
  return fn(double{});
}

}  // namespace athanor

template <>
struct fmt::formatter<athanor::DType> : fmt::formatter<std::string_view> {
  auto format(athanor::DType t, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(athanor::name(t), ctx);
  }
};
