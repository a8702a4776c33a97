// src/ops/shape_slice_test.cpp: narrow, slice (steps, negative and clamped bounds) and select;
// writes through views reaching the base tensor; gradients through chains of views.
#include <functional>

#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

Tensor iota(const Shape& shape) { return arange(0, shape.numel(), 1, kFloat64).reshape(shape); }

Tensor row(std::initializer_list<double> v) { return Tensor::from(v); }

TEST(Slice, StepsAndPythonStyleBounds) {
  const Tensor x = arange(0, 10, 1, kFloat64);
  EXPECT_TENSOR_EQ(x.slice(0, 2, 7), row({2, 3, 4, 5, 6}));
  EXPECT_TENSOR_EQ(x.slice(0, 1, 10, 3), row({1, 4, 7}));
  EXPECT_TENSOR_EQ(x.slice(0, 0, 9, 3), row({0, 3, 6}));  // end is exclusive
  EXPECT_TENSOR_EQ(x.slice(0, -3, 10), row({7, 8, 9}));
  EXPECT_TENSOR_EQ(x.slice(0, 2, -5, 2), row({2, 4}));
  EXPECT_TENSOR_EQ(x.slice(0, -100, 3), row({0, 1, 2}));  // bounds clamp, as in Python
  EXPECT_TENSOR_EQ(x.slice(0, 8, 1000), row({8, 9}));
  EXPECT_EQ(x.slice(0, 6, 2).shape(), (Shape{0}));
  EXPECT_EQ(x.slice(0, 12, 20).shape(), (Shape{0}));
  EXPECT_EQ(x.slice(0, 0, 10, 4).strides(), (Shape{4}));
}

TEST(Slice, InnerDimensionsOfAMatrix) {
  const Tensor x = iota({3, 5});
  const Tensor s = x.slice(1, 1, 5, 2);  // columns 1 and 3
  EXPECT_EQ(s.shape(), (Shape{3, 2}));
  EXPECT_EQ(s.strides(), (Shape{5, 2}));
  EXPECT_EQ(s.offset(), 1);
  EXPECT_TENSOR_EQ(s, Tensor::from({{1.0, 3.0}, {6.0, 8.0}, {11.0, 13.0}}));
  EXPECT_TENSOR_EQ(x.slice(-2, 1, 3).slice(-1, -2, 5), Tensor::from({{8.0, 9.0}, {13.0, 14.0}}));
  // Slicing a transposed view: rows of x.t() are columns of x.
  EXPECT_TENSOR_EQ(x.t().slice(0, 0, 5, 4), Tensor::from({{0.0, 5.0, 10.0}, {4.0, 9.0, 14.0}}));
}

TEST(Slice, Errors) {
  EXPECT_THROW_WITH_MESSAGE(arange(4).slice(0, 0, 4, 0), "slice: expected a positive step, got 0");
  EXPECT_THROW_WITH_MESSAGE(arange(4).slice(0, 4, 0, -1),
                            "slice: expected a positive step, got -1");
  EXPECT_THROW_WITH_MESSAGE(scalar_tensor(1.0).slice(0, 0, 1),
                            "slice: cannot slice a 0-dimensional tensor");
  EXPECT_THROW_WITH_MESSAGE(arange(4).slice(1, 0, 1),
                            "slice: dimension 1 is out of range for a tensor of 1 dimensions");
}

TEST(Narrow, TakesALengthFromAStart) {
  const Tensor x = iota({4, 3});
  EXPECT_TENSOR_EQ(x.narrow(0, 1, 2), Tensor::from({{3.0, 4.0, 5.0}, {6.0, 7.0, 8.0}}));
  EXPECT_TENSOR_EQ(x.narrow(1, -1, 1), Tensor::from({{2.0}, {5.0}, {8.0}, {11.0}}));
  EXPECT_EQ(x.narrow(0, 4, 0).shape(), (Shape{0, 3}));
  EXPECT_THROW_WITH_MESSAGE(x.narrow(1, 2, 2),
                            "narrow: elements 2 to 4 are out of range for dimension 1 of size 3 "
                            "(shape [4, 3])");
  EXPECT_THROW_WITH_MESSAGE(x.narrow(0, 1, -1), "narrow: elements 1 to 0 are out of range");
}

TEST(Select, RemovesTheDimension) {
  const Tensor x = iota({2, 3, 4});
  EXPECT_TENSOR_EQ(x.select(1, 2),
                   Tensor::from({{8.0, 9.0, 10.0, 11.0}, {20.0, 21.0, 22.0, 23.0}}));
  EXPECT_TENSOR_EQ(x.select(-1, -1), Tensor::from({{3.0, 7.0, 11.0}, {15.0, 19.0, 23.0}}));
  EXPECT_TENSOR_EQ(x.select(0, 1).select(0, 2).select(0, 3), scalar_tensor(23.0, kFloat64));
  EXPECT_EQ(x.select(2, 0).strides(), (Shape{12, 4}));
  EXPECT_THROW_WITH_MESSAGE(x.select(1, 3),
                            "select: index 3 is out of range for dimension 1 of size 3 (shape "
                            "[2, 3, 4])");
  EXPECT_THROW_WITH_MESSAGE(x.select(1, -4), "select: index -4 is out of range");
  EXPECT_THROW_WITH_MESSAGE(scalar_tensor(1.0).select(0, 0),
                            "select: cannot select from a 0-dimensional tensor");
}

TEST(ViewWrites, FillThroughASteppedSliceReachesTheBase) {
  Tensor x = zeros({3, 4}, kFloat64);
  x.slice(1, 0, 4, 2).fill_(1.0);
  EXPECT_TENSOR_EQ(
      x, Tensor::from({{1.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 1.0, 0.0}, {1.0, 0.0, 1.0, 0.0}}));
  x.select(0, 1).fill_(5.0);
  x.t().select(0, 3).narrow(0, 2, 1).fill_(-1.0);  // x[2][3]
  EXPECT_TENSOR_EQ(
      x, Tensor::from({{1.0, 0.0, 1.0, 0.0}, {5.0, 5.0, 5.0, 5.0}, {1.0, 0.0, 1.0, -1.0}}));
}

TEST(ViewWrites, CopyIntoReshapedPermutedAndSqueezedViews) {
  Tensor x = zeros({2, 3}, kFloat64);
  x.reshape({3, 2}).select(0, 2).copy_(row({7, 8}));  // elements 4 and 5: x[1][1], x[1][2]
  x.t().select(0, 0).copy_(row({-1, -2}));            // column 0
  x.unsqueeze(0).squeeze(0).view({6}).narrow(0, 1, 1).copy_(scalar_tensor(3.0, kFloat64));
  EXPECT_TENSOR_EQ(x, Tensor::from({{-1.0, 3.0, 0.0}, {-2.0, 7.0, 8.0}}));
  Tensor y = zeros({2, 2, 2}, kFloat64);
  y.permute({2, 0, 1}).select(0, 1).copy_(Tensor::from({{1.0, 2.0}, {3.0, 4.0}}));  // y[:, :, 1]
  EXPECT_TENSOR_EQ(y.select(2, 1), Tensor::from({{1.0, 2.0}, {3.0, 4.0}}));
  EXPECT_TENSOR_EQ(y.select(2, 0), zeros({2, 2}, kFloat64));
  // A broadcast source into a view; a copying reshape does not write back.
  x.slice(0, 0, 1).copy_(scalar_tensor(9.0, kFloat64));
  EXPECT_TENSOR_EQ(x.select(0, 0), row({9, 9, 9}));
  x.t().reshape({6}).fill_(0.0);
  EXPECT_TENSOR_EQ(x.select(0, 0), row({9, 9, 9}));
}

TEST(ViewWrites, ViewsSeeLaterWritesToTheBase) {
  Tensor x = zeros({4}, kFloat64);
  const Tensor v = x.slice(0, 1, 4, 2);
  const Tensor e = x.narrow(0, 3, 1).expand({2, 3});
  x.copy_(row({10, 11, 12, 13}));
  EXPECT_TENSOR_EQ(v, row({11, 13}));
  EXPECT_TENSOR_EQ(e, full({2, 3}, 13.0, kFloat64));
}

TEST(SliceViews, GradientsPadWithZeros) {
  Tensor x = iota({2, 5}).set_requires_grad();
  x.slice(1, 1, 5, 2).backward(Tensor::from({{1.0, 2.0}, {3.0, 4.0}}));
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({{0.0, 1.0, 0.0, 2.0, 0.0}, {0.0, 3.0, 0.0, 4.0, 0.0}}));
  // Overlapping views of one tensor accumulate.
  Tensor y = arange(0, 4, 1, kFloat64).set_requires_grad();
  sum(y.narrow(0, 0, 3) + y.slice(0, 1, 4) + y.select(0, 0)).backward();
  EXPECT_TENSOR_EQ(y.grad(), row({1 + 3, 2, 2, 1}));
}

TEST(SliceViews, Gradients) {
  const Tensor x = random_normal({3, 4, 5}, 1);
  auto check = [&](const std::function<Tensor(const Tensor&)>& f) {
    expect_gradients_match_finite_differences(f, {x});
  };
  check([](const Tensor& t) { return t.slice(2, 0, 5, 2); });
  check([](const Tensor& t) { return t.slice(1, -3, 4, 2) * t.slice(1, 0, 2); });
  check([](const Tensor& t) { return t.slice(0, 1, 100); });
  check([](const Tensor& t) { return t.narrow(1, 1, 2); });
  check([](const Tensor& t) { return t.select(1, -1); });
  check([](const Tensor& t) { return t.select(0, 2).select(0, 1); });
  // Chains of views, non-contiguous at every step.
  check([](const Tensor& t) {
    return t.transpose(0, 2).slice(0, 1, 5, 3).permute({2, 0, 1}).unsqueeze(1).expand({3, 2, 2, 4});
  });
  check([](const Tensor& t) { return t.select(2, 3).t().reshape({-1}).slice(0, 0, 12, 5); });
  check([](const Tensor& t) { return sum(t.slice(1, 0, 4, 3).flatten(1), {1}); });
}

}  // namespace
}  // namespace athanor
