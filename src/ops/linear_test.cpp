// src/ops/linear_test.cpp: linear(x, weight, bias) against matmul(x, weight^T) + bias in float32
// (oneDNN, bias fused) and float64, for 1-D to 3-D inputs and strided weights; its gradients
// against finite differences, and at 2 threads against 1; its errors. linear_relu against
// relu(linear(...)), bit for bit.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/parallel.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/reduce.h>

#include "testing/expect_error.h"
#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor {
namespace {

using testing::expect_gradients_match_finite_differences;
using testing::random_normal;

TEST(Linear, EqualsTheProductWithTheTransposedWeightPlusBias) {
  for (DType dtype : {kFloat32, kFloat64}) {
    for (const Shape& x_shape : {Shape{7}, Shape{5, 7}, Shape{2, 3, 7}}) {
      const Tensor x = random_normal(x_shape, 1).to(dtype);
      const Tensor w = random_normal({4, 7}, 2).to(dtype);
      const Tensor b = random_normal({4}, 3).to(dtype);
      // float64 reference of the float32 data.
      const Tensor expected = matmul(x.to(kFloat64), w.to(kFloat64).t()) + b.to(kFloat64);
      const Tensor y = linear(x, w, b);
      EXPECT_EQ(y.dtype(), dtype);
      EXPECT_TENSOR_NEAR(y.to(kFloat64), expected, dtype == kFloat32 ? 1e-5 : 1e-12);
      EXPECT_TENSOR_NEAR(linear(x, w).to(kFloat64), expected - b.to(kFloat64),
                         dtype == kFloat32 ? 1e-5 : 1e-12);
    }
  }
  // A weight given as a transposed view (strides swapped) gives the same product.
  const Tensor x = random_normal({6, 3}, 4).to(kFloat32);
  const Tensor wt = random_normal({3, 5}, 5).to(kFloat32);
  const Tensor b = random_normal({5}, 6).to(kFloat32);
  EXPECT_TENSOR_NEAR(linear(x, wt.t(), b), matmul(x, wt) + b, 1e-6);
}

TEST(Linear, GradientsMatchFiniteDifferences) {
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); },
      {random_normal({5, 3}, 10), random_normal({4, 3}, 11), random_normal({4}, 12)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return linear(in[0], in[1]); },
      {random_normal({2, 3, 3}, 13), random_normal({2, 3}, 14)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); },
      {random_normal({3}, 15), random_normal({2, 3}, 16), random_normal({2}, 17)});
}

TEST(Linear, WeightGradientIsContiguousLikeTheWeight) {
  Tensor x = random_normal({8, 3}, 20).to(kFloat32);
  Tensor w = random_normal({4, 3}, 21).to(kFloat32);
  Tensor b = random_normal({4}, 22).to(kFloat32);
  w.set_requires_grad();
  b.set_requires_grad();
  sum(linear(x, w, b)).backward();
  EXPECT_TRUE(w.grad().is_contiguous());
  // d(sum y)/dW[o, i] = sum over rows of x[:, i]; d/db[o] = the row count.
  EXPECT_TENSOR_NEAR(w.grad(), sum(x, {0}).unsqueeze(0).expand({4, 3}), 1e-5);
  EXPECT_TENSOR_NEAR(b.grad(), full(Shape{4}, 8.0, kFloat32), 0.0);
}

// At 2 threads the backend computes dx and dW side by side, one whole product on each thread:
// the same values as one after the other at 1 thread, and as the products written out.
TEST(Linear, GradientsAtTwoThreadsAreTheOneThreadValues) {
  struct Case {
    int64_t M, K, N;
    bool transposed_x;
  };
  // Side by side (the mlp's second layer, and a strided input); the narrow kernel (the last
  // layer, 10 outputs); too small for either.
  for (const Case c : {Case{64, 256, 128, false}, Case{64, 128, 10, false}, Case{48, 96, 40, true},
                       Case{4, 5, 3, false}}) {
    SCOPED_TRACE(::testing::Message() << c.M << "x" << c.K << "x" << c.N);
    const Tensor x0 = c.transposed_x ? random_normal({c.K, c.M}, 30).to(kFloat32).t()
                                     : random_normal({c.M, c.K}, 30).to(kFloat32);
    const Tensor w0 = random_normal({c.N, c.K}, 31).to(kFloat32);
    const Tensor b0 = random_normal({c.N}, 32).to(kFloat32);
    const Tensor dy = random_normal({c.M, c.N}, 33).to(kFloat32);
    auto gradients = [&] {
      Tensor x = x0.detach(), w = w0.detach(), b = b0.detach();
      for (Tensor* t : {&x, &w, &b}) t->set_requires_grad();
      linear(x, w, b).backward(dy);
      return std::vector<Tensor>{x.grad(), w.grad(), b.grad()};
    };
    std::vector<Tensor> one;
    {
      ScopedNumThreads threads(1);
      one = gradients();
    }
    ScopedNumThreads threads(2);
    for (int call = 0; call < 5; ++call) {
      const std::vector<Tensor> two = gradients();
      for (size_t i = 0; i < one.size(); ++i) EXPECT_TENSOR_EQ(two[i], one[i]);
    }
    const Tensor x64 = x0.to(kFloat64), w64 = w0.to(kFloat64), dy64 = dy.to(kFloat64);
    EXPECT_TENSOR_NEAR(one[0].to(kFloat64), matmul(dy64, w64), 1e-3);
    EXPECT_TENSOR_NEAR(one[1].to(kFloat64), matmul(dy64.t(), x64), 1e-3);
    EXPECT_TENSOR_NEAR(one[2].to(kFloat64), sum(dy64, {0}), 1e-3);
  }
}

// linear_relu is relu(linear(...)) as one node: the same bits forward and backward, with NaN
// passing through, exact zeros, and at 1 and 2 threads (the mlp's first two layers).
TEST(LinearRelu, GivesTheBitsOfReluAfterLinear) {
  struct Case {
    int64_t M, K, N;
  };
  for (DType dtype : {kFloat32, kFloat64}) {
    for (const Case c : {Case{5, 7, 4}, Case{64, 784, 256}, Case{64, 256, 128}}) {
      SCOPED_TRACE(::testing::Message() << name(dtype) << " " << c.M << "x" << c.K << "x" << c.N);
      Tensor x0 = random_normal({c.M, c.K}, 40).to(dtype);
      Tensor w0 = random_normal({c.N, c.K}, 41).to(dtype);
      Tensor b0 = random_normal({c.N}, 42).to(dtype);
      {
        NoGradGuard no_grad;
        x0.select(0, 1).select(0, 0).fill_(std::numeric_limits<double>::quiet_NaN());
        w0.select(0, 2).fill_(0.0);  // output column 2: exactly 0 (bias 0) off the NaN row
        b0.select(0, 2).fill_(0.0);
      }
      const Tensor dy = random_normal({c.M, c.N}, 43).to(dtype);
      for (int threads : {1, 2}) {
        ScopedNumThreads guard(threads);
        auto run = [&](bool fused) {
          Tensor x = x0.detach(), w = w0.detach(), b = b0.detach();
          for (Tensor* t : {&x, &w, &b}) t->set_requires_grad();
          const Tensor y = fused ? linear_relu(x, w, b) : relu(linear(x, w, b));
          y.backward(dy);
          return std::vector<Tensor>{y, x.grad(), w.grad(), b.grad()};
        };
        const std::vector<Tensor> fused = run(true), apart = run(false);
        for (size_t i = 0; i < fused.size(); ++i) EXPECT_TENSOR_EQ(fused[i], apart[i]) << i;
        EXPECT_TRUE(std::isnan(fused[0].select(0, 1).select(0, 0).item<double>()));
      }
    }
  }
}

TEST(LinearRelu, GradientsMatchFiniteDifferences) {
  // Inputs whose outputs stay away from ReLU's kink at 0 by more than the finite-difference step.
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return linear_relu(in[0], in[1], in[2]); },
      {random_normal({5, 3}, 50), random_normal({4, 3}, 51), random_normal({4}, 52)});
  expect_gradients_match_finite_differences(
      [](const std::vector<Tensor>& in) { return linear_relu(in[0], in[1]); },
      {random_normal({2, 3, 3}, 53), random_normal({2, 3}, 54)});
}

TEST(LinearRelu, NamesItselfInItsErrors) {
  const Tensor x = random_normal({2, 3}, 1);
  EXPECT_THROW_WITH_MESSAGE(linear_relu(x, random_normal({4, 5}, 2)),
                            "linear_relu: input shape [2, 3] does not end with the weight's 5 "
                            "input features (weight shape [4, 5])");
  EXPECT_THROW_WITH_MESSAGE(linear_relu(x, random_normal({4, 3}, 2), random_normal({3}, 3)),
                            "linear_relu: expected a bias of shape [4], got shape [3]");
}

TEST(Linear, RejectsShapesThatDoNotFit) {
  const Tensor x = random_normal({2, 3}, 1);
  EXPECT_THROW_WITH_MESSAGE(linear(x, random_normal({4, 5}, 2)),
                            "linear: input shape [2, 3] does not end with the weight's 5 input "
                            "features (weight shape [4, 5])");
  EXPECT_THROW_WITH_MESSAGE(linear(x, random_normal({4, 3}, 2), random_normal({3}, 3)),
                            "linear: expected a bias of shape [4], got shape [3]");
  EXPECT_THROW_WITH_MESSAGE(linear(x, random_normal({3}, 2)),
                            "linear: expected a weight of shape [out, in], got shape [3]");
}

}  // namespace
}  // namespace athanor
