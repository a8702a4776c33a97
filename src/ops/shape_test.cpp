// src/ops/shape_test.cpp: reshape, view, flatten, squeeze, unsqueeze, transpose, permute, expand,
// contiguous, clone and to: shapes, strides, storage sharing, errors and gradients.
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
using testing::GradcheckOptions;
using testing::random_normal;

Tensor iota(const Shape& shape) { return arange(0, shape.numel(), 1, kFloat64).reshape(shape); }

bool shares_storage(const Tensor& a, const Tensor& b) { return a.storage() == b.storage(); }

TEST(Reshape, InfersOneDimensionAndSharesStorageWhenPossible) {
  const Tensor x = iota({2, 3, 4});
  const Tensor y = x.reshape({4, -1});
  EXPECT_EQ(y.shape(), (Shape{4, 6}));
  EXPECT_TRUE(shares_storage(x, y));
  EXPECT_EQ(y.to_vector<double>(), x.to_vector<double>());  // row-major order is kept
  EXPECT_EQ(x.reshape({-1}).shape(), (Shape{24}));
  EXPECT_EQ(x.reshape({2, -1, 2}).shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(scalar_tensor(3.0).reshape({1, 1}).shape(), (Shape{1, 1}));
  EXPECT_EQ(zeros({0, 4}).reshape({2, 0, 2}).shape(), (Shape{2, 0, 2}));
  EXPECT_EQ(zeros({1}).reshape({}).shape(), (Shape{}));
  EXPECT_TRUE(x.reshape({2, 3, 4}).is_same(x));
}

TEST(Reshape, CopiesLayoutsAViewCannotExpress) {
  const Tensor x = iota({3, 4});
  const Tensor y = x.t().reshape({12});  // column-major order: 0, 4, 8, 1, ...
  EXPECT_FALSE(shares_storage(x, y));
  EXPECT_TENSOR_EQ(y, Tensor::from({0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0}));
  // A transposed tensor can still be viewed when only non-transposed dims merge or split.
  const Tensor t = iota({2, 3, 4}).permute({1, 0, 2});  // [3, 2, 4]
  EXPECT_TRUE(shares_storage(t, t.reshape({3, 2, 2, 2})));
  EXPECT_TENSOR_EQ(t.reshape({3, 2, 2, 2}), t.contiguous().reshape({3, 2, 2, 2}));
  // An expanded tensor's broadcast dimensions merge into a stride-0 view.
  const Tensor e = Tensor::from({1.0, 2.0}).expand({3, 4, 2});
  EXPECT_TENSOR_EQ(e.reshape({12, 2}), e.contiguous().reshape({12, 2}));
}

TEST(Reshape, Errors) {
  const Tensor x = zeros({2, 3});
  EXPECT_THROW_WITH_MESSAGE(x.reshape({4, -1}),
                            "reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into "
                            "[4, -1]");
  EXPECT_THROW_WITH_MESSAGE(x.reshape({4, 2}),
                            "reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into "
                            "[4, 2] (8 elements)");
  EXPECT_THROW_WITH_MESSAGE(x.reshape({-1, -1}),
                            "reshape: only one dimension can be -1, got shape [-1, -1]");
  EXPECT_THROW_WITH_MESSAGE(x.reshape({-2, -3}), "reshape: invalid size -2 in shape [-2, -3]");
  EXPECT_THROW_WITH_MESSAGE(zeros({0, 3}).reshape({0, -1}),
                            "reshape: cannot reshape a tensor of shape [0, 3] (0 elements) into "
                            "[0, -1]");
}

TEST(View, SharesStorageOrExplainsWhyItCannot) {
  const Tensor x = iota({4, 3});
  const Tensor v = x.view({2, 6});
  EXPECT_TRUE(shares_storage(x, v));
  EXPECT_EQ(v.strides(), (Shape{6, 1}));
  EXPECT_THROW_WITH_MESSAGE(x.t().view({12}),
                            "view: a tensor of shape [3, 4] and strides [1, 3] cannot be viewed "
                            "as [12]; use reshape() (which copies) or contiguous() first");
  EXPECT_THROW_WITH_MESSAGE(x.slice(1, 0, 3, 2).view({8}),
                            "view: a tensor of shape [4, 2] and strides [3, 2] cannot be viewed");
  // Splitting a strided dimension is fine: [4, 2] with strides [3, 2] -> [2, 2, 2].
  const Tensor s = x.slice(1, 0, 3, 2).view({2, 2, 2});
  EXPECT_EQ(s.strides(), (Shape{6, 3, 2}));
  EXPECT_TENSOR_EQ(s.reshape({8}), Tensor::from({0.0, 2.0, 3.0, 5.0, 6.0, 8.0, 9.0, 11.0}));
}

TEST(Flatten, MergesARangeOfDimensions) {
  const Tensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(x.flatten().shape(), (Shape{120}));
  EXPECT_EQ(x.flatten(1).shape(), (Shape{2, 60}));
  EXPECT_EQ(x.flatten(1, 2).shape(), (Shape{2, 12, 5}));
  EXPECT_EQ(x.flatten(-2, -1).shape(), (Shape{2, 3, 20}));
  EXPECT_EQ(x.flatten(2, 2).shape(), x.shape());
  EXPECT_EQ(scalar_tensor(1.0).flatten().shape(), (Shape{1}));
  EXPECT_TENSOR_EQ(x.flatten(1, 2).select(1, 7), x.select(1, 1).select(1, 3));  // 7 = 1 * 4 + 3
  EXPECT_THROW_WITH_MESSAGE(x.flatten(2, 1), "flatten: start_dim 2 comes after end_dim 1");
}

TEST(Squeeze, RemovesSizeOneDimensions) {
  const Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(x.squeeze().shape(), (Shape{3, 2}));
  EXPECT_EQ(x.squeeze(0).shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(x.squeeze(-2).shape(), (Shape{1, 3, 2}));
  EXPECT_TRUE(x.squeeze(1).is_same(x));  // size 3: unchanged, as in PyTorch
  EXPECT_EQ(ones({1, 1}).squeeze().shape(), (Shape{}));
  EXPECT_EQ(scalar_tensor(1.0).squeeze(0).shape(), (Shape{}));
  EXPECT_TRUE(shares_storage(x, x.squeeze()));
  EXPECT_THROW_WITH_MESSAGE(x.squeeze(4),
                            "squeeze: dimension 4 is out of range for a tensor of 4 dimensions");
}

TEST(Unsqueeze, InsertsASizeOneDimension) {
  const Tensor x = iota({2, 3});
  EXPECT_EQ(x.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(x.unsqueeze(1).shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(x.unsqueeze(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(x.unsqueeze(2).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(scalar_tensor(1.0).unsqueeze(0).shape(), (Shape{1}));
  EXPECT_TENSOR_EQ(x.t().unsqueeze(1).squeeze(1), x.t());
  EXPECT_THROW_WITH_MESSAGE(x.unsqueeze(3),
                            "unsqueeze: dimension 3 is out of range for a tensor of 3 dimensions");
}

TEST(Transpose, SwapsDimensionsAsAView) {
  const Tensor x = iota({2, 3, 4});
  const Tensor t = x.transpose(0, 2);
  EXPECT_EQ(t.shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(t.strides(), (Shape{1, 4, 12}));
  EXPECT_TRUE(shares_storage(x, t));
  EXPECT_EQ(t.select(0, 3).select(0, 1).select(0, 1).item(), 12.0 + 4.0 + 3.0);
  EXPECT_TENSOR_EQ(x.transpose(-1, 0), t);
  EXPECT_TENSOR_EQ(iota({2, 3}).t(), Tensor::from({{0.0, 3.0}, {1.0, 4.0}, {2.0, 5.0}}));
  EXPECT_TENSOR_EQ(x.transpose(1, 1), x);
  EXPECT_THROW_WITH_MESSAGE(x.transpose(0, 3), "transpose: dimension 3 is out of range");
}

TEST(Permute, ReordersDimensions) {
  const Tensor x = iota({2, 3, 4});
  const Tensor p = x.permute({1, 2, 0});
  EXPECT_EQ(p.shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(p.strides(), (Shape{4, 1, 12}));
  EXPECT_TENSOR_EQ(x.permute({-2, -1, -3}), p);
  // p[j][k][i] = x[i][j][k] = 12 i + 4 j + k.
  EXPECT_EQ(p.select(0, 2).select(0, 1).select(0, 1).item(), 12.0 + 8.0 + 1.0);
  EXPECT_TENSOR_EQ(p.permute({2, 0, 1}), x);
  EXPECT_THROW_WITH_MESSAGE(
      x.permute({0, 1}), "permute: expected 3 dimensions for a tensor of shape [2, 3, 4], got 2");
  EXPECT_THROW_WITH_MESSAGE(x.permute({0, 1, -3}),
                            "permute: dimension 0 appears twice in [0, 1, -3]");
}

TEST(Expand, RepeatsSizeOneDimensionsWithoutCopying) {
  const Tensor col = Tensor::from({{1.0}, {2.0}});
  const Tensor e = col.expand({3, 2, 4});
  EXPECT_EQ(e.strides(), (Shape{0, 1, 0}));
  EXPECT_TRUE(shares_storage(col, e));
  EXPECT_TENSOR_EQ(e.select(0, 2), Tensor::from({{1.0, 1.0, 1.0, 1.0}, {2.0, 2.0, 2.0, 2.0}}));
  EXPECT_EQ(col.expand({-1, 5}).shape(), (Shape{2, 5}));
  EXPECT_EQ(scalar_tensor(7.0).expand({2, 2}).to_vector<double>(), std::vector<double>(4, 7.0));
  EXPECT_EQ(ones({1, 3}).expand({0, 3}).shape(), (Shape{0, 3}));
  EXPECT_TRUE(col.expand({2, 1}).is_same(col));
  EXPECT_TRUE(col.broadcast_to({2, 2}).strides() == (Shape{1, 0}));
}

TEST(Expand, Errors) {
  const Tensor x = zeros({2, 1});
  EXPECT_THROW_WITH_MESSAGE(x.expand({2, 3, 3}),
                            "expand: cannot broadcast shape [2, 1] to [2, 3, 3]: dimension 1 has "
                            "size 2, expected 3 or 1");
  EXPECT_THROW_WITH_MESSAGE(
      x.expand({3}), "expand: cannot expand shape [2, 1] to [3], which has fewer dimensions");
  EXPECT_THROW_WITH_MESSAGE(x.expand({-1, 2, 2}),
                            "expand: -1 is not allowed for the new leading dimension 0");
}

TEST(Contiguous, CopiesOnlyStridedTensors) {
  const Tensor x = iota({3, 4});
  EXPECT_TRUE(x.contiguous().is_same(x));
  const Tensor c = x.t().contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(shares_storage(c, x));
  EXPECT_EQ(c.strides(), (Shape{3, 1}));
  EXPECT_TENSOR_EQ(c, x.t());
  const Tensor e = Tensor::from({1.0, 2.0}).expand({2, 2}).contiguous();
  EXPECT_EQ(e.strides(), (Shape{2, 1}));
  EXPECT_TENSOR_EQ(e, Tensor::from({{1.0, 2.0}, {1.0, 2.0}}));
}

TEST(Clone, OwnsItsStorage) {
  Tensor x = iota({2, 2});
  const Tensor c = x.clone();
  EXPECT_FALSE(shares_storage(c, x));
  x.fill_(9.0);
  EXPECT_TENSOR_EQ(c, Tensor::from({{0.0, 1.0}, {2.0, 3.0}}));
  EXPECT_TRUE(x.t().clone().is_contiguous());
  EXPECT_EQ(Tensor::from({1, 2}).clone().dtype(), kInt64);
}

TEST(To, ConvertsDtypes) {
  const Tensor x = Tensor::from({1.75, -2.5, 0.0});
  EXPECT_TRUE(x.to(kFloat64).is_same(x));
  EXPECT_TENSOR_EQ(x.to(kFloat32), Tensor::from({1.75f, -2.5f, 0.0f}));
  EXPECT_TENSOR_EQ(x.to(kInt64), Tensor::from({1, -2, 0}));  // truncation toward zero
  EXPECT_TENSOR_EQ(x.to(kBool), Tensor::from({true, true, false}));
  EXPECT_TENSOR_EQ(iota({2, 3}).t().to(kInt64), Tensor::from({{0, 3}, {1, 4}, {2, 5}}));
  // Converting to an integer type ends the graph.
  EXPECT_FALSE(random_normal({2}).set_requires_grad().to(kInt64).requires_grad());
  Tensor leaf = Tensor::from({1.0, 2.0}).set_requires_grad();
  sum(leaf.to(kFloat32) * leaf.to(kFloat32)).backward();
  EXPECT_EQ(leaf.grad().dtype(), kFloat64);
  EXPECT_TENSOR_EQ(leaf.grad(), Tensor::from({2.0, 4.0}));
}

TEST(ShapeViews, Gradients) {
  const Tensor x = random_normal({2, 3, 4}, 1);
  auto check = [&](std::function<Tensor(const Tensor&)> f) {
    expect_gradients_match_finite_differences(f, {x});
  };
  check([](const Tensor& t) { return t.reshape({4, -1}) * t.reshape({4, 6}); });
  check([](const Tensor& t) { return t.transpose(0, 2).reshape({-1}); });  // a copying reshape
  check([](const Tensor& t) { return t.view({6, 4}); });
  check([](const Tensor& t) { return t.flatten(0, 1); });
  check([](const Tensor& t) { return t.unsqueeze(1).unsqueeze(-1).squeeze(); });
  check([](const Tensor& t) { return t.unsqueeze(0).squeeze(0); });
  check([](const Tensor& t) { return t.transpose(1, 2); });
  check([](const Tensor& t) { return t.permute({2, 0, 1}) * t.permute({2, 0, 1}); });
  check([](const Tensor& t) { return t.permute({1, 0, 2}).contiguous(); });
  check([](const Tensor& t) { return t.clone() * t; });
  check([](const Tensor& t) { return t.unsqueeze(2).expand({2, 3, 5, 4}); });
  check([](const Tensor& t) { return t.select(0, 1).expand({3, 3, 4}); });
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return t.expand({2, 3});
      },
      {scalar_tensor(0.5, kFloat64)});
  expect_gradients_match_finite_differences([](const Tensor& t) { return t.squeeze(); },
                                            {random_normal({1, 3, 1}, 2)});
  // float64 -> float32 -> float64 rounds to float32, so the finite difference needs a larger step.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) { return (t.to(kFloat32) * t.to(kFloat32)).to(kFloat64); }, {x},
      GradcheckOptions{.eps = 1e-2, .rtol = 1e-4, .atol = 1e-5});
}

}  // namespace
}  // namespace athanor
