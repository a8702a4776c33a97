// src/testing/coverage.h: checks that every op recorded during a test run was also
// gradient-checked.
#pragma once

#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

namespace athanor::testing {

/// Remembers the names of the nodes in y's graph as gradient-checked.
void note_gradchecked(const Tensor& y);

/// A gtest environment that records the name of every node created during the run and, when the
/// variable ATHANOR_GRADCHECK_COVERAGE is set (a whole-binary run), fails if some recorded op never
/// appeared in a gradient check.
class GradcheckCoverage : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
};

}  // namespace athanor::testing
