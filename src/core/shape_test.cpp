// src/core/shape_test.cpp: Shape storage and editing, printing, normalize_dim, broadcast_shapes
// and contiguous_strides.
#include <functional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/core/error.h>
#include <athanor/core/shape.h>

#include "testing/expect_error.h"

namespace athanor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::error_message;

TEST(Shape, DefaultIsTheScalarShape) {
  const Shape s;
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.size(), 0);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.numel(), 1);  // a 0-d tensor holds one element
  EXPECT_EQ(to_string(s), "[]");
}

TEST(Shape, ConstructorsAgree) {
  const std::vector<int64_t> dims{2, 3, 4};
  const Shape from_list{2, 3, 4};
  const Shape from_vector(dims);
  const Shape from_span{std::span<const int64_t>(dims)};
  EXPECT_EQ(from_list, from_vector);
  EXPECT_EQ(from_list, from_span);
  EXPECT_EQ(from_list.rank(), 3);
  EXPECT_EQ(from_list[0], 2);
  EXPECT_EQ(from_list[2], 4);
  EXPECT_EQ(from_list.back(), 4);
  EXPECT_THAT(from_list.to_vector(), ElementsAre(2, 3, 4));
  EXPECT_EQ(std::vector<int64_t>(from_list.begin(), from_list.end()), dims);
}

TEST(Shape, NumelIsTheProductAndZeroWithAnEmptyDimension) {
  EXPECT_EQ((Shape{2, 3, 4}).numel(), 24);
  EXPECT_EQ((Shape{7}).numel(), 7);
  EXPECT_EQ((Shape{2, 0, 4}).numel(), 0);
}

TEST(Shape, EqualityComparesRankAndSizes) {
  EXPECT_EQ((Shape{2, 3}), (Shape{2, 3}));
  EXPECT_FALSE((Shape{2, 3}) == (Shape{3, 2}));
  EXPECT_FALSE((Shape{2, 3}) == (Shape{2, 3, 1}));
  EXPECT_FALSE((Shape{}) == (Shape{1}));
}

TEST(Shape, PushBackInsertEraseResize) {
  Shape s{2, 3};
  s.push_back(4);
  EXPECT_EQ(s, (Shape{2, 3, 4}));
  s.insert(0, 1);
  EXPECT_EQ(s, (Shape{1, 2, 3, 4}));
  s.insert(2, 9);
  EXPECT_EQ(s, (Shape{1, 2, 9, 3, 4}));
  s.insert(5, 8);  // at the end
  EXPECT_EQ(s, (Shape{1, 2, 9, 3, 4, 8}));
  s.erase(2);
  EXPECT_EQ(s, (Shape{1, 2, 3, 4, 8}));
  s.erase(0);
  EXPECT_EQ(s, (Shape{2, 3, 4, 8}));
  s.erase(3);
  EXPECT_EQ(s, (Shape{2, 3, 4}));
  s.resize(5, 7);
  EXPECT_EQ(s, (Shape{2, 3, 4, 7, 7}));
  s.resize(1);
  EXPECT_EQ(s, (Shape{2}));
  s[0] = 5;
  EXPECT_EQ(s, (Shape{5}));
}

TEST(Shape, PrintsLikeAList) {
  EXPECT_EQ(to_string(Shape{32, 784}), "[32, 784]");
  EXPECT_EQ(to_string(Shape{5}), "[5]");
  EXPECT_EQ(to_string(Shape{2, 0, 1}), "[2, 0, 1]");
  EXPECT_EQ(fmt::format("shape {}", Shape{3, 4}), "shape [3, 4]");
}

TEST(Shape, EightDimensionsAreAllowed) {
  const Shape s{1, 2, 1, 2, 1, 2, 1, 2};
  EXPECT_EQ(s.rank(), Shape::kMaxDims);
  EXPECT_EQ(s.numel(), 16);
}

TEST(Shape, MoreThanEightDimensionsIsAnError) {
  EXPECT_EQ(error_message([] { Shape s{1, 2, 3, 4, 5, 6, 7, 8, 9}; }),
            "shape: at most 8 dimensions are supported; cannot add a 9th dimension to "
            "[1, 2, 3, 4, 5, 6, 7, 8]");
  Shape full{1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_THAT(error_message([&] { full.push_back(2); }),
              HasSubstr("shape: at most 8 dimensions are supported"));
  EXPECT_THAT(error_message([&] { full.insert(0, 2); }),
              HasSubstr("cannot add a 9th dimension to [1, 1, 1, 1, 1, 1, 1, 1]"));
  EXPECT_EQ(full.rank(), 8);  // unchanged by the failed edits
  EXPECT_EQ(error_message([&] { full.resize(9); }),
            "shape: cannot resize to 9 dimensions: expected 0 to 8");
  EXPECT_EQ(error_message([&] { full.resize(-1); }),
            "shape: cannot resize to -1 dimensions: expected 0 to 8");
  const std::vector<int64_t> nine(9, 1);
  EXPECT_THAT(error_message([&] { Shape s(nine); }),
              HasSubstr("at most 8 dimensions are supported"));
}

TEST(NormalizeDim, PositiveAndNegativeIndices) {
  EXPECT_EQ(normalize_dim(0, 3, "op"), 0);
  EXPECT_EQ(normalize_dim(2, 3, "op"), 2);
  EXPECT_EQ(normalize_dim(-1, 3, "op"), 2);
  EXPECT_EQ(normalize_dim(-3, 3, "op"), 0);
}

TEST(NormalizeDim, ScalarAcceptsZeroAndMinusOne) {
  // Like PyTorch, a 0-d tensor accepts dim 0 and -1 (both meaning "the" dimension).
  EXPECT_EQ(normalize_dim(0, 0, "op"), 0);
  EXPECT_EQ(normalize_dim(-1, 0, "op"), 0);
  EXPECT_EQ(error_message([] { normalize_dim(1, 0, "sum"); }),
            "sum: dimension 1 is out of range for a tensor of 0 dimensions (valid: -1 to 0)");
}

TEST(NormalizeDim, OutOfRangeNamesTheOpAndTheValidRange) {
  EXPECT_EQ(error_message([] { normalize_dim(3, 2, "sum"); }),
            "sum: dimension 3 is out of range for a tensor of 2 dimensions (valid: -2 to 1)");
  EXPECT_EQ(error_message([] { normalize_dim(-3, 2, "softmax"); }),
            "softmax: dimension -3 is out of range for a tensor of 2 dimensions (valid: -2 to 1)");
}

TEST(BroadcastShapes, EqualShapesAndSizeOneDimensions) {
  EXPECT_EQ(broadcast_shapes(Shape{2, 3}, Shape{2, 3}, "op"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes(Shape{2, 1}, Shape{1, 3}, "op"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes(Shape{4, 1, 5}, Shape{3, 1}, "op"), (Shape{4, 3, 5}));
  EXPECT_EQ(broadcast_shapes(Shape{3}, Shape{2, 1, 1}, "op"), (Shape{2, 1, 3}));
}

TEST(BroadcastShapes, ScalarShapeBroadcastsToAnything) {
  EXPECT_EQ(broadcast_shapes(Shape{}, Shape{2, 3}, "op"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes(Shape{2, 3}, Shape{}, "op"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes(Shape{}, Shape{}, "op"), (Shape{}));
}

TEST(BroadcastShapes, SizeZeroDimensions) {
  // 0 pairs with 0 or 1 (giving 0), like any other size; it does not act as a wildcard.
  EXPECT_EQ(broadcast_shapes(Shape{0}, Shape{1}, "op"), (Shape{0}));
  EXPECT_EQ(broadcast_shapes(Shape{2, 1}, Shape{0}, "op"), (Shape{2, 0}));
  EXPECT_EQ(broadcast_shapes(Shape{0, 3}, Shape{0, 3}, "op"), (Shape{0, 3}));
  EXPECT_EQ(broadcast_shapes(Shape{}, Shape{0}, "op"), (Shape{0}));
  EXPECT_EQ(error_message([] { broadcast_shapes(Shape{0}, Shape{3}, "mul"); }),
            "mul: shapes [0] and [3] cannot be broadcast: dimension -1 is 0 and 3; expected "
            "equal sizes or a size of 1");
}

TEST(BroadcastShapes, MismatchNamesTheOpShapesAndDimension) {
  EXPECT_EQ(error_message([] {
              broadcast_shapes(Shape{2, 3}, Shape{4}, "add");
            }),
            "add: shapes [2, 3] and [4] cannot be broadcast: dimension -1 is 3 and 4; expected "
            "equal sizes or a size of 1");
  // The dimension counts from the end, so it is meaningful for both operands.
  EXPECT_THAT(error_message([] {
                broadcast_shapes(Shape{2, 3, 4}, Shape{5, 4}, "where");
              }),
              HasSubstr("where: shapes [2, 3, 4] and [5, 4] cannot be broadcast: dimension -2 "
                        "is 3 and 5"));
}

TEST(ContiguousStrides, RowMajor) {
  EXPECT_EQ(contiguous_strides(Shape{2, 3, 4}), (Shape{12, 4, 1}));
  EXPECT_EQ(contiguous_strides(Shape{5}), (Shape{1}));
  EXPECT_EQ(contiguous_strides(Shape{}), (Shape{}));
  EXPECT_EQ(contiguous_strides(Shape{3, 1, 2}), (Shape{2, 2, 1}));
}

TEST(ContiguousStrides, SizeZeroDimensionsCountAsOne) {
  // As in PyTorch (torch.empty(2, 0, 3).stride() == (3, 3, 1)): strides stay positive.
  EXPECT_EQ(contiguous_strides(Shape{2, 0, 3}), (Shape{3, 3, 1}));
  EXPECT_EQ(contiguous_strides(Shape{0}), (Shape{1}));
}

}  // namespace
}  // namespace athanor
