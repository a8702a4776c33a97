// src/nn/containers_test.cpp: Sequential's rewrites: ReLU followed by MaxPool2d runs pooled
// first, Conv2d followed by MaxPool2d as one op, and Linear followed by ReLU as linear_relu, each
// with the same values and gradients as the ops in the order written.
#include <limits>

#include <gtest/gtest.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/random.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/pooling.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/conv.h>
#include <athanor/ops/linalg.h>
#include <athanor/ops/pool.h>
#include <athanor/ops/reduce.h>

#include "testing/matchers.h"

namespace athanor::nn {
namespace {

using ::testing::HasSubstr;

// Normal values with planted windows: all negative, tied positive maxima, a NaN, zeros of both
// signs, and a maximum of exactly zero.
Tensor planted_input(DType dtype) {
  manual_seed(3);
  Tensor x = randn({2, 3, 7, 8}, kFloat64);
  auto set = [&](int64_t h, int64_t w, double v) {
    x.select(0, 1).select(0, 2).select(0, h).select(0, w).fill_(v);
  };
  for (int64_t h = 0; h < 2; ++h) {
    for (int64_t w = 0; w < 2; ++w) set(h, w, -1.0 - static_cast<double>(h + w));  // all < 0
  }
  set(0, 2, 0.5), set(0, 3, 0.5), set(1, 2, 0.5), set(1, 3, -0.5);      // ties
  set(2, 0, std::numeric_limits<double>::quiet_NaN()), set(2, 1, 4.0);  // NaN
  set(4, 4, 0.0), set(4, 5, -0.0), set(5, 4, -2.0), set(5, 5, -3.0);    // max 0
  return x.to(dtype);
}

struct PoolCase {
  int64_t kernel, stride, padding, dilation;
  bool ceil_mode;
};

class ReluMaxPool : public ::testing::TestWithParam<std::tuple<PoolCase, DType>> {};

TEST_P(ReluMaxPool, SequentialMatchesTheOpsInTheirWrittenOrderBitForBit) {
  const auto [c, dtype] = GetParam();
  Sequential model{ReLU(), MaxPool2d(c.kernel, {.stride = c.stride,
                                                .padding = c.padding,
                                                .dilation = c.dilation,
                                                .ceil_mode = c.ceil_mode})};
  const Tensor x0 = planted_input(dtype);
  Tensor a = x0.clone(), b = x0.clone();
  a.set_requires_grad();
  b.set_requires_grad();
  const Tensor ya = model(a);
  const Tensor yb = max_pool2d(relu(b), {c.kernel, c.kernel}, {c.stride, c.stride},
                               {c.padding, c.padding}, {c.dilation, c.dilation}, c.ceil_mode);
  EXPECT_TENSOR_EQ(ya, yb);
  manual_seed(4);
  const Tensor upstream = randn(ya.shape(), dtype);
  sum(ya * upstream).backward();
  sum(yb * upstream).backward();
  EXPECT_TENSOR_EQ(a.grad(), b.grad());
}

INSTANTIATE_TEST_SUITE_P(
    Windows, ReluMaxPool,
    ::testing::Combine(::testing::Values(PoolCase{2, 2, 0, 1, false}, PoolCase{3, 2, 1, 1, false},
                                         PoolCase{2, 2, 0, 1, true}, PoolCase{2, 1, 0, 2, false},
                                         PoolCase{3, 1, 1, 1, true}),
                       ::testing::Values(kFloat32, kFloat64)));

// Conv2d (ReLU) MaxPool2d runs as one op, fused for a first layer: the same bits as the ops in
// the order written, output and parameter gradients.
TEST(Sequential, ConvolutionThenPoolingMatchesTheOpsInTheirWrittenOrder) {
  for (bool with_relu : {true, false}) {
    manual_seed(5);
    Sequential model = with_relu ? Sequential{Conv2d(1, 4, 3, {.padding = 1}), ReLU(), MaxPool2d(2)}
                                 : Sequential{Conv2d(1, 4, 3, {.padding = 1}), MaxPool2d(2)};
    auto& conv = model.at<Conv2d>(0);
    manual_seed(6);
    const Tensor x = randn({3, 1, 10, 10});
    const Tensor y = model(x);
    const Tensor upstream = randn(y.shape());
    sum(y * upstream).backward();
    const Tensor dw = conv.weight.grad().clone(), db = conv.bias.grad().clone();
    conv.weight.set_grad(Tensor());
    conv.bias.set_grad(Tensor());
    Tensor z = conv2d(x, conv.weight, conv.bias, {1, 1}, {1, 1});
    if (with_relu) z = relu(z);
    z = max_pool2d(z, {2, 2});
    EXPECT_TENSOR_EQ(y, z);
    sum(z * upstream).backward();
    EXPECT_TENSOR_EQ(dw, conv.weight.grad());
    EXPECT_TENSOR_EQ(db, conv.bias.grad());
  }
}

// Linear then ReLU runs as linear_relu: the same bits as the ops in the order written, output
// and every gradient, with NaN rows and exact-zero outputs (a zero weight row and bias).
TEST(Sequential, LinearThenReluMatchesTheOpsInTheirWrittenOrder) {
  for (DType dtype : {kFloat32, kFloat64}) {
    SCOPED_TRACE(std::string(name(dtype)));
    manual_seed(7);
    Sequential model{Linear(8, 16, true, dtype), ReLU(), Linear(16, 10, true, dtype)};
    auto& first = model.at<Linear>(0);
    {
      NoGradGuard no_grad;
      first.weight.select(0, 3).fill_(0.0);
      first.bias.select(0, 3).fill_(0.0);
    }
    Tensor x = randn({5, 8}, dtype);
    x.select(0, 2).select(0, 1).fill_(std::numeric_limits<double>::quiet_NaN());
    Tensor a = x.clone(), b = x.clone();
    a.set_requires_grad();
    b.set_requires_grad();
    const Tensor ya = model(a);
    const std::vector<Tensor> params = model.parameters();
    const Tensor upstream = randn(ya.shape(), dtype);
    sum(ya * upstream).backward();
    std::vector<Tensor> grads;
    for (const Tensor& p : params) grads.push_back(p.grad().clone()), p.set_grad(Tensor());
    auto& last = model.at<Linear>(2);
    const Tensor yb = linear(relu(linear(b, first.weight, first.bias)), last.weight, last.bias);
    EXPECT_TENSOR_EQ(ya, yb);
    sum(yb * upstream).backward();
    EXPECT_TENSOR_EQ(a.grad(), b.grad());
    for (size_t i = 0; i < params.size(); ++i) EXPECT_TENSOR_EQ(grads[i], params[i].grad()) << i;
  }
}

TEST(Sequential, SummaryShowsEachLayerOfTheRewrittenRuns) {
  Sequential model{Conv2d(1, 2, 3, {.padding = 1}), ReLU(), MaxPool2d(2)};
  const std::string s = model.summary(Shape{1, 1, 6, 6});
  EXPECT_THAT(s, HasSubstr("0 (Conv2d)"));
  EXPECT_THAT(s, HasSubstr("1 (ReLU)"));
  EXPECT_THAT(s, HasSubstr("[1, 2, 6, 6]"));  // the ReLU's output, before pooling
  EXPECT_THAT(s, HasSubstr("[1, 2, 3, 3]"));
  Sequential mlp{Linear(4, 3), ReLU()};
  const std::string m = mlp.summary(Shape{2, 4});
  EXPECT_THAT(m, HasSubstr("0 (Linear)"));
  EXPECT_THAT(m, HasSubstr("1 (ReLU)"));
}

}  // namespace
}  // namespace athanor::nn
