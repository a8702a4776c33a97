// src/testing/matchers.h: gtest assertions for tensors and error messages.
#pragma once

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

#include "testing/expect_error.h"

namespace athanor {
/// gtest prints shapes as "[2, 3]".
inline void PrintTo(const Shape& s, std::ostream* os) { *os << to_string(s); }
}  // namespace athanor

namespace athanor::testing {

/// Same shape, and every element within `tol` (absolute); reports the worst element.
::testing::AssertionResult tensors_near(const Tensor& actual, const Tensor& expected, double tol);
/// Same shape, dtype and exactly equal elements.
::testing::AssertionResult tensors_equal(const Tensor& actual, const Tensor& expected);

}  // namespace athanor::testing

#define EXPECT_TENSOR_NEAR(actual, expected, tol) \
  EXPECT_TRUE(::athanor::testing::tensors_near((actual), (expected), (tol)))
#define EXPECT_TENSOR_EQ(actual, expected) \
  EXPECT_TRUE(::athanor::testing::tensors_equal((actual), (expected)))
