// src/core/device_test.cpp: devices, dtypes and errors.
#include <gtest/gtest.h>

#include <athanor/core/device.h>
#include <athanor/core/dtype.h>
#include <athanor/core/error.h>

namespace athanor {
namespace {

TEST(Device, NamesAndEquality) {
  EXPECT_EQ(to_string(kCPU), "cpu");
  EXPECT_EQ(to_string(Device::cuda(1)), "cuda:1");
  EXPECT_EQ(fmt::format("{}", Device::cuda()), "cuda:0");
  EXPECT_TRUE(kCPU.is_cpu());
  EXPECT_FALSE(Device::cuda().is_cpu());
  EXPECT_NE(kCPU, Device::cuda());
}

TEST(DType, SizesNamesAndPromotion) {
  EXPECT_EQ(itemsize(kBool), 1);
  EXPECT_EQ(itemsize(kUInt8), 1);
  EXPECT_EQ(itemsize(kInt64), 8);
  EXPECT_EQ(itemsize(kFloat32), 4);
  EXPECT_EQ(itemsize(kFloat64), 8);
  EXPECT_EQ(fmt::format("{} {} {} {} {}", kBool, kUInt8, kInt64, kFloat32, kFloat64),
            "bool uint8 int64 float32 float64");
  EXPECT_EQ(promote_types(kInt64, kFloat32), kFloat32);
  EXPECT_EQ(promote_types(kFloat64, kFloat32), kFloat64);
  EXPECT_EQ(promote_types(kBool, kUInt8), kUInt8);
  EXPECT_TRUE(is_floating(kFloat32));
  EXPECT_FALSE(is_floating(kInt64));
}

TEST(Error, CheckFormatsItsMessage) {
  try {
    ATHANOR_CHECK(1 + 1 == 3, "arithmetic: expected {}, got {}", 3, 2);
    FAIL() << "ATHANOR_CHECK did not throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "arithmetic: expected 3, got 2");
  }
  EXPECT_NO_THROW(ATHANOR_CHECK(true, "never"));
}

TEST(ErrorDeathTest, AssertAbortsWithFileAndLine) {
  EXPECT_DEATH(ATHANOR_ASSERT(1 == 2), "assertion '1 == 2' failed at .*device_test.cpp");
}

}  // namespace
}  // namespace athanor
