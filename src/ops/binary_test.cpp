// src/ops/binary_test.cpp: add, sub, mul, div, pow, maximum and minimum over broadcast shapes
// (size-1, size-0 and 0-d operands): values against direct computation, gradient checks of both
// operands, non-contiguous operands and thread-count independence. Dtype promotion, scalars,
// operators and the special cases of pow and maximum are in binary_dtype_test.cpp.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/shape.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_uniform;

struct BinaryCase {
  const char* name;
  Tensor (*op)(const Tensor&, const Tensor&);
  double (*reference)(double, double);
  double a_lo, a_hi, b_lo, b_hi;  // domains away from poles and ties
};

void PrintTo(const BinaryCase& c, std::ostream* os) { *os << c.name; }

// The pow case reads pow(a, b) with a > 0, so the exponent's gradient a^b log(a) is defined.
const BinaryCase kCases[] = {
    {"add", &add, [](double a, double b) { return a + b; }, -3, 3, -3, 3},
    {"sub", &sub, [](double a, double b) { return a - b; }, -3, 3, -3, 3},
    {"mul", &mul, [](double a, double b) { return a * b; }, -3, 3, -3, 3},
    {"div", &div, [](double a, double b) { return a / b; }, -3, 3, 0.5, 3},
    {"pow", [](const Tensor& a, const Tensor& b) { return pow(a, b); },
     [](double a, double b) { return std::pow(a, b); }, 0.5, 3, -2, 2},
    {"maximum", &maximum, [](double a, double b) { return a > b ? a : b; }, -3, 3, -3, 3},
    {"minimum", &minimum, [](double a, double b) { return a < b ? a : b; }, -3, 3, -3, 3},
};

// op's result on every broadcast pair of elements, computed with explicit indices.
Tensor reference(const BinaryCase& c, const Tensor& a, const Tensor& b) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "reference");
  const std::vector<double> va = a.expand(shape).contiguous().to_vector<double>();
  const std::vector<double> vb = b.expand(shape).contiguous().to_vector<double>();
  std::vector<double> out(va.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = c.reference(va[i], vb[i]);
  const DType t = c.name == std::string("div") || c.name == std::string("pow")
                      ? (is_floating(a.dtype()) ? a.dtype() : kFloat32)
                      : a.dtype();
  return Tensor::from(out, shape, t);
}

struct ShapePair {
  Shape a, b, result;
};

const ShapePair kShapes[] = {
    {{2, 3}, {2, 3}, {2, 3}},
    {{3, 1}, {1, 4}, {3, 4}},
    {{2, 3}, {}, {2, 3}},
    {{}, {2, 3}, {2, 3}},
    {{2, 3}, {3}, {2, 3}},
    {{2, 1, 3}, {4, 1}, {2, 4, 3}},
    {{}, {}, {}},
    {{0, 3}, {1, 3}, {0, 3}},
    {{2, 0}, {2, 1}, {2, 0}},
    {{1}, {0}, {0}},
};

class BinaryOps : public ::testing::TestWithParam<BinaryCase> {};

INSTANTIATE_TEST_SUITE_P(All, BinaryOps, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_P(BinaryOps, BroadcastValuesMatchElementwiseComputation) {
  const BinaryCase& c = GetParam();
  for (const ShapePair& s : kShapes) {
    SCOPED_TRACE(to_string(s.a) + " op " + to_string(s.b));
    const Tensor a = random_uniform(s.a, c.a_lo, c.a_hi, 41);
    const Tensor b = random_uniform(s.b, c.b_lo, c.b_hi, 42);
    const Tensor y = c.op(a, b);
    EXPECT_EQ(y.shape(), s.result);
    EXPECT_EQ(y.dtype(), kFloat64);
    EXPECT_TENSOR_NEAR(y, reference(c, a, b), 1e-14);
  }
}

TEST_P(BinaryOps, Float32ValuesMatchToFloatPrecision) {
  const BinaryCase& c = GetParam();
  const Tensor a = to(random_uniform({3, 5}, c.a_lo, c.a_hi, 43), kFloat32);
  const Tensor b = to(random_uniform({5}, c.b_lo, c.b_hi, 44), kFloat32);
  const Tensor y = c.op(a, b);
  EXPECT_EQ(y.dtype(), kFloat32);
  // The largest magnitude is 3^2 or 3 / 0.5 = 6..9, whose float32 spacing is 1e-6.
  EXPECT_TENSOR_NEAR(y, reference(c, a, b), 4e-6);
}

TEST_P(BinaryOps, GradientsOfBothOperandsUnderBroadcasting) {
  const BinaryCase& c = GetParam();
  for (const ShapePair& s : kShapes) {
    if (s.result.numel() == 0) continue;  // nothing to differentiate; see EmptyBroadcast below
    SCOPED_TRACE(to_string(s.a) + " op " + to_string(s.b));
    expect_gradients_match_finite_differences(
        [&c](const std::vector<Tensor>& in) { return c.op(in[0], in[1]); },
        {random_uniform(s.a, c.a_lo, c.a_hi, 45), random_uniform(s.b, c.b_lo, c.b_hi, 46)});
  }
}

TEST_P(BinaryOps, EmptyBroadcastGivesEmptyGradientsOfTheInputShapes) {
  const BinaryCase& c = GetParam();
  Tensor a = random_uniform({1, 3}, c.a_lo, c.a_hi, 47).set_requires_grad();
  Tensor b = random_uniform({0, 1}, c.b_lo, c.b_hi, 48).set_requires_grad();
  const Tensor y = c.op(a, b);
  ASSERT_EQ(y.shape(), (Shape{0, 3}));
  y.backward(zeros({0, 3}, kFloat64));
  // a's gradient sums over an empty dimension: zeros of a's shape.
  EXPECT_TENSOR_EQ(a.grad(), zeros({1, 3}, kFloat64));
  EXPECT_EQ(b.grad().shape(), (Shape{0, 1}));
}

TEST_P(BinaryOps, GradientsThroughTransposedSlicedAndExpandedOperands) {
  const BinaryCase& c = GetParam();
  // a: [4, 3] seen as [3, 4]; b: [3, 8] sliced to every other column; row: [4] expanded to [3, 4].
  const auto f = [&c](const std::vector<Tensor>& in) {
    return c.op(c.op(in[0].t(), in[1].slice(1, 0, 8, 2)), in[2].expand({3, 4}));
  };
  // Nesting needs a's domain for op(a, b) as the first operand of the outer op: for pow the
  // inner result a^b with a in [0.5, 3] and b in [-2, 2] stays positive.
  expect_gradients_match_finite_differences(
      f, {random_uniform({4, 3}, c.a_lo, c.a_hi, 49), random_uniform({3, 8}, c.b_lo, c.b_hi, 50),
          random_uniform({4}, c.b_lo, c.b_hi, 51)});
}

TEST_P(BinaryOps, NonContiguousOperandsGiveTheContiguousResult) {
  const BinaryCase& c = GetParam();
  const Tensor a = random_uniform({4, 3}, c.a_lo, c.a_hi, 52).t();
  const Tensor b = random_uniform({3, 8}, c.b_lo, c.b_hi, 53).slice(1, 0, 8, 2);
  const Tensor row = random_uniform({1, 4}, c.b_lo, c.b_hi, 54).expand({3, 4});
  ASSERT_FALSE(a.is_contiguous() || b.is_contiguous() || row.is_contiguous());
  EXPECT_TENSOR_EQ(c.op(a, b), c.op(a.contiguous(), b.contiguous()));
  EXPECT_TENSOR_EQ(c.op(a, row), c.op(a.contiguous(), row.contiguous()));
  EXPECT_TENSOR_EQ(c.op(b, a), c.op(b.contiguous(), a.contiguous()));
  EXPECT_TENSOR_NEAR(c.op(a, b), reference(c, a, b), 1e-14);
}

TEST_P(BinaryOps, MismatchedShapesAreReported) {
  const BinaryCase& c = GetParam();
  EXPECT_THROW_WITH_MESSAGE(c.op(zeros({2, 3}, kFloat64), zeros({4}, kFloat64)),
                            std::string(c.name) +
                                ": shapes [2, 3] and [4] cannot be broadcast: dimension -1 is 3 "
                                "and 4; expected equal sizes or a size of 1");
}

TEST_P(BinaryOps, LargeTensorsGiveTheSameResultOnOneAndTwoThreads) {
  // 334 x 301 = 100534 elements, above the 32768 at which loops split; operands contiguous,
  // transposed, broadcast as a row and as a 0-d scalar.
  const BinaryCase& c = GetParam();
  const Tensor a = random_uniform({334, 301}, c.a_lo, c.a_hi, 55);
  const Tensor bt = random_uniform({301, 334}, c.b_lo, c.b_hi, 56).t();
  const Tensor row = random_uniform({301}, c.b_lo, c.b_hi, 57);
  const Tensor scalar = random_uniform({}, c.b_lo, c.b_hi, 58);
  for (const Tensor& b : {bt.contiguous(), bt, row, scalar}) {
    Tensor y[2];
    for (int threads : {1, 2}) {
      ScopedNumThreads t(threads);
      y[threads - 1] = c.op(a, b);
    }
    EXPECT_TENSOR_EQ(y[0], y[1]);
    EXPECT_TENSOR_NEAR(y[1], reference(c, a, b), 1e-14);
  }
}

}  // namespace
}  // namespace athanor
