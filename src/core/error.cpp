// src/core/error.cpp: the abort path of ATHANOR_ASSERT.
#include <cstdio>
#include <cstdlib>

#include <athanor/core/error.h>

namespace athanor::detail {

void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "athanor: internal error: assertion '%s' failed at %s:%d\n", expr, file,
               line);
  std::abort();
}

}  // namespace athanor::detail
