// src/tensor/cpu_allocator_test.cpp: blocks are aligned (huge ones to 2 MiB); freed buffers are
// reused by size and bounded.
#include "tensor/cpu_allocator.h"

#include <cstdint>

#include <gtest/gtest.h>

namespace athanor::detail {
namespace {

TEST(CpuAllocator, AlignsTo64Bytes) {
  for (size_t n : {0, 1, 63, 64, 65, 100000}) {
    void* p = cpu_allocate(n);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << n;
    cpu_deallocate(p, n);
  }
}

TEST(CpuAllocator, HugeBlocksStartOn2MiBAndHoldEveryByte) {
  // A block of 128 MiB and more (a dataset) sits on huge pages; its size need not be a multiple
  // of 2 MiB (aligned_alloc wants one: AddressSanitizer caught the first version).
  const size_t n = (size_t{128} << 20) + 12345;
  auto* p = static_cast<unsigned char*>(cpu_allocate(n));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (size_t{2} << 20), 0u);
  p[0] = 1;
  p[n - 1] = 2;
  EXPECT_EQ(p[0] + p[n - 1], 3);
  cpu_deallocate(p, n);
  cpu_empty_cache();
}

#if !defined(ATHANOR_NO_ALLOCATOR_CACHE)
TEST(CpuAllocator, ReusesAFreedBlockOfTheSameRoundedSize) {
  cpu_empty_cache();
  void* a = cpu_allocate(1000);
  cpu_deallocate(a, 1000);
  EXPECT_EQ(cpu_cached_bytes(), 1024u);  // rounded to 64 bytes
  void* b = cpu_allocate(1020);          // same rounded size
  EXPECT_EQ(a, b);
  EXPECT_EQ(cpu_cached_bytes(), 0u);
  cpu_deallocate(b, 1020);
  cpu_empty_cache();
  EXPECT_EQ(cpu_cached_bytes(), 0u);
}
#endif

}  // namespace
}  // namespace athanor::detail
