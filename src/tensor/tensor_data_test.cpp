// src/tensor/tensor_data_test.cpp: Tensor::from (nested lists, dtype mapping and conversion,
// errors), copy_ (broadcasting, dtype conversion, strided views) and fill_.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

#include "testing/matchers.h"  // EXPECT_THROW_WITH_MESSAGE only (the tensor layer cannot link ops)

namespace athanor {
namespace {

using ::testing::ElementsAre;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(TensorFrom, OneLevelListsMapTheCppType) {
  const Tensor d = Tensor::from({1.5, -2.0});
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.shape(), Shape{2});
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(1.5, -2.0));

  const Tensor f = Tensor::from({0.25f, 3.0f, -1.0f});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(0.25f, 3.0f, -1.0f));

  const Tensor i = Tensor::from({3, -4, 5});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(3, -4, 5));

  const Tensor l = Tensor::from({int64_t{1} << 40});
  EXPECT_EQ(l.dtype(), kInt64);
  EXPECT_EQ(l.item<int64_t>(), int64_t{1} << 40);

  const Tensor b = Tensor::from({true, false, true});
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(true, false, true));

  const Tensor u = Tensor::from<uint8_t>({0, 7, 255});
  EXPECT_EQ(u.dtype(), kUInt8);
  EXPECT_THAT(u.to_vector<uint8_t>(), ElementsAre(0, 7, 255));
}

TEST(TensorFrom, TwoLevelLists) {
  const Tensor d = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.shape(), (Shape{2, 3}));
  EXPECT_EQ(d.strides(), (Shape{3, 1}));
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(1, 2, 3, 4, 5, 6));

  const Tensor f = Tensor::from({{1.0f}, {2.0f}});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(f.shape(), (Shape{2, 1}));

  const Tensor i = Tensor::from({{1, 2}, {3, 4}});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, 2, 3, 4));

  const Tensor b = Tensor::from({{true, false}});
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_EQ(b.shape(), (Shape{1, 2}));

  const Tensor u = Tensor::from<uint8_t>({{1, 2}, {254, 255}});
  EXPECT_EQ(u.dtype(), kUInt8);
  EXPECT_THAT(u.to_vector<int64_t>(), ElementsAre(1, 2, 254, 255));
}

TEST(TensorFrom, ThreeLevelLists) {
  const Tensor i = Tensor::from({{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_EQ(i.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(i.strides(), (Shape{6, 2, 1}));
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));

  const Tensor d = Tensor::from({{{0.5}}});
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(d.item(), 0.5);

  EXPECT_EQ(Tensor::from({{{1.0f, 2.0f}}}).dtype(), kFloat32);
  EXPECT_EQ(Tensor::from({{{true}, {false}}}).dtype(), kBool);
  EXPECT_EQ(Tensor::from<uint8_t>({{{9}}}).dtype(), kUInt8);
}

TEST(TensorFrom, ExplicitDtypeConverts) {
  const Tensor i = Tensor::from({1.9, -1.9, 0.2}, kInt64);  // truncation toward zero
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, -1, 0));

  const Tensor f = Tensor::from({{1, 2}, {3, 4}}, kFloat32);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1.f, 2.f, 3.f, 4.f));

  const Tensor b = Tensor::from({0.0, -0.5, 2.0}, kBool);
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_THAT(b.to_vector<bool>(), ElementsAre(false, true, true));

  const Tensor d = Tensor::from({true, false}, kFloat64);
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(1.0, 0.0));

  // 0.1 is not a float32: the float64 list is rounded once, to the nearest float32.
  EXPECT_EQ(Tensor::from({0.1}, kFloat32).item<float>(), 0.1f);
}

TEST(TensorFrom, RaggedListsAreAnError) {
  EXPECT_THROW_WITH_MESSAGE(
      Tensor::from({{1.0, 2.0}, {3.0, 4.0, 5.0}}),
      "Tensor::from: ragged nested list: entry [1] has 3 elements, expected 2");
  EXPECT_THROW_WITH_MESSAGE(
      Tensor::from({{1, 2}, {3}}),
      "Tensor::from: ragged nested list: entry [1] has 1 element, expected 2");
  EXPECT_THROW_WITH_MESSAGE(
      Tensor::from({{{1, 2}, {3, 4}}, {{5, 6}}}),
      "Tensor::from: ragged nested list: entry [1] has 1 element, expected 2");
  EXPECT_THROW_WITH_MESSAGE(
      Tensor::from({{{1, 2}, {3, 4}}, {{5, 6}, {7}}}),
      "Tensor::from: ragged nested list: entry [1][1] has 1 element, expected 2");
}

TEST(TensorFrom, VectorAndShape) {
  const Tensor t = Tensor::from(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{3, 2});
  EXPECT_EQ(t.dtype(), kFloat64);
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(1, 2, 3, 4, 5, 6));

  const Tensor i = Tensor::from(std::vector<int64_t>{4, 5}, Shape{2}, kFloat32);
  EXPECT_EQ(i.dtype(), kFloat32);
  EXPECT_THAT(i.to_vector<float>(), ElementsAre(4.f, 5.f));

  const Tensor s = Tensor::from(std::vector<float>{2.5f}, Shape{});
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<float>(), 2.5f);

  EXPECT_EQ(Tensor::from(std::vector<double>{}, Shape{0, 3}).shape(), (Shape{0, 3}));
}

TEST(TensorFrom, VectorCountMismatchIsAnError) {
  EXPECT_THROW_WITH_MESSAGE(Tensor::from(std::vector<double>{1, 2, 3, 4, 5}, Shape{2, 3}),
                            "Tensor::from: 5 values cannot fill shape [2, 3] (6 elements)");
  EXPECT_THROW_WITH_MESSAGE(Tensor::from(std::vector<int64_t>{1}, Shape{0}),
                            "Tensor::from: 1 values cannot fill shape [0] (0 elements)");
}

TEST(CopyInto, SameShapeAndDtype) {
  Tensor dst = zeros(Shape{2, 2}, kFloat64);
  const Tensor src = Tensor::from({{1.0, 2.0}, {3.0, 4.0}});
  dst.copy_(src);
  EXPECT_THAT(dst.to_vector<double>(), ElementsAre(1, 2, 3, 4));
  EXPECT_NE(dst.storage(), src.storage());
}

TEST(CopyInto, BroadcastsTheSource) {
  Tensor dst = zeros(Shape{2, 3}, kFloat64);
  dst.copy_(Tensor::from({1.0, 2.0, 3.0}));  // [3] -> [2, 3]: every row
  EXPECT_THAT(dst.to_vector<double>(), ElementsAre(1, 2, 3, 1, 2, 3));
  dst.copy_(Tensor::from({{10.0}, {20.0}}));  // [2, 1] -> [2, 3]: every column
  EXPECT_THAT(dst.to_vector<double>(), ElementsAre(10, 10, 10, 20, 20, 20));
  dst.copy_(scalar_tensor(-1.0, kFloat64));  // 0-d -> everything
  EXPECT_THAT(dst.to_vector<double>(), ElementsAre(-1, -1, -1, -1, -1, -1));
  Tensor empty_dst = zeros(Shape{0, 3});
  empty_dst.copy_(Tensor::from({1.0, 2.0, 3.0}));  // nothing to write, but the shapes agree
  EXPECT_EQ(empty_dst.numel(), 0);
}

TEST(CopyInto, SourceThatDoesNotBroadcastIsAnError) {
  Tensor dst = zeros(Shape{2, 2});
  EXPECT_THROW_WITH_MESSAGE(
      dst.copy_(Tensor::from({1.0, 2.0, 3.0})),
      "copy_: cannot broadcast shape [3] to [2, 2]: dimension 1 has size 3, expected 2 or 1");
  EXPECT_THROW_WITH_MESSAGE(dst.copy_(zeros(Shape{3, 2, 2})),
                            "copy_: cannot broadcast shape [3, 2, 2] to [2, 2]: it has more "
                            "dimensions (3 > 2)");
  EXPECT_THROW_WITH_MESSAGE(zeros(Shape{0}).copy_(Tensor::from({1.0, 2.0})),
                            "copy_: cannot broadcast shape [2] to [0]");
}

TEST(CopyInto, FloatToIntegerTruncatesAndMapsNaNToZero) {
  Tensor dst = zeros(Shape{6}, kInt64);
  dst.copy_(Tensor::from({2.7, -2.7, 0.5, -0.5, kNaN, 1e30}));
  EXPECT_THAT(dst.to_vector<int64_t>(),
              ElementsAre(2, -2, 0, 0, 0, std::numeric_limits<int64_t>::max()));
  Tensor neg = zeros(Shape{2}, kInt64);
  neg.copy_(Tensor::from({-1e30, -kInf}));  // saturates at int64's limits
  EXPECT_THAT(neg.to_vector<int64_t>(), ElementsAre(std::numeric_limits<int64_t>::min(),
                                                    std::numeric_limits<int64_t>::min()));
}

TEST(CopyInto, ToUInt8WrapsLikePyTorch) {
  // Through int64, then modulo 256: 300 -> 44, -1 -> 255, 255.9 -> 255.
  Tensor dst = zeros(Shape{4}, kUInt8);
  dst.copy_(Tensor::from({300.0, -1.0, 255.9, kNaN}));
  EXPECT_THAT(dst.to_vector<int64_t>(), ElementsAre(44, 255, 255, 0));
  dst.copy_(Tensor::from({256, 511, -2, 7}));
  EXPECT_THAT(dst.to_vector<int64_t>(), ElementsAre(0, 255, 254, 7));
}

TEST(CopyInto, ToBoolIsNonZero) {
  Tensor dst = zeros(Shape{5}, kBool);
  dst.copy_(Tensor::from({0.0, -0.0, 0.1, kNaN, -kInf}));
  EXPECT_THAT(dst.to_vector<bool>(), ElementsAre(false, false, true, true, true));
  dst.copy_(Tensor::from({0, 2, -1, 0, 1}));
  EXPECT_THAT(dst.to_vector<bool>(), ElementsAre(false, true, true, false, true));
}

TEST(CopyInto, IntegerAndBoolToFloat) {
  Tensor dst = zeros(Shape{3}, kFloat32);
  dst.copy_(Tensor::from({-3, 0, 16777217}));  // 2^24 + 1 rounds to 2^24 in float32
  EXPECT_THAT(dst.to_vector<float>(), ElementsAre(-3.f, 0.f, 16777216.f));
  dst.copy_(Tensor::from({true, false, true}));
  EXPECT_THAT(dst.to_vector<float>(), ElementsAre(1.f, 0.f, 1.f));
  Tensor d = zeros(Shape{2}, kFloat64);
  d.copy_(Tensor::from({0.1f, -2.5f}));
  EXPECT_THAT(d.to_vector<double>(), ElementsAre(static_cast<double>(0.1f), -2.5));
}

TEST(CopyInto, StridedSourceAndDestination) {
  const Tensor src = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  // Into a transposed destination: dst viewed as [2, 3] with strides [1, 2] is dst^T.
  Tensor dst = zeros(Shape{3, 2}, kFloat64);
  dst.as_strided(Shape{2, 3}, Shape{1, 2}, 0).copy_(src);
  EXPECT_THAT(dst.to_vector<double>(), ElementsAre(1, 4, 2, 5, 3, 6));
  // From a transposed source, with conversion.
  Tensor i = zeros(Shape{3, 2}, kInt64);
  i.copy_(src.as_strided(Shape{3, 2}, Shape{1, 3}, 0));
  EXPECT_THAT(i.to_vector<int64_t>(), ElementsAre(1, 4, 2, 5, 3, 6));
  // Column 2 of src into column 0 of a 3 x 3 buffer.
  Tensor buf = zeros(Shape{3, 3}, kFloat64);
  buf.as_strided(Shape{2}, Shape{3}, 0).copy_(src.as_strided(Shape{2}, Shape{3}, 2));
  EXPECT_THAT(buf.to_vector<double>(), ElementsAre(3, 0, 0, 6, 0, 0, 0, 0, 0));
}

TEST(CopyInto, OverlappingSourceIsReadBeforeWriting) {
  // In-place transpose of a square matrix: element (0, 1) must not be overwritten before it is
  // read for (1, 0).
  Tensor m = Tensor::from({{1.0, 2.0}, {3.0, 4.0}});
  m.copy_(m.as_strided(Shape{2, 2}, Shape{1, 2}, 0));
  EXPECT_THAT(m.to_vector<double>(), ElementsAre(1, 3, 2, 4));
  // Shift right by one: a[1:] = a[:-1], then left: a[:-1] = a[1:].
  Tensor a = Tensor::from({1, 2, 3, 4, 5});
  a.as_strided(Shape{4}, Shape{1}, 1).copy_(a.as_strided(Shape{4}, Shape{1}, 0));
  EXPECT_THAT(a.to_vector<int64_t>(), ElementsAre(1, 1, 2, 3, 4));
  a.as_strided(Shape{4}, Shape{1}, 0).copy_(a.as_strided(Shape{4}, Shape{1}, 1));
  EXPECT_THAT(a.to_vector<int64_t>(), ElementsAre(1, 2, 3, 4, 4));
  // Reversed order through a negative stride.
  Tensor r = Tensor::from({1.0, 2.0, 3.0});
  r.copy_(r.as_strided(Shape{3}, Shape{-1}, 2));
  EXPECT_THAT(r.to_vector<double>(), ElementsAre(3, 2, 1));
  // A copy onto itself changes nothing; disjoint parts of one storage copy directly.
  m.copy_(m);
  EXPECT_THAT(m.to_vector<double>(), ElementsAre(1, 3, 2, 4));
  m.as_strided(Shape{2}, Shape{1}, 2).copy_(m.as_strided(Shape{2}, Shape{1}, 0));
  EXPECT_THAT(m.to_vector<double>(), ElementsAre(1, 3, 1, 3));
}

TEST(CopyInto, LargeNonContiguousCopyMatchesElementwise) {
  // 256 x 300 > the parallel grain: the transposed copy runs in chunks on several threads.
  const int64_t r = 256, c = 300;
  std::vector<float> values(static_cast<size_t>(r * c));
  for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<float>(k % 1000) - 0.5f;
  const Tensor src = Tensor::from(values, Shape{r, c});
  Tensor dst = zeros(Shape{c, r}, kFloat64);
  dst.copy_(src.as_strided(Shape{c, r}, Shape{1, c}, 0));
  const std::vector<double> got = dst.to_vector<double>();
  int64_t wrong = 0;
  for (int64_t i = 0; i < c; ++i)
    for (int64_t j = 0; j < r; ++j)
      wrong += got[static_cast<size_t>(i * r + j)] != values[static_cast<size_t>(j * c + i)];
  EXPECT_EQ(wrong, 0);
}

TEST(Fill, SetsEveryElementWithConversion) {
  Tensor f = zeros(Shape{2, 2}, kFloat32);
  f.fill_(1.25);
  EXPECT_THAT(f.to_vector<float>(), ElementsAre(1.25f, 1.25f, 1.25f, 1.25f));
  Tensor i = zeros(Shape{3}, kInt64);
  EXPECT_THAT(i.fill_(-2.9).to_vector<int64_t>(), ElementsAre(-2, -2, -2));
  EXPECT_THAT(i.fill_(kNaN).to_vector<int64_t>(), ElementsAre(0, 0, 0));
  Tensor b = zeros(Shape{2}, kBool);
  EXPECT_THAT(b.fill_(0.5).to_vector<bool>(), ElementsAre(true, true));
  EXPECT_THAT(b.zero_().to_vector<bool>(), ElementsAre(false, false));
  Tensor u = zeros(Shape{1}, kUInt8);
  EXPECT_EQ(u.fill_(300).item<uint8_t>(), 44);
  Tensor s = scalar_tensor(0.0, kFloat64);
  EXPECT_EQ(s.fill_(3.5).item(), 3.5);
}

TEST(Fill, ThroughAStridedViewWritesOnlyTheViewedElements) {
  Tensor t = zeros(Shape{3, 4}, kFloat64);
  t.as_strided(Shape{3}, Shape{4}, 1).fill_(7.0);  // column 1
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 7, 0, 0, 0, 7, 0, 0, 0, 7, 0, 0));
  t.as_strided(Shape{2, 2}, Shape{4, 2}, 4).fill_(-1.0);  // rows 1..2, columns 0 and 2
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 7, 0, 0, -1, 7, -1, 0, -1, 7, -1, 0));
  t.as_strided(Shape{}, Shape{}, 11).fill_(5.0);  // the last element only
  EXPECT_THAT(t.to_vector<double>(), ElementsAre(0, 7, 0, 0, -1, 7, -1, 0, -1, 7, -1, 5));
}

TEST(Fill, LargeStridedViewLeavesTheGapsAlone) {
  // Every other element of 200000 (above the parallel grain), as a [1000, 100] view.
  Tensor t = zeros(Shape{200000}, kFloat32);
  t.as_strided(Shape{1000, 100}, Shape{200, 2}, 1).fill_(2.0);
  const std::vector<float> v = t.to_vector<float>();
  int64_t wrong = 0;
  for (size_t k = 0; k < v.size(); ++k) wrong += v[k] != (k % 2 == 1 ? 2.0f : 0.0f);
  EXPECT_EQ(wrong, 0);
}

TEST(TensorSetData, EveryHandleSeesTheNewStorageAndDtype) {
  Tensor a = Tensor::from({1.0f, 2.0f});
  Tensor b = a;  // a second handle on the same TensorImpl
  a.set_data(Tensor::from({3.0, 4.0, 5.0}));
  EXPECT_EQ(b.dtype(), kFloat64);
  EXPECT_EQ(b.to_vector<double>(), (std::vector<double>{3.0, 4.0, 5.0}));
}

}  // namespace
}  // namespace athanor
