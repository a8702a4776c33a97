// src/ops/matmul_test.cpp: matmul in every rank combination, batch broadcasting, strided operands,
// float32 (oneDNN) against a float64 reference, int64, empty sizes, errors and gradients, and the
// same bits at 2 threads as at 1.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

// The product of 2-D a [M, K] and b [K, N] by the textbook triple loop, in double.
Tensor reference_2d(const Tensor& a, const Tensor& b) {
  const int64_t M = a.shape(0), K = a.shape(1), N = b.shape(1);
  const auto av = a.to_vector<double>(), bv = b.to_vector<double>();
  std::vector<double> c(static_cast<size_t>(M * N), 0.0);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k)
        c[static_cast<size_t>(m * N + n)] +=
            av[static_cast<size_t>(m * K + k)] * bv[static_cast<size_t>(k * N + n)];
  return Tensor::from(c, Shape{M, N});
}

// Batched reference for 3-D a [B or 1, M, K] and b [B or 1, K, N].
Tensor reference_3d(const Tensor& a, const Tensor& b) {
  const int64_t B = std::max(a.shape(0), b.shape(0));
  std::vector<Tensor> out;
  for (int64_t i = 0; i < B; ++i) {
    out.push_back(
        reference_2d(a.select(0, a.shape(0) == 1 ? 0 : i), b.select(0, b.shape(0) == 1 ? 0 : i))
            .unsqueeze(0));
  }
  std::vector<double> flat;
  for (const Tensor& t : out) {
    const auto v = t.to_vector<double>();
    flat.insert(flat.end(), v.begin(), v.end());
  }
  return Tensor::from(flat, Shape{B, a.shape(1), b.shape(2)});
}

// |actual - expected| <= rtol * max|expected| elementwise (a relative bound for float32 sums).
::testing::AssertionResult relatively_close(const Tensor& actual, const Tensor& expected,
                                            double rtol) {
  const double scale = std::max(1.0, max(abs(expected.to(kFloat64))).item());
  return testing::tensors_near(actual.to(kFloat64), expected.to(kFloat64), rtol * scale);
}

TEST(Matmul, VectorAndMatrixCombinations) {
  const Tensor v3 = Tensor::from({1.0, 2.0, 3.0});
  EXPECT_TENSOR_EQ(matmul(v3, Tensor::from({4.0, 5.0, 6.0})), scalar_tensor(32.0, kFloat64));
  const Tensor m23 = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  // [1, 2] . m23 = [1 + 8, 2 + 10, 3 + 12].
  EXPECT_TENSOR_EQ(matmul(Tensor::from({1.0, 2.0}), m23), Tensor::from({9.0, 12.0, 15.0}));
  // m23 . [1, 0, -1] = [1 - 3, 4 - 6].
  EXPECT_TENSOR_EQ(matmul(m23, Tensor::from({1.0, 0.0, -1.0})), Tensor::from({-2.0, -2.0}));
  EXPECT_TENSOR_EQ(
      matmul(Tensor::from({{1.0, 2.0}, {3.0, 4.0}}), Tensor::from({{5.0, 6.0}, {7.0, 8.0}})),
      Tensor::from({{19.0, 22.0}, {43.0, 50.0}}));
}

TEST(Matmul, Int64IsExact) {
  EXPECT_TENSOR_EQ(matmul(Tensor::from({{1, 2}, {3, 4}}), Tensor::from({{5, 6}, {7, 8}})),
                   Tensor::from({{19, 22}, {43, 50}}));
  const int64_t big = int64_t{1} << 30;  // the product exceeds 2^53, where float64 rounds
  const Tensor a = Tensor::from(std::vector<int64_t>{big, 1}, Shape{1, 2});
  const Tensor b = Tensor::from(std::vector<int64_t>{big + 1, 3}, Shape{2, 1});
  EXPECT_EQ(matmul(a, b).item<int64_t>(), big * (big + 1) + 3);
  EXPECT_TENSOR_EQ(matmul(Tensor::from({1, 2}), Tensor::from({3, 4})), scalar_tensor(11, kInt64));
  // Strided and broadcast int64 operands take the reference loop's strided path.
  const Tensor m = Tensor::from({{1, -2, 3}, {4, 5, -6}});
  EXPECT_TENSOR_EQ(matmul(m.t(), m), Tensor::from({{17, 18, -21}, {18, 29, -36}, {-21, -36, 45}}));
  EXPECT_TENSOR_EQ(matmul(m.unsqueeze(0).expand({2, 2, 3}), m.t()),
                   Tensor::from({{14, -24}, {-24, 77}}).unsqueeze(0).expand({2, 2, 2}));
}

TEST(Matmul, BatchedAndBroadcastBatches) {
  const Tensor a = random_normal({4, 2, 3}, 1), b = random_normal({4, 3, 5}, 2);
  EXPECT_TENSOR_NEAR(matmul(a, b), reference_3d(a, b), 1e-12);
  const Tensor a1 = random_normal({1, 2, 3}, 3);
  EXPECT_TENSOR_NEAR(matmul(a1, b), reference_3d(a1, b), 1e-12);  // [1, M, K] x [B, K, N]
  const Tensor b1 = random_normal({1, 3, 5}, 4);
  EXPECT_TENSOR_NEAR(matmul(a, b1), reference_3d(a, b1), 1e-12);  // [B, M, K] x [1, K, N]
  // 3-D x 2-D and 2-D x 3-D: the matrix is shared by every batch.
  const Tensor m = random_normal({3, 5}, 5);
  EXPECT_TENSOR_NEAR(matmul(a, m), reference_3d(a, m.unsqueeze(0)), 1e-12);
  const Tensor l = random_normal({2, 3}, 6);
  EXPECT_TENSOR_NEAR(matmul(l, b), reference_3d(l.unsqueeze(0), b), 1e-12);
  // 1-D x 3-D and 3-D x 1-D remove the vector's dimension.
  const Tensor v = random_normal({3}, 7);
  EXPECT_TENSOR_NEAR(matmul(v, b), reference_3d(v.reshape({1, 1, 3}), b).squeeze(1), 1e-12);
  EXPECT_TENSOR_NEAR(matmul(a, v), reference_3d(a, v.reshape({1, 3, 1})).squeeze(2), 1e-12);
}

TEST(Matmul, FourDimensionalBatchesBroadcast) {
  const Tensor a = random_normal({2, 1, 3, 4}, 8), b = random_normal({1, 3, 4, 2}, 9);
  const Tensor c = matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{2, 3, 3, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      EXPECT_TENSOR_NEAR(c.select(0, i).select(0, j),
                         reference_2d(a.select(0, i).select(0, 0), b.select(0, 0).select(0, j)),
                         1e-12);
  // A missing leading batch dimension broadcasts too: [3, 4, 2] against [2, 1, 3, 4].
  const Tensor b3 = random_normal({3, 4, 2}, 10);
  EXPECT_TENSOR_NEAR(matmul(a, b3), matmul(a.expand({2, 3, 3, 4}), b3.expand({2, 3, 4, 2})), 1e-12);
  EXPECT_EQ(matmul(random_normal({5, 1, 2, 3}), random_normal({4, 3, 6})).shape(),
            (Shape{5, 4, 2, 6}));
}

TEST(Matmul, StridedOperandsMatchContiguousOnes) {
  for (DType dt : {kFloat64, kFloat32}) {
    const Tensor a = random_normal({5, 4}, 11).to(dt), b = random_normal({6, 5}, 12).to(dt);
    const double tol = dt == kFloat64 ? 1e-12 : 1e-5;
    // a.t() and b.t() are transposed views, not copies.
    EXPECT_TENSOR_NEAR(matmul(a.t(), b.t()), matmul(a.t().contiguous(), b.t().contiguous()), tol);
    const Tensor stepped = random_normal({4, 10}, 13).to(dt).slice(1, 0, 10, 2);  // [4, 5]
    EXPECT_TENSOR_NEAR(matmul(stepped, a), matmul(stepped.contiguous(), a), tol);
    // Batches with both matrix dimensions strided, and expanded (stride 0) operands.
    const Tensor a3 = random_normal({3, 4, 5}, 14).to(dt).permute({2, 0, 1});  // [5, 3, 4]
    const Tensor b3 = random_normal({5, 4, 2}, 15).to(dt);
    EXPECT_TENSOR_NEAR(matmul(a3, b3), matmul(a3.contiguous(), b3), tol);
    // Batch stride smaller than a matrix (the batch is the middle dimension in memory).
    const Tensor mid = random_normal({4, 3, 5}, 26).to(dt).permute({1, 0, 2});  // [3, 4, 5]
    const Tensor bm = random_normal({3, 5, 2}, 27).to(dt);
    EXPECT_TENSOR_NEAR(matmul(mid, bm), matmul(mid.contiguous(), bm), tol);
    const Tensor col = random_normal({5, 1}, 16).to(dt);
    EXPECT_TENSOR_NEAR(matmul(a.t(), col.expand({5, 3})),
                       matmul(a.t(), col.expand({5, 3}).contiguous()), tol);
    const Tensor row = random_normal({1, 5}, 17).to(dt);
    EXPECT_TENSOR_NEAR(matmul(row.expand({3, 5}), b.t()),
                       matmul(row.expand({3, 5}).contiguous(), b.t()), tol);
  }
}

TEST(Matmul, Float32MatchesAFloat64Reference) {
  Generator gen(18);
  auto rnd = [&gen](const Shape& s) { return randn(s, kFloat32, &gen); };
  const Tensor a = rnd({64, 128}), b = rnd({128, 96});
  EXPECT_TRUE(relatively_close(matmul(a, b), reference_2d(a, b), 1e-4));
  EXPECT_TRUE(relatively_close(matmul(b.t(), a.t()), reference_2d(b.t(), a.t()), 1e-4));
  const Tensor a3 = rnd({3, 17, 33}), b3 = rnd({3, 33, 9});
  EXPECT_TRUE(relatively_close(matmul(a3, b3), reference_3d(a3, b3), 1e-4));
  const Tensor a1 = rnd({1, 17, 33});
  EXPECT_TRUE(relatively_close(matmul(a1, b3), reference_3d(a1, b3), 1e-4));
  EXPECT_TRUE(
      relatively_close(matmul(a3, b3.select(0, 1)), reference_3d(a3, b3.narrow(0, 1, 1)), 1e-4));
  // Matrix-vector shapes (M = 1 and N = 1) through oneDNN.
  const Tensor v = rnd({33});
  EXPECT_TRUE(relatively_close(matmul(v, b3.select(0, 0)),
                               reference_2d(v.unsqueeze(0), b3.select(0, 0)).squeeze(0), 1e-4));
  EXPECT_TRUE(relatively_close(matmul(a3.select(0, 2), v),
                               reference_2d(a3.select(0, 2), v.unsqueeze(1)).squeeze(1), 1e-4));
}

// Whether two contiguous float32 tensors hold the same bytes.
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.is_contiguous() && b.is_contiguous() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<size_t>(a.numel()) * sizeof(float)) ==
             0;
}

// At 2 threads a product of 2^20 multiply-adds or more runs as two one-thread products over
// columns of the output, the split point following the cores' speeds: whatever it is, the result
// is the one-thread product's, bit for bit. Shapes: the mlp's first layer (bias fused), its weight
// gradient (a transposed operand), and widths that are not multiples of oneDNN's 16-column blocks.
TEST(Matmul, TwoThreadsGiveTheOneThreadBits) {
  Generator gen(21);
  auto rnd = [&gen](const Shape& s) { return randn(s, kFloat32, &gen); };
  const Tensor x = rnd({64, 784}), w = rnd({256, 784}), bias = rnd({256});
  const Tensor dy = rnd({64, 256}), x2 = rnd({128, 300}), w2 = rnd({100, 300});
  auto products = [&] {
    return std::vector<Tensor>{linear(x, w, bias), matmul(transpose(dy, 0, 1), x), linear(x2, w2),
                               matmul(x2, w2.t())};
  };
  std::vector<Tensor> one;
  {
    ScopedNumThreads threads(1);
    one = products();
  }
  ScopedNumThreads threads(2);
  for (int call = 0; call < 20; ++call) {  // the split point moves with the measured speeds
    const std::vector<Tensor> two = products();
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_TRUE(same_bits(two[i], one[i])) << "product " << i << ", call " << call;
    }
  }
  EXPECT_TRUE(relatively_close(one[0], reference_2d(x, w.t()) + bias.to(kFloat64), 1e-4));
  EXPECT_TRUE(relatively_close(one[1], reference_2d(dy.t(), x), 1e-4));
  EXPECT_TRUE(relatively_close(one[2], reference_2d(x2, w2.t()), 1e-4));
}

TEST(Matmul, Float32BothOperandsBroadcastOverTheBatch) {
  // Both batch strides are 0: oneDNN rejected this ("could not create a descriptor") before the
  // kernel learned to compute one product and copy it.
  const Tensor a = random_normal({1, 2, 3}, 19), b = random_normal({1, 3, 4}, 20);
  const Tensor expected = reference_3d(a, b).expand({5, 2, 4});
  EXPECT_TENSOR_NEAR(matmul(a.to(kFloat32).expand({5, 2, 3}), b.to(kFloat32).expand({5, 3, 4})),
                     expected, 1e-5);
  EXPECT_TENSOR_NEAR(matmul(a.expand({5, 2, 3}), b.expand({5, 3, 4})), expected, 1e-12);
  // Operands with neither matrix dimension dense take the kernel's copying path.
  const Tensor base_a = random_normal({1, 2, 6}, 24), base_b = random_normal({1, 3, 8}, 25);
  auto every_other_column = [](const Tensor& t) { return t.slice(2, 0, t.shape(2), 2); };
  const Tensor sa = every_other_column(base_a.to(kFloat32));  // [1, 2, 3], strides [12, 6, 2]
  const Tensor sb = every_other_column(base_b.to(kFloat32));  // [1, 3, 4], strides [24, 8, 2]
  ASSERT_EQ(sa.strides(), (Shape{12, 6, 2}));
  EXPECT_TENSOR_NEAR(
      matmul(sa.expand({4, 2, 3}), sb.expand({4, 3, 4})),
      reference_3d(every_other_column(base_a), every_other_column(base_b)).expand({4, 2, 4}), 1e-5);
  // The gradient of a sum: dy has stride 0 everywhere, so backward broadcasts both operands too.
  Tensor a32 = a.to(kFloat32).set_requires_grad(), b32 = b.to(kFloat32).set_requires_grad();
  sum(matmul(a32.expand({5, 2, 3}), b32.expand({5, 3, 4}))).backward();
  // d/da sum(a b) = 5 * (ones [2, 4]) b^T, and d/db = 5 * a^T ones.
  EXPECT_TENSOR_NEAR(a32.grad(), 5.0 * reference_3d(ones({1, 2, 4}, kFloat64), b.transpose(1, 2)),
                     1e-5);
  EXPECT_TENSOR_NEAR(b32.grad(), 5.0 * reference_3d(a.transpose(1, 2), ones({1, 2, 4}, kFloat64)),
                     1e-5);
}

TEST(Matmul, Float32GradientsMatchFloat64) {
  // float32 backward runs the oneDNN kernel on dy from sum(), whose strides are all 0.
  const Tensor a = random_normal({3, 4, 5}, 21), b = random_normal({5, 2}, 22);
  Tensor a32 = a.to(kFloat32).set_requires_grad(), b32 = b.to(kFloat32).set_requires_grad();
  Tensor a64 = a.clone().set_requires_grad(), b64 = b.clone().set_requires_grad();
  sum(matmul(a32, b32)).backward();
  sum(matmul(a64, b64)).backward();
  EXPECT_TENSOR_NEAR(a32.grad(), a64.grad(), 1e-5);
  EXPECT_TENSOR_NEAR(b32.grad(), b64.grad(), 1e-4);
  EXPECT_EQ(a32.grad().dtype(), kFloat32);
}

TEST(Matmul, EmptySizes) {
  // K = 0: every entry is an empty sum.
  EXPECT_TENSOR_EQ(matmul(ones({2, 0}, kFloat64), ones({0, 3}, kFloat64)), zeros({2, 3}, kFloat64));
  EXPECT_TENSOR_EQ(matmul(ones({2, 0}), ones({0, 3})), zeros({2, 3}));
  EXPECT_EQ(matmul(ones({0, 4}), ones({4, 3})).shape(), (Shape{0, 3}));
  EXPECT_EQ(matmul(ones({2, 0, 4}), ones({4, 3})).shape(), (Shape{2, 0, 3}));
  EXPECT_TENSOR_EQ(matmul(ones({0}, kFloat64), ones({0}, kFloat64)), scalar_tensor(0.0, kFloat64));
}

TEST(Matmul, Errors) {
  EXPECT_THROW_WITH_MESSAGE(
      matmul(zeros({32, 784}), zeros({128, 10})),
      "matmul: inner dimensions differ: a has shape [32, 784] and b has shape [128, 10]");
  EXPECT_THROW_WITH_MESSAGE(matmul(zeros({3}), zeros({4})),
                            "matmul: inner dimensions differ: a has shape [3] and b has shape "
                            "[4]; expected a.shape[-1] == b.shape[0]");
  EXPECT_THROW_WITH_MESSAGE(matmul(zeros({2, 2, 3}), zeros({3, 3, 4})),
                            "matmul: batch dimensions do not broadcast: a has shape [2, 2, 3] and "
                            "b has shape [3, 3, 4]");
  EXPECT_THROW_WITH_MESSAGE(matmul(scalar_tensor(1.0), zeros({3})),
                            "matmul: both operands need at least 1 dimension, got shapes [] and "
                            "[3]");
  EXPECT_THROW_WITH_MESSAGE(matmul(zeros({2, 2}, kBool), zeros({2, 2}, kBool)),
                            "matmul: expected floating-point or int64 operands, got bool");
}

TEST(Matmul, MixedDtypesPromote) {
  const Tensor c = matmul(Tensor::from({{1, 2}}), Tensor::from({{0.5}, {0.25}}));
  EXPECT_TENSOR_EQ(c, Tensor::from({{1.0}}));
}

TEST(Matmul, GradientsInEveryRankCombination) {
  struct Case {
    Shape a, b;
  };
  const Case cases[] = {
      {{4}, {4}},
      {{4}, {4, 3}},
      {{2, 4}, {4}},
      {{2, 4}, {4, 3}},
      {{2, 2, 4}, {2, 4, 3}},
      {{1, 2, 4}, {3, 4, 2}},
      {{3, 2, 4}, {1, 4, 2}},
      {{2, 3, 4}, {4, 2}},
      {{2, 4}, {3, 4, 2}},
      {{4}, {2, 4, 3}},
      {{2, 3, 4}, {4}},
      {{2, 1, 2, 3}, {1, 2, 3, 2}},
      {{2, 2, 3}, {3}},
      {{3, 2}, {2, 1, 2, 2}},
  };
  uint64_t seed = 30;
  for (const Case& c : cases) {
    SCOPED_TRACE(to_string(c.a) + " x " + to_string(c.b));
    expect_gradients_match_finite_differences(
        [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); },
        {random_normal(c.a, seed), random_normal(c.b, seed + 1)});
    seed += 2;
  }
}

TEST(Matmul, GradientsThroughStridedOperands) {
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return matmul(in[0].t(), in[1].transpose(0, 1)); },
      {random_normal({4, 2}, 50), random_normal({3, 4}, 51)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) {
        return matmul(in[0].expand({3, 2, 4}), in[1].permute({0, 2, 1}));
      },
      {random_normal({2, 4}, 52), random_normal({3, 2, 4}, 53)});
  // The same tensor on both sides: x^T x.
  expect_gradients_match_finite_differences([](const Tensor& x) { return matmul(x.t(), x); },
                                            {random_normal({3, 2}, 54)});
}

}  // namespace
}  // namespace athanor
