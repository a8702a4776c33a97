// src/ops/index_test.cpp: index_select, gather, scatter_add and one_hot: values, strided inputs,
// repeated indices, range and shape errors, and gradients.
#include <gtest/gtest.h>

#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

Tensor iota(const Shape& shape) { return arange(0, shape.numel(), 1, kFloat64).reshape(shape); }

Tensor idx(std::initializer_list<int64_t> v) {
  return Tensor::from(std::vector<int64_t>(v), Shape{static_cast<int64_t>(v.size())});
}
Tensor idx2(std::initializer_list<std::initializer_list<int64_t>> v) { return Tensor::from(v); }

TEST(IndexSelect, PicksEntriesOfADimension) {
  const Tensor x = iota({3, 4});
  EXPECT_TENSOR_EQ(
      index_select(x, 0, idx({2, 0, 2})),
      Tensor::from({{8.0, 9.0, 10.0, 11.0}, {0.0, 1.0, 2.0, 3.0}, {8.0, 9.0, 10.0, 11.0}}));
  EXPECT_TENSOR_EQ(index_select(x, -1, idx({3, 1})),
                   Tensor::from({{3.0, 1.0}, {7.0, 5.0}, {11.0, 9.0}}));
  EXPECT_EQ(index_select(x, 1, idx({})).shape(), (Shape{3, 0}));
  // A 3-D tensor along its middle dimension, and strided inputs.
  const Tensor y = iota({2, 3, 2});
  EXPECT_TENSOR_EQ(index_select(y, 1, idx({1})), y.narrow(1, 1, 1));
  EXPECT_TENSOR_EQ(index_select(x.t(), 0, idx({3, 0})),
                   index_select(x.t().contiguous(), 0, idx({3, 0})));
  EXPECT_TENSOR_EQ(index_select(x, 1, idx({0, 1, 2, 3, 2}).slice(0, 0, 5, 2)),
                   index_select(x, 1, idx({0, 2, 2})));
  EXPECT_TENSOR_EQ(index_select(Tensor::from({5, 6, 7}), 0, idx({2, 2})), Tensor::from({7, 7}));
}

TEST(IndexSelect, Errors) {
  const Tensor x = zeros({3, 4});
  EXPECT_THROW_WITH_MESSAGE(index_select(x, 1, idx({0, 4})),
                            "index_select: index 4 (at position 1) is out of range for dimension "
                            "1 of size 4; expected 0 <= index < 4");
  EXPECT_THROW_WITH_MESSAGE(index_select(x, 0, idx({-1})),
                            "index_select: index -1 (at position 0) is out of range for dimension "
                            "0 of size 3");
  EXPECT_THROW_WITH_MESSAGE(index_select(x, 0, Tensor::from({0.0})),
                            "index_select: expected an int64 index tensor, got float64");
  EXPECT_THROW_WITH_MESSAGE(index_select(x, 0, idx2({{0}})),
                            "index_select: expected a 1-D index, got shape [1, 1]");
  EXPECT_THROW_WITH_MESSAGE(index_select(x, 2, idx({0})),
                            "index_select: dimension 2 is out of range");
}

TEST(IndexSelect, RepeatedIndicesAccumulateGradients) {
  Tensor x = iota({3, 2}).set_requires_grad();
  index_select(x, 0, idx({1, 1, 0, 1}))
      .backward(Tensor::from({{1.0, 2.0}, {10.0, 20.0}, {100.0, 200.0}, {1000.0, 2000.0}}));
  EXPECT_TENSOR_EQ(x.grad(), Tensor::from({{100.0, 200.0}, {1011.0, 2022.0}, {0.0, 0.0}}));
}

TEST(Gather, PicksAlongADimension) {
  const Tensor x = iota({2, 3});  // [[0, 1, 2], [3, 4, 5]]
  EXPECT_TENSOR_EQ(gather(x, 1, idx2({{2, 0}, {1, 1}})), Tensor::from({{2.0, 0.0}, {4.0, 4.0}}));
  EXPECT_TENSOR_EQ(gather(x, 0, idx2({{1, 0, 1}})), Tensor::from({{3.0, 1.0, 5.0}}));
  // The index may be smaller than x outside dim, and larger along it.
  EXPECT_TENSOR_EQ(gather(x, 1, idx2({{0, 0, 2, 2}})), Tensor::from({{0.0, 0.0, 2.0, 2.0}}));
  // Strided x and index.
  // x.t() = [[0, 3], [1, 4], [2, 5]]; out[i][j] = x.t()[index[i][j]][j].
  EXPECT_TENSOR_EQ(gather(x.t(), 0, idx2({{1, 0}, {2, 2}})),
                   Tensor::from({{1.0, 3.0}, {2.0, 5.0}}));
  const Tensor index = idx2({{0, 1}, {2, 0}}).t();  // [[0, 2], [1, 0]]
  EXPECT_TENSOR_EQ(gather(x, 1, index), Tensor::from({{0.0, 2.0}, {4.0, 3.0}}));
  // A 3-D gather along the last dimension: out[i][j][k] = y[i][j][index[i][j][k]].
  const Tensor y = iota({2, 2, 3});
  EXPECT_TENSOR_EQ(gather(y, -1, Tensor::from({{{2}, {0}}, {{1}, {1}}})),
                   Tensor::from({{{2.0}, {3.0}}, {{7.0}, {10.0}}}));
}

TEST(Gather, Errors) {
  const Tensor x = zeros({2, 3});
  EXPECT_THROW_WITH_MESSAGE(gather(x, 1, idx2({{0, 3}})),
                            "gather: index 3 (at position [0, 1]) is out of range for dimension 1 "
                            "of size 3; expected 0 <= index < 3");
  EXPECT_THROW_WITH_MESSAGE(gather(x, 1, idx({0})),
                            "gather: index has shape [1] but the tensor has shape [2, 3]; expected "
                            "the same number of dimensions");
  EXPECT_THROW_WITH_MESSAGE(gather(x, 1, zeros({3, 1}, kInt64)),
                            "gather: index has shape [3, 1], larger than the tensor's [2, 3] in "
                            "dimension 0");
  EXPECT_THROW_WITH_MESSAGE(gather(x, 1, zeros({1, 1})),
                            "gather: expected an int64 index tensor, got float32");
}

TEST(ScatterAdd, AddsAndAccumulatesCollisions) {
  const Tensor x = zeros({2, 3}, kFloat64);
  const Tensor src = Tensor::from({{1.0, 2.0, 4.0}, {8.0, 16.0, 32.0}});
  // Row 0 sends 1 and 4 to column 2 and 2 to column 0; row 1 everything to column 1.
  EXPECT_TENSOR_EQ(scatter_add(x, 1, idx2({{2, 0, 2}, {1, 1, 1}}), src),
                   Tensor::from({{2.0, 0.0, 5.0}, {0.0, 56.0, 0.0}}));
  // Along dim 0, with an index smaller than src: only src[:1, :2] is used.
  EXPECT_TENSOR_EQ(scatter_add(ones({2, 3}, kFloat64), 0, idx2({{1, 1}}), src),
                   Tensor::from({{1.0, 1.0, 1.0}, {2.0, 3.0, 1.0}}));
  // x is not modified; a strided x and src give the same result as contiguous copies.
  EXPECT_TENSOR_EQ(x, zeros({2, 3}, kFloat64));
  const Tensor xt = iota({3, 2}).t(), st = iota({3, 2}).t();
  const Tensor i = idx2({{0, 0, 1}, {2, 2, 2}});
  EXPECT_TENSOR_EQ(scatter_add(xt, 1, i, st), scatter_add(xt.contiguous(), 1, i, st.contiguous()));
  EXPECT_TENSOR_EQ(scatter_add(Tensor::from({{0, 0}}), 1, idx2({{1, 1}}), Tensor::from({{3, 4}})),
                   Tensor::from({{0, 7}}));
}

TEST(ScatterAdd, Errors) {
  const Tensor x = zeros({2, 3}, kFloat64), src = ones({2, 3}, kFloat64);
  EXPECT_THROW_WITH_MESSAGE(scatter_add(x, 1, idx2({{0, 1}, {2, 5}}), src),
                            "scatter_add: index 5 (at position [1, 1]) is out of range for "
                            "dimension 1 of size 3");
  EXPECT_THROW_WITH_MESSAGE(scatter_add(x, 1, idx2({{0, 1, 2, 0}}), src),
                            "scatter_add: index has shape [1, 4], larger than src's [2, 3] in "
                            "dimension 1");
  EXPECT_THROW_WITH_MESSAGE(scatter_add(x, 0, idx2({{0}}), ones({1}, kFloat64)),
                            "scatter_add: src has shape [1] and index [1, 1]; expected the same "
                            "number of dimensions");
  EXPECT_THROW_WITH_MESSAGE(scatter_add(x, 0, idx2({{0}}), ones({1, 1})),
                            "scatter_add: x is float64 but src is float32");
}

TEST(OneHot, RowsOfZerosWithAOne) {
  EXPECT_TENSOR_EQ(one_hot(idx({2, 0, 1}), 4),
                   Tensor::from({{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}}));
  EXPECT_TENSOR_EQ(one_hot(idx({1, 2})), Tensor::from({{0, 1, 0}, {0, 0, 1}}));  // 3 classes
  EXPECT_EQ(one_hot(idx2({{0, 1}, {1, 0}, {0, 0}}), 2).shape(), (Shape{3, 2, 2}));
  EXPECT_TENSOR_EQ(one_hot(scalar_tensor(1, kInt64), 3), Tensor::from({0, 1, 0}));
  EXPECT_EQ(one_hot(idx({}), 5).shape(), (Shape{0, 5}));
  EXPECT_THROW_WITH_MESSAGE(one_hot(idx({0, 3}), 2),
                            "one_hot: class id 3 is out of range for 2 classes");
  EXPECT_THROW_WITH_MESSAGE(one_hot(idx({0, -1})),
                            "one_hot: class id -1 (at position 1) is negative");
  EXPECT_THROW_WITH_MESSAGE(one_hot(Tensor::from({1.0})),
                            "one_hot: expected int64 class ids, got float64");
}

TEST(Index, Gradients) {
  const Tensor x = random_normal({3, 4}, 1);
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return index_select(t, 0, idx({2, 0, 2, 2}));
      },
      {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return index_select(t.t(), 1, idx({1, 1}));
      },
      {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return index_select(t, 2, idx({0, 2}));
      },
      {random_normal({2, 2, 3}, 2)});
  // gather with repeated indices: their gradients accumulate.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return gather(t, 1, idx2({{3, 3, 0}, {1, 2, 1}, {0, 0, 0}}));
      },
      {x});
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return gather(t.t(), 0, idx2({{2, 0, 1}}));
      },
      {x});
  // scatter_add: gradients for both x and src, with collisions and a partial index.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return scatter_add(in[0], 1, idx2({{3, 3}, {0, 1}, {2, 3}}), in[1]);
      },
      {x, random_normal({3, 3}, 3)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return scatter_add(in[0], 0, idx2({{1, 0, 1, 1}}), in[1] * in[1]);
      },
      {x, random_normal({2, 4}, 4)});
  // index_select of a 0-d tensor treats it as one element.
  expect_gradients_match_finite_differences(
      [](const Tensor& t) {
        return index_select(t, 0, idx({0, 0}));
      },
      {scalar_tensor(2.0, kFloat64)});
}

}  // namespace
}  // namespace athanor
