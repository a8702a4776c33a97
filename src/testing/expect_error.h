// src/testing/expect_error.h: asserting athanor::Error messages in tests (header-only, so every
// layer's tests can use it).
#pragma once

#include <functional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/core/error.h>

namespace athanor::testing {

/// The message of the athanor::Error that f throws, or a marker that none was thrown.
inline std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no athanor::Error thrown>";
}

}  // namespace athanor::testing

/// Expects `statement` to throw athanor::Error whose message contains `substring`.
#define EXPECT_THROW_WITH_MESSAGE(statement, substring)                       \
  do {                                                                        \
    try {                                                                     \
      statement;                                                              \
      ADD_FAILURE() << "expected athanor::Error containing: " << (substring); \
    } catch (const ::athanor::Error& e) {                                     \
      EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr(substring));    \
    }                                                                         \
  } while (false)
