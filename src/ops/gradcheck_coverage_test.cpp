// src/ops/gradcheck_coverage_test.cpp: registers the check that every op recorded by the ops
// tests is gradient-checked (enforced by the ctest entry ops_gradcheck_coverage).
#include "testing/coverage.h"

namespace {
[[maybe_unused]] ::testing::Environment* const kCoverage =
    ::testing::AddGlobalTestEnvironment(new athanor::testing::GradcheckCoverage);
}  // namespace
