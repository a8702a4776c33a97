// src/tensor/tensor_test.cpp: Tensor metadata, layouts (is_contiguous), data access (data_ptr,
// item, to_vector) and the undefined tensor. Tensor::from, copy_ and fill_ are in
// tensor_data_test.cpp.
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

#include "testing/matchers.h"  // EXPECT_THROW_WITH_MESSAGE only (the tensor layer cannot link ops)

namespace athanor {
namespace {

using ::testing::ElementsAre;

// A 2 x 3 float64 tensor holding 0 .. 5.
Tensor iota23() { return Tensor::from({{0.0, 1.0, 2.0}, {3.0, 4.0, 5.0}}); }

TEST(TensorMetadata, ShapeStridesDtypeDevice) {
  const Tensor t = zeros(Shape{2, 3, 4}, kFloat64);
  EXPECT_TRUE(t.defined());
  EXPECT_EQ(t.shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.strides(), (Shape{12, 4, 1}));
  EXPECT_EQ(t.offset(), 0);
  EXPECT_EQ(t.dtype(), kFloat64);
  EXPECT_EQ(t.device(), kCPU);
  EXPECT_TRUE(t.is_floating_point());
  EXPECT_FALSE(zeros(Shape{2}, kInt64).is_floating_point());
  EXPECT_FALSE(zeros(Shape{2}, kBool).is_floating_point());
  EXPECT_GE(t.storage()->nbytes(), 24 * 8);
}

TEST(TensorMetadata, SizeOfADimension) {
  const Tensor t = zeros(Shape{2, 3, 4});
  EXPECT_EQ(t.shape(0), 2);
  EXPECT_EQ(t.size(2), 4);
  EXPECT_EQ(t.shape(-1), 4);
  EXPECT_EQ(t.size(-3), 2);
  EXPECT_THROW_WITH_MESSAGE(
      t.shape(3),
      "shape: dimension 3 is out of range for a tensor of 3 dimensions (valid: -3 to 2)");
  EXPECT_THROW_WITH_MESSAGE(t.size(-4), "dimension -4 is out of range");
}

TEST(TensorMetadata, ZeroDimensional) {
  const Tensor s = scalar_tensor(2.5, kFloat64);
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.strides(), Shape{});
  EXPECT_TRUE(s.is_contiguous());
  EXPECT_EQ(s.item(), 2.5);
}

TEST(TensorMetadata, CopiesShareTheImplAliasSharesOnlyStorage) {
  Tensor t = iota23();
  const Tensor copy = t;  // NOLINT(performance-unnecessary-copy-initialization): the point
  const Tensor alias = t.alias();
  EXPECT_TRUE(copy.is_same(t));
  EXPECT_FALSE(alias.is_same(t));
  EXPECT_EQ(alias.storage(), t.storage());
  EXPECT_EQ(alias.shape(), t.shape());
  EXPECT_EQ(alias.strides(), t.strides());
  t.fill_(7.0);
  EXPECT_THAT(alias.to_vector<double>(), ElementsAre(7, 7, 7, 7, 7, 7));
}

TEST(TensorLayout, AsStridedReadsTheGivenElements) {
  const Tensor t = iota23();
  // Column 1: elements 1 and 4 (offset 1, stride 3).
  const Tensor col = t.as_strided(Shape{2}, Shape{3}, 1);
  EXPECT_EQ(col.offset(), 1);
  EXPECT_THAT(col.to_vector<double>(), ElementsAre(1.0, 4.0));
  // The transpose: element (i, j) is t[j][i], at j * 3 + i.
  const Tensor tt = t.as_strided(Shape{3, 2}, Shape{1, 3}, 0);
  EXPECT_THAT(tt.to_vector<double>(), ElementsAre(0.0, 3.0, 1.0, 4.0, 2.0, 5.0));
}

TEST(TensorLayout, IsContiguousForContiguousAndRowSlices) {
  const Tensor t = zeros(Shape{4, 3});
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_TRUE(t.alias().is_contiguous());
  // Rows 1..2 of a 4 x 3 matrix: an offset does not break contiguity.
  EXPECT_TRUE(t.as_strided(Shape{2, 3}, Shape{3, 1}, 3).is_contiguous());
  // Row 2 as a 1-D vector.
  EXPECT_TRUE(t.as_strided(Shape{3}, Shape{1}, 6).is_contiguous());
}

TEST(TensorLayout, IsContiguousIsFalseForTransposedSlicedAndBroadcastViews) {
  const Tensor t = zeros(Shape{4, 3});
  EXPECT_FALSE(t.as_strided(Shape{3, 4}, Shape{1, 3}, 0).is_contiguous());  // transpose
  EXPECT_FALSE(t.as_strided(Shape{4, 2}, Shape{3, 1}, 0).is_contiguous());  // columns 0..1
  EXPECT_FALSE(t.as_strided(Shape{2, 3}, Shape{6, 1}, 0).is_contiguous());  // every other row
  EXPECT_FALSE(t.as_strided(Shape{6}, Shape{2}, 0).is_contiguous());        // step 2
  EXPECT_FALSE(t.as_strided(Shape{5, 3}, Shape{0, 1}, 0).is_contiguous());  // broadcast rows
  EXPECT_FALSE(t.as_strided(Shape{3, 2}, Shape{1, 0}, 0).is_contiguous());  // broadcast columns
}

TEST(TensorLayout, SizeOneAndEmptyDimensionsIgnoreStrides) {
  const Tensor t = zeros(Shape{4, 3});
  // A size-1 dimension is never stepped over, so its stride does not matter (as in PyTorch).
  EXPECT_TRUE(t.as_strided(Shape{1, 3}, Shape{100, 1}, 0).is_contiguous());
  EXPECT_TRUE(t.as_strided(Shape{3, 1}, Shape{1, 0}, 0).is_contiguous());
  EXPECT_TRUE(t.as_strided(Shape{1, 1}, Shape{7, 9}, 0).is_contiguous());
  // No element can be out of place in an empty tensor.
  EXPECT_TRUE(t.as_strided(Shape{0, 3}, Shape{1, 0}, 0).is_contiguous());
  EXPECT_TRUE(zeros(Shape{2, 0, 3}).is_contiguous());
}

TEST(TensorData, DataPtrPointsAtTheFirstElementOfTheView) {
  const Tensor t = iota23();
  EXPECT_EQ(t.data_ptr<double>()[4], 4.0);
  EXPECT_EQ(t.data_ptr<double>(), t.raw_data());
  const Tensor row1 = t.as_strided(Shape{3}, Shape{1}, 3);
  EXPECT_EQ(row1.data_ptr<double>(), t.data_ptr<double>() + 3);
  EXPECT_EQ(row1.data_ptr<double>()[0], 3.0);
  // Writes through the pointer are seen by every view.
  row1.data_ptr<double>()[2] = -1.0;
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 1, 2, 3, 4, -1));
}

TEST(TensorData, DataPtrOfTheWrongTypeIsAnError) {
  const Tensor f = zeros(Shape{2}, kFloat32);
  EXPECT_THROW_WITH_MESSAGE(f.data_ptr<double>(),
                            "data_ptr: the tensor holds float32, not float64");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{2}, kInt64).data_ptr<float>(),
                            "data_ptr: the tensor holds int64, not float32");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{2}, kBool).data_ptr<uint8_t>(),
                            "data_ptr: the tensor holds bool, not uint8");
  EXPECT_NE(zeros(Shape{2}, kBool).data_ptr<bool>(), nullptr);
  EXPECT_NE(zeros(Shape{2}, kUInt8).data_ptr<uint8_t>(), nullptr);
}

TEST(TensorData, ItemConvertsTheSingleElement) {
  EXPECT_EQ(scalar_tensor(2.75, kFloat64).item(), 2.75);
  EXPECT_EQ(scalar_tensor(2.75, kFloat32).item<float>(), 2.75f);
  EXPECT_EQ(scalar_tensor(2.75, kFloat64).item<int64_t>(), 2);  // truncation
  EXPECT_EQ(scalar_tensor(-2.75, kFloat64).item<int64_t>(), -2);
  EXPECT_EQ(scalar_tensor(7, kInt64).item(), 7.0);
  EXPECT_TRUE(scalar_tensor(0.5, kFloat32).item<bool>());
  EXPECT_FALSE(scalar_tensor(0.0, kFloat32).item<bool>());
  EXPECT_EQ(scalar_tensor(200, kUInt8).item<uint8_t>(), 200);
  // Any one-element shape works, and the view's offset is honoured.
  EXPECT_EQ(full(Shape{1, 1, 1}, 3.0, kInt64).item<int64_t>(), 3);
  EXPECT_EQ(iota23().as_strided(Shape{1}, Shape{1}, 5).item(), 5.0);
  EXPECT_EQ(iota23().as_strided(Shape{}, Shape{}, 4).item(), 4.0);
}

TEST(TensorData, ItemOnSeveralElementsIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(
      iota23().item(), "item: expected a tensor with one element, got shape [2, 3] (6 elements)");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{0}).item(),
                            "item: expected a tensor with one element, got shape [0] (0 elements)");
}

TEST(TensorData, ToVectorIsRowMajorOverTheView) {
  const Tensor t = iota23();
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(t.to_vector<int64_t>(), ElementsAre(0, 1, 2, 3, 4, 5));
  EXPECT_THAT(t.to_vector<bool>(), ElementsAre(false, true, true, true, true, true));
  EXPECT_THAT(t.to_vector<float>(), ElementsAre(0.f, 1.f, 2.f, 3.f, 4.f, 5.f));
  // Broadcast: every row repeats row 1.
  const Tensor rows = t.as_strided(Shape{2, 3}, Shape{0, 1}, 3);
  EXPECT_THAT(rows.to_vector<double>(), ElementsAre(3, 4, 5, 3, 4, 5));
  EXPECT_TRUE(zeros(Shape{0, 4}).to_vector<double>().empty());
  EXPECT_THAT(scalar_tensor(1.5, kFloat64).to_vector<double>(), ElementsAre(1.5));
}

TEST(TensorData, ToVectorOfALargeTransposedView) {
  // Above the kernels' parallel grain, so the strided copy is split across threads.
  const int64_t rows = 300, cols = 400;
  std::vector<double> values(static_cast<size_t>(rows * cols));
  std::iota(values.begin(), values.end(), 0.0);
  const Tensor t = Tensor::from(values, Shape{rows, cols});
  const Tensor tt = t.as_strided(Shape{cols, rows}, Shape{1, cols}, 0);
  const std::vector<double> got = tt.to_vector<double>();
  int64_t wrong = 0;
  for (int64_t i = 0; i < cols; ++i) {
    for (int64_t j = 0; j < rows; ++j) {
      wrong += got[static_cast<size_t>(i * rows + j)] != static_cast<double>(j * cols + i);
    }
  }
  EXPECT_EQ(wrong, 0);
}

TEST(UndefinedTensor, ReportsItselfAndRefusesOperations) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_THROW_WITH_MESSAGE(t.shape(), "tensor: operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.numel(), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.dtype(), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.item(), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.fill_(1.0), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.to_vector<float>(), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{2}).copy_(t), "operation on an undefined tensor");
  EXPECT_THROW_WITH_MESSAGE(t.copy_(zeros(Shape{2})), "operation on an undefined tensor");
  EXPECT_TRUE(t.is_same(Tensor()));  // both hold no impl
}

}  // namespace
}  // namespace athanor
