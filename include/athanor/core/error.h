// include/athanor/core/error.h: athanor::Error and the ATHANOR_CHECK / ATHANOR_ASSERT macros.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace athanor {

/// The exception for user mistakes and failed operations: the message says what was wrong, where,
/// and what was expected.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line);
}  // namespace detail

}  // namespace athanor

/// Throws athanor::Error with an fmt-formatted message when `cond` is false.
#define ATHANOR_CHECK(cond, ...)                          \
  do {                                                    \
    if (!(cond)) [[unlikely]] {                           \
      throw ::athanor::Error(::fmt::format(__VA_ARGS__)); \
    }                                                     \
  } while (false)

/// Aborts with file:line when one of athanor's own invariants is broken (never for user input).
#define ATHANOR_ASSERT(cond)                                     \
  do {                                                           \
    if (!(cond)) [[unlikely]] {                                  \
      ::athanor::detail::assert_fail(#cond, __FILE__, __LINE__); \
    }                                                            \
  } while (false)
