// src/core/toolchain_test.cpp: the compiler builds what the code says. Debian bookworm's GCC 12.2
// at -O2 for AVX-512 machines (-march=native here; x86-64-v4 too, not x86-64-v3) stored the
// constant {1, 1, 1, 0} of a brace-initialized std::vector as four 1s: its straight-line (SLP)
// vectorizer's vector constant became a broadcast of the 1 without the 0. CMakeLists.txt turns
// that vectorizer off for GCC before 13; these cases read back wrong without it (found in
// cross_entropy_kernel_test.cpp, whose targets {1, 1, 1, 0} arrived as {1, 1, 1, 1}).
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/shape.h>

namespace athanor {
namespace {

// Out of line, so that the constants are built where they are written, not folded into the checks.
__attribute__((noinline)) int64_t last_of(const std::vector<int64_t>& v) { return v.back(); }
__attribute__((noinline)) double last_of(const std::vector<double>& v) { return v.back(); }

TEST(Toolchain, BraceInitializedVectorsKeepEveryElement) {
  const std::vector<int64_t> ints = {1, 1, 1, 0};
  EXPECT_EQ(last_of(ints), 0);
  EXPECT_EQ(last_of(std::vector<int64_t>{1, 1, 1, 0}), 0);
  EXPECT_EQ(last_of(std::vector<double>{1, 1, 1, 0}), 0.0);
  EXPECT_EQ(last_of(std::vector<double>{2.5, 2.5, 2.5, 0}), 0.0);
  const Shape shape{1, 1, 1, 0};
  EXPECT_EQ(shape[3], 0);
  EXPECT_EQ(shape.numel(), 0);
}

}  // namespace
}  // namespace athanor
