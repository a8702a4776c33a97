// src/tensor/creation_test.cpp: the deterministic factories: empty, zeros, ones, full, the _like
// forms, scalar_tensor, arange, linspace and eye. The random ones are in random_creation_test.cpp.
#include <cmath>
#include <cstdint>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

#include "testing/matchers.h"  // EXPECT_THROW_WITH_MESSAGE only (the tensor layer cannot link ops)

namespace athanor {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;

TEST(Empty, AllocatesAContiguousTensor) {
  const Tensor t = empty(Shape{3, 5}, kInt64);
  EXPECT_EQ(t.shape(), (Shape{3, 5}));
  EXPECT_EQ(t.strides(), (Shape{5, 1}));
  EXPECT_EQ(t.dtype(), kInt64);
  EXPECT_EQ(t.offset(), 0);
  EXPECT_EQ(t.storage()->nbytes(), 3 * 5 * 8);
  // Storage is 64-byte aligned.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  EXPECT_EQ(empty(Shape{}).numel(), 1);
  EXPECT_EQ(empty(Shape{4, 0}).numel(), 0);
  EXPECT_EQ(empty(Shape{4, 0}).storage()->nbytes(), 0);
}

TEST(Empty, NegativeDimensionIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(empty(Shape{2, -1}), "empty: negative dimension in shape [2, -1]");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{-3}), "empty: negative dimension in shape [-3]");
}

TEST(Empty, OnlyTheCpuIsBuilt) {
  EXPECT_THROW_WITH_MESSAGE(empty(Shape{2}, kFloat32, Device::cuda()),
                            "storage: cannot allocate on device cuda:0: only the CPU is built");
}

TEST(Full, ZerosOnesAndFullForEveryDtype) {
  for (DType dt : {kBool, kUInt8, kInt64, kFloat32, kFloat64}) {
    SCOPED_TRACE(name(dt));
    const Tensor z = zeros(Shape{2, 3}, dt);
    EXPECT_EQ(z.dtype(), dt);
    EXPECT_THAT(z.to_vector<double>(), Each(0.0));
    EXPECT_THAT(ones(Shape{4}, dt).to_vector<double>(), Each(1.0));
    EXPECT_THAT(full(Shape{3}, 1.0, dt).to_vector<double>(), Each(1.0));
  }
  EXPECT_THAT(full(Shape{2}, 2.5, kFloat64).to_vector<double>(), ElementsAre(2.5, 2.5));
  EXPECT_THAT(full(Shape{2}, 2.5, kInt64).to_vector<int64_t>(), ElementsAre(2, 2));
  EXPECT_THAT(full(Shape{2}, -0.5, kBool).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(full(Shape{1}, 0.1, kFloat32).to_vector<float>(), ElementsAre(0.1f));
  EXPECT_EQ(full(Shape{0, 2}, 3.0).numel(), 0);
}

TEST(Full, LikeFormsTakeShapeAndDtypeButNotLayout) {
  const Tensor src = zeros(Shape{2, 3}, kInt64).as_strided(Shape{3, 2}, Shape{1, 3}, 0);
  for (const Tensor& t : {zeros_like(src), ones_like(src), empty_like(src)}) {
    EXPECT_EQ(t.shape(), (Shape{3, 2}));
    EXPECT_EQ(t.dtype(), kInt64);
    EXPECT_EQ(t.strides(), (Shape{2, 1}));  // a fresh contiguous tensor
    EXPECT_NE(t.storage(), src.storage());
  }
  EXPECT_THAT(ones_like(src).to_vector<int64_t>(), Each(1));
  EXPECT_THAT(zeros_like(src).to_vector<int64_t>(), Each(0));
}

TEST(Full, ScalarTensor) {
  const Tensor s = scalar_tensor(-1.5);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.dtype(), kFloat32);
  EXPECT_EQ(s.item(), -1.5);
  EXPECT_EQ(scalar_tensor(9.0, kInt64).item<int64_t>(), 9);
}

TEST(Arange, IntegerDefaults) {
  const Tensor t = arange(5);
  EXPECT_EQ(t.dtype(), kInt64);
  EXPECT_EQ(t.shape(), Shape{5});
  EXPECT_THAT(t.to_vector<int64_t>(), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(arange(2, 6).to_vector<int64_t>(), ElementsAre(2, 3, 4, 5));
  EXPECT_THAT(arange(1, 10, 4).to_vector<int64_t>(), ElementsAre(1, 5, 9));
  EXPECT_EQ(arange(0).numel(), 0);
  EXPECT_EQ(arange(3, 3).numel(), 0);
  EXPECT_THAT(arange(4, kFloat32).to_vector<float>(), ElementsAre(0.f, 1.f, 2.f, 3.f));
  // Fractional arguments infer float32, as PyTorch does for float arguments.
  const Tensor f = arange(0.0, 1.0, 0.25);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(0.f, 0.25f, 0.5f, 0.75f));
}

TEST(Arange, NegativeStep) {
  EXPECT_THAT(arange(5, 0, -2).to_vector<int64_t>(), ElementsAre(5, 3, 1));
  EXPECT_THAT(arange(0, -3, -1).to_vector<int64_t>(), ElementsAre(0, -1, -2));
  EXPECT_THAT(arange(1.0, 0.0, -0.25, kFloat64).to_vector<double>(),
              ElementsAre(1.0, 0.75, 0.5, 0.25));
}

TEST(Arange, FloatStep) {
  // ceil((2 - 1) / 0.25) = 4 elements; end is excluded.
  EXPECT_THAT(arange(1.0, 2.0, 0.25, kFloat64).to_vector<double>(),
              ElementsAre(1.0, 1.25, 1.5, 1.75));
  // ceil(1 / 0.3) = 4: 0, 0.3, 0.6, 0.9 (each start + i * step, not a running sum).
  const std::vector<double> v = arange(0.0, 1.0, 0.3, kFloat64).to_vector<double>();
  ASSERT_EQ(v.size(), 4u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], static_cast<double>(i) * 0.3);
  // ceil(1 / 0.1) = 10 (1 / 0.1 is exactly 10 in binary floating point).
  EXPECT_EQ(arange(0.0, 1.0, 0.1, kFloat32).numel(), 10);
  // A float step into an integer dtype truncates each value: 0, 1.5, 3, 4.5 -> 0, 1, 3, 4.
  EXPECT_THAT(arange(0.0, 5.0, 1.5).to_vector<int64_t>(), ElementsAre(0, 1, 3, 4));
}

TEST(Arange, BadStepIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(arange(0, 5, 0), "arange: step must be nonzero");
  EXPECT_THROW_WITH_MESSAGE(arange(5, 0, 1), "arange: step 1 goes away from end: start=5 end=0");
  EXPECT_THROW_WITH_MESSAGE(arange(0.0, 1.0, -0.5, kFloat64),
                            "arange: step -0.5 goes away from end: start=0 end=1");
  EXPECT_THROW_WITH_MESSAGE(arange(0.0, INFINITY, 1.0, kFloat64),
                            "arange: expected finite start, end and step, got 0, inf, 1");
}

TEST(Linspace, EvenlySpacedWithExactEndpoints) {
  const Tensor t = linspace(0.0, 1.0, 5);
  EXPECT_EQ(t.dtype(), kFloat32);
  EXPECT_THAT(t.to_vector<float>(), ElementsAre(0.f, 0.25f, 0.5f, 0.75f, 1.f));
  EXPECT_THAT(linspace(2.0, -2.0, 3, kFloat64).to_vector<double>(), ElementsAre(2.0, 0.0, -2.0));
  // 0.1 + 6 * 0.1 is 0.7000000000000001 in float64; the last element is still exactly 0.7.
  const std::vector<double> v = linspace(0.1, 0.7, 7, kFloat64).to_vector<double>();
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v.front(), 0.1);
  EXPECT_EQ(v.back(), 0.7);
  for (size_t i = 1; i + 1 < v.size(); ++i)
    EXPECT_NEAR(v[i], 0.1 + 0.1 * static_cast<double>(i), 1e-15);
  EXPECT_THAT(linspace(0.0, 10.0, 4, kInt64).to_vector<int64_t>(), ElementsAre(0, 3, 6, 10));
}

TEST(Linspace, ZeroAndOneSteps) {
  const Tensor none = linspace(0.0, 1.0, 0);
  EXPECT_EQ(none.shape(), Shape{0});
  const Tensor one = linspace(3.0, 8.0, 1, kFloat64);
  EXPECT_THAT(one.to_vector<double>(), ElementsAre(3.0));  // like PyTorch: the start
  EXPECT_THAT(linspace(3.0, 8.0, 2, kFloat64).to_vector<double>(), ElementsAre(3.0, 8.0));
  EXPECT_THROW_WITH_MESSAGE(linspace(0.0, 1.0, -1), "linspace: expected steps >= 0, got -1");
}

TEST(Eye, SquareAndRectangular) {
  const Tensor i3 = eye(3);
  EXPECT_EQ(i3.shape(), (Shape{3, 3}));
  EXPECT_EQ(i3.dtype(), kFloat32);
  EXPECT_THAT(i3.to_vector<float>(), ElementsAre(1, 0, 0, 0, 1, 0, 0, 0, 1));
  EXPECT_THAT(eye(2, 4, kInt64).to_vector<int64_t>(), ElementsAre(1, 0, 0, 0, 0, 1, 0, 0));
  EXPECT_THAT(eye(4, 2, kFloat64).to_vector<double>(), ElementsAre(1, 0, 0, 1, 0, 0, 0, 0));
  EXPECT_THAT(eye(1, std::nullopt, kBool).to_vector<bool>(), ElementsAre(true));
  EXPECT_EQ(eye(0).shape(), (Shape{0, 0}));
  EXPECT_EQ(eye(3, 0).shape(), (Shape{3, 0}));
  EXPECT_THROW_WITH_MESSAGE(eye(-1), "eye: expected non-negative sizes, got -1 x -1");
  EXPECT_THROW_WITH_MESSAGE(eye(2, -3), "eye: expected non-negative sizes, got 2 x -3");
}

}  // namespace
}  // namespace athanor
