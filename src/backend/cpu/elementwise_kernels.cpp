// src/backend/cpu/elementwise_kernels.cpp: unary, binary and where kernels on the CPU.
#include <cmath>
#include <type_traits>

#include "backend/cpu/convert.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/loops.h"

namespace athanor::cpu {
namespace {

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

// Runs f elementwise from x (type In) into y (type Out).
template <typename Out, typename In, typename F>
void run_unary(const View& x, const View& y, F f) {
  auto loop = make_loop<2>({&y, &x});
  for_each_run(loop, [&f](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s,
                          int64_t n) { unary_run<Out, In>(p, s, n, f); });
}

template <typename T>
void unary_typed(UnaryOp op, const View& x, const View& y) {
  switch (op) {
    case UnaryOp::kNeg:
      if constexpr (!std::is_same_v<T, bool>)
        return run_unary<T, T>(x, y, [](T v) -> T { return -v; });
      break;
    case UnaryOp::kAbs:
      if constexpr (std::is_signed_v<T>)
        return run_unary<T, T>(x, y, [](T v) -> T { return v < 0 ? -v : v; });
      if constexpr (!std::is_signed_v<T>) return run_unary<T, T>(x, y, [](T v) { return v; });
      break;
    case UnaryOp::kSign:
      return run_unary<T, T>(x, y,
                             [](T v) -> T { return static_cast<T>((T{0} < v) - (v < T{0})); });
    case UnaryOp::kRelu:
      // NaN passes through (as in PyTorch), so a diverging model is not masked.
      return run_unary<T, T>(x, y, [](T v) -> T { return v <= T{0} ? T{0} : v; });
    case UnaryOp::kLogicalNot:
      return run_unary<bool, T>(x, y, [](T v) { return !static_cast<bool>(v); });
    default:
      break;
  }
  if constexpr (kIsFloat<T>) {
    switch (op) {
      case UnaryOp::kExp:
        return run_unary<T, T>(x, y, [](T v) { return std::exp(v); });
      case UnaryOp::kLog:
        return run_unary<T, T>(x, y, [](T v) { return std::log(v); });
      case UnaryOp::kLog1p:
        return run_unary<T, T>(x, y, [](T v) { return std::log1p(v); });
      case UnaryOp::kExpm1:
        return run_unary<T, T>(x, y, [](T v) { return std::expm1(v); });
      case UnaryOp::kSqrt:
        return run_unary<T, T>(x, y, [](T v) { return std::sqrt(v); });
      case UnaryOp::kRsqrt:
        return run_unary<T, T>(x, y, [](T v) { return T{1} / std::sqrt(v); });
      case UnaryOp::kTanh:
        return run_unary<T, T>(x, y, [](T v) { return std::tanh(v); });
      case UnaryOp::kSigmoid:
        return run_unary<T, T>(x, y, [](T v) { return T{1} / (T{1} + std::exp(-v)); });
      case UnaryOp::kSin:
        return run_unary<T, T>(x, y, [](T v) { return std::sin(v); });
      case UnaryOp::kCos:
        return run_unary<T, T>(x, y, [](T v) { return std::cos(v); });
      case UnaryOp::kErf:
        return run_unary<T, T>(x, y, [](T v) { return std::erf(v); });
      default:
        break;
    }
  }
  ATHANOR_ASSERT(false && "unary kernel: op not defined for this dtype");
}

template <typename Out, typename In, typename F>
void run_binary(const View& a, const View& b, const View& out, F f) {
  auto loop = make_loop<3>({&out, &a, &b});
  for_each_run(loop, [&f](const std::array<char*, 3>& p, const std::array<int64_t, 3>& s,
                          int64_t n) { binary_run<Out, In>(p, s, n, f); });
}

template <typename T>
void binary_typed(BinaryOp op, const View& a, const View& b, const View& out) {
  switch (op) {
    case BinaryOp::kEq:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u == v; });
    case BinaryOp::kNe:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u != v; });
    case BinaryOp::kLt:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u < v; });
    case BinaryOp::kLe:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u <= v; });
    case BinaryOp::kGt:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u > v; });
    case BinaryOp::kGe:
      return run_binary<bool, T>(a, b, out, [](T u, T v) { return u >= v; });
    // maximum/minimum propagate NaN, as PyTorch does.
    case BinaryOp::kMaximum:
      return run_binary<T, T>(a, b, out, [](T u, T v) -> T {
        if constexpr (kIsFloat<T>)
          if (std::isnan(u) || std::isnan(v)) return u + v;
        return u > v ? u : v;
      });
    case BinaryOp::kMinimum:
      return run_binary<T, T>(a, b, out, [](T u, T v) -> T {
        if constexpr (kIsFloat<T>)
          if (std::isnan(u) || std::isnan(v)) return u + v;
        return u < v ? u : v;
      });
    default:
      break;
  }
  if constexpr (!std::is_same_v<T, bool>) {
    switch (op) {
      case BinaryOp::kAdd:
        return run_binary<T, T>(a, b, out, [](T u, T v) -> T { return u + v; });
      case BinaryOp::kSub:
        return run_binary<T, T>(a, b, out, [](T u, T v) -> T { return u - v; });
      case BinaryOp::kMul:
        return run_binary<T, T>(a, b, out, [](T u, T v) -> T { return u * v; });
      case BinaryOp::kDiv:
        if constexpr (kIsFloat<T>)
          return run_binary<T, T>(a, b, out, [](T u, T v) { return u / v; });
        break;
      case BinaryOp::kPow:
        if constexpr (kIsFloat<T>) {
          return run_binary<T, T>(a, b, out, [](T u, T v) -> T {
            if (v == T{2}) return u * u;
            return std::pow(u, v);
          });
        }
        break;
      case BinaryOp::kReluBackward:
        return run_binary<T, T>(a, b, out, [](T dy, T y) -> T { return y > T{0} ? dy : T{0}; });
      case BinaryOp::kSigmoidBackward:
        return run_binary<T, T>(a, b, out, [](T dy, T y) -> T { return dy * y * (T{1} - y); });
      case BinaryOp::kTanhBackward:
        return run_binary<T, T>(a, b, out, [](T dy, T y) -> T { return dy * (T{1} - y * y); });
      default:
        break;
    }
  }
  ATHANOR_ASSERT(false && "binary kernel: op not defined for this dtype");
}

}  // namespace

void unary(UnaryOp op, const View& x, const View& y) {
  visit_dtype(x.dtype, [&](auto tag) { unary_typed<decltype(tag)>(op, x, y); });
}

void binary(BinaryOp op, const View& a, const View& b, const View& out) {
  ATHANOR_ASSERT(a.dtype == b.dtype);
  visit_dtype(a.dtype, [&](auto tag) { binary_typed<decltype(tag)>(op, a, b, out); });
}

void where(const View& cond, const View& a, const View& b, const View& out) {
  ATHANOR_ASSERT(cond.dtype == kBool && a.dtype == b.dtype && a.dtype == out.dtype);
  auto loop = make_loop<4>({&out, &cond, &a, &b});
  visit_dtype(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    for_each_run(loop,
                 [](const std::array<char*, 4>& p, const std::array<int64_t, 4>& s, int64_t n) {
                   for (int64_t i = 0; i < n; ++i) {
                     const bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
                     *reinterpret_cast<T*>(p[0] + i * s[0]) =
                         *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
                   }
                 });
  });
}

}  // namespace athanor::cpu
