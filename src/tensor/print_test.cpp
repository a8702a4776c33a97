// src/tensor/print_test.cpp: to_string and operator<< against exact strings, matching what
// PyTorch prints for the same values (torch/_tensor_str.py, default print options), followed by
// the shape and dtype.
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/tensor/tensor.h>

namespace athanor {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// An int64 tensor holding 0 .. n-1 in the given shape.
Tensor iota(const Shape& shape) {
  std::vector<int64_t> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i);
  return Tensor::from(v, shape);
}

TEST(Print, WholeFloatsInAMatrix) {
  EXPECT_EQ(to_string(Tensor::from({{1.0, 2.0}, {3.0, 4.0}})),
            "tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2], dtype=float64)");
  // Right-aligned to the widest entry; zero counts as whole.
  EXPECT_EQ(to_string(Tensor::from({0.0f, 100.0f, -3.0f})),
            "tensor([  0., 100.,  -3.], shape=[3], dtype=float32)");
  EXPECT_EQ(to_string(zeros(Shape{3})), "tensor([0., 0., 0.], shape=[3], dtype=float32)");
}

TEST(Print, FixedFourDecimals) {
  EXPECT_EQ(to_string(Tensor::from({0.5, -1.25, 3.14159})),
            "tensor([ 0.5000, -1.2500,  3.1416], shape=[3], dtype=float64)");
  EXPECT_EQ(to_string(Tensor::from({{0.125f, 10.5f}, {-7.0f, 0.0f}})),
            "tensor([[ 0.1250, 10.5000],\n"
            "        [-7.0000,  0.0000]], shape=[2, 2], dtype=float32)");
}

TEST(Print, ScientificForTinyHugeOrWideRanges) {
  // Smallest nonzero magnitude below 1e-4.
  EXPECT_EQ(to_string(Tensor::from({1e-5, 1.0})),
            "tensor([1.0000e-05, 1.0000e+00], shape=[2], dtype=float64)");
  // Whole numbers spanning more than 1000x.
  EXPECT_EQ(to_string(Tensor::from({1.0, 1e5})),
            "tensor([1.0000e+00, 1.0000e+05], shape=[2], dtype=float64)");
  // Whole numbers above 1e8.
  EXPECT_EQ(to_string(Tensor::from({2e8})), "tensor([2.0000e+08], shape=[1], dtype=float64)");
  EXPECT_EQ(to_string(Tensor::from({{1e-5, -2.0}, {300.0, 4.0}})),
            "tensor([[ 1.0000e-05, -2.0000e+00],\n"
            "        [ 3.0000e+02,  4.0000e+00]], shape=[2, 2], dtype=float64)");
  // At the boundaries the fixed / whole formats stay.
  EXPECT_EQ(to_string(Tensor::from({1.0, 1000.0})),
            "tensor([   1., 1000.], shape=[2], dtype=float64)");
  EXPECT_EQ(to_string(Tensor::from({1e-4, 0.05})),
            "tensor([0.0001, 0.0500], shape=[2], dtype=float64)");
}

TEST(Print, NonFiniteValues) {
  // Only finite nonzero values choose the format and the width.
  EXPECT_EQ(to_string(Tensor::from({1.0, kNaN, kInf, -kInf})),
            "tensor([1., nan, inf, -inf], shape=[4], dtype=float64)");
  EXPECT_EQ(to_string(Tensor::from({0.5, kNaN})),
            "tensor([0.5000,    nan], shape=[2], dtype=float64)");
  EXPECT_EQ(to_string(Tensor::from({kNaN, 0.0})), "tensor([nan, 0.], shape=[2], dtype=float64)");
}

TEST(Print, Integers) {
  EXPECT_EQ(to_string(Tensor::from({1, -20, 300})),
            "tensor([  1, -20, 300], shape=[3], dtype=int64)");
  EXPECT_EQ(to_string(Tensor::from<uint8_t>({0, 255})),
            "tensor([  0, 255], shape=[2], dtype=uint8)");
  // Beyond 2^53, where a double would round.
  EXPECT_EQ(to_string(Tensor::from({int64_t{9007199254740993}})),
            "tensor([9007199254740993], shape=[1], dtype=int64)");
}

TEST(Print, Booleans) {
  EXPECT_EQ(to_string(Tensor::from({true, false})),
            "tensor([ True, False], shape=[2], dtype=bool)");
  EXPECT_EQ(to_string(Tensor::from({{true}, {true}})),
            "tensor([[True],\n        [True]], shape=[2, 1], dtype=bool)");
}

TEST(Print, ZeroDimensional) {
  EXPECT_EQ(to_string(scalar_tensor(2.5)), "tensor(2.5000, shape=[], dtype=float32)");
  EXPECT_EQ(to_string(scalar_tensor(-3.0, kFloat64)), "tensor(-3., shape=[], dtype=float64)");
  EXPECT_EQ(to_string(scalar_tensor(7, kInt64)), "tensor(7, shape=[], dtype=int64)");
  EXPECT_EQ(to_string(scalar_tensor(1, kBool)), "tensor(True, shape=[], dtype=bool)");
}

TEST(Print, Empty) {
  EXPECT_EQ(to_string(zeros(Shape{0})), "tensor([], shape=[0], dtype=float32)");
  EXPECT_EQ(to_string(zeros(Shape{2, 0}, kInt64)), "tensor([], shape=[2, 0], dtype=int64)");
  EXPECT_EQ(to_string(zeros(Shape{0, 3})), "tensor([], shape=[0, 3], dtype=float32)");
}

TEST(Print, ThreeDimensionsSeparateBlocksWithABlankLine) {
  EXPECT_EQ(to_string(Tensor::from({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}})),
            "tensor([[[1, 2],\n"
            "         [3, 4]],\n"
            "\n"
            "        [[5, 6],\n"
            "         [7, 8]]], shape=[2, 2, 2], dtype=int64)");
}

TEST(Print, LongRowsWrapAtEightyColumns) {
  // Entries are 6 wide plus ", ": (80 - 7) / 8 = 9 per line.
  std::vector<double> v;
  for (int i = 0; i < 20; ++i) v.push_back(0.5 * i);
  EXPECT_EQ(to_string(Tensor::from(v, Shape{20})),
            "tensor([0.0000, 0.5000, 1.0000, 1.5000, 2.0000, 2.5000, 3.0000, 3.5000, 4.0000,\n"
            "        4.5000, 5.0000, 5.5000, 6.0000, 6.5000, 7.0000, 7.5000, 8.0000, 8.5000,\n"
            "        9.0000, 9.5000], shape=[20], dtype=float64)");
}

TEST(Print, SummarizesAboveAThousandElements) {
  EXPECT_EQ(to_string(iota(Shape{1000})).find("..."), std::string::npos);  // exactly 1000: all
  EXPECT_EQ(to_string(iota(Shape{2000})),
            "tensor([   0,    1,    2,  ..., 1997, 1998, 1999], shape=[2000], dtype=int64)");
  EXPECT_EQ(to_string(iota(Shape{40, 30})),
            "tensor([[   0,    1,    2,  ...,   27,   28,   29],\n"
            "        [  30,   31,   32,  ...,   57,   58,   59],\n"
            "        [  60,   61,   62,  ...,   87,   88,   89],\n"
            "        ...,\n"
            "        [1110, 1111, 1112,  ..., 1137, 1138, 1139],\n"
            "        [1140, 1141, 1142,  ..., 1167, 1168, 1169],\n"
            "        [1170, 1171, 1172,  ..., 1197, 1198, 1199]], shape=[40, 30], dtype=int64)");
  // A short dimension is shown whole, a long one summarized.
  EXPECT_EQ(to_string(iota(Shape{2, 600})),
            "tensor([[   0,    1,    2,  ...,  597,  598,  599],\n"
            "        [ 600,  601,  602,  ..., 1197, 1198, 1199]], shape=[2, 600], dtype=int64)");
}

TEST(Print, SummarizedFormatDependsOnlyOnShownEntries) {
  // A hidden 0.5 would switch the whole numbers 1000 .. 2999 to scientific notation (a range
  // over 1000x) if it were shown.
  std::vector<double> v(2000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = 1000.0 + static_cast<double>(i);
  v[1000] = 0.5;
  EXPECT_EQ(to_string(Tensor::from(v, Shape{2000})),
            "tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.], shape=[2000], "
            "dtype=float64)");
  v[1] = 0.5;  // shown now
  EXPECT_EQ(to_string(Tensor::from(v, Shape{2000})),
            "tensor([1.0000e+03, 5.0000e-01, 1.0020e+03,  ..., 2.9970e+03, 2.9980e+03,\n"
            "        2.9990e+03], shape=[2000], dtype=float64)");
}

TEST(Print, NonContiguousViewsPrintTheirOwnLayout) {
  const Tensor t = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_EQ(to_string(t.as_strided(Shape{3, 2}, Shape{1, 3}, 0)),
            "tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]], shape=[3, 2], "
            "dtype=float64)");
  EXPECT_EQ(to_string(t.as_strided(Shape{2}, Shape{3}, 2)),
            "tensor([3., 6.], shape=[2], dtype=float64)");
}

TEST(Print, UndefinedStreamAndFmt) {
  EXPECT_EQ(to_string(Tensor()), "tensor(undefined)");
  std::ostringstream os;
  os << Tensor::from({1, 2});
  EXPECT_EQ(os.str(), "tensor([1, 2], shape=[2], dtype=int64)");
  EXPECT_EQ(fmt::format("x = {}", Tensor::from({true})),
            "x = tensor([True], shape=[1], dtype=bool)");
}

}  // namespace
}  // namespace athanor
