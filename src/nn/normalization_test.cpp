// src/nn/normalization_test.cpp: BatchNorm1d/2d and LayerNorm modules: running statistics,
// momentum (including the cumulative average), train versus eval, parameters, errors.
#include <gtest/gtest.h>

#include <athanor/core/random.h>
#include <athanor/nn/normalization.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>

#include "testing/matchers.h"

namespace athanor::nn {
namespace {

TEST(BatchNorm, TrainingUpdatesRunningStatisticsWithMomentum) {
  BatchNorm1d bn(2, {.dtype = kFloat64});
  const Tensor x = Tensor::from({{1.0, 10.0}, {3.0, 20.0}, {5.0, 60.0}});
  const Tensor y = bn(x);
  // Batch mean [3, 30]; unbiased variance [4, 700] goes into the running variance.
  EXPECT_TENSOR_NEAR(bn.running_mean, Tensor::from({0.3, 3.0}), 1e-12);
  EXPECT_TENSOR_NEAR(bn.running_var, Tensor::from({0.9 + 0.4, 0.9 + 70.0}), 1e-12);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  // Normalized with the biased batch variance: column means 0, variances 1 - eps-ish.
  EXPECT_TENSOR_NEAR(mean(y, {0}), zeros(Shape{2}, kFloat64), 1e-12);
  EXPECT_TENSOR_NEAR(var(y, {0}, 0), Tensor::from({1.0, 1.0}), 1e-5);
}

TEST(BatchNorm, EvalUsesRunningStatistics) {
  BatchNorm2d bn(3, {.dtype = kFloat64});
  bn.running_mean.copy_(Tensor::from({1.0, 2.0, 3.0}));
  bn.running_var.copy_(Tensor::from({4.0, 9.0, 16.0}));
  bn.weight.copy_(Tensor::from({2.0, 1.0, 1.0}));
  bn.bias.copy_(Tensor::from({0.5, 0.0, 0.0}));
  bn.eval();
  const Tensor x = full(Shape{1, 3, 2, 2}, 5.0, kFloat64);
  const Tensor y = bn(x);
  EXPECT_NEAR(y.to_vector<double>()[0], 2.0 * (5.0 - 1.0) / std::sqrt(4.0 + 1e-5) + 0.5, 1e-12);
  EXPECT_NEAR(y.to_vector<double>()[4], (5.0 - 2.0) / std::sqrt(9.0 + 1e-5), 1e-12);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 0);  // eval does not count batches
}

TEST(BatchNorm, MomentumNoneIsTheCumulativeAverage) {
  BatchNorm1d bn(1, {.momentum = std::nullopt, .dtype = kFloat64});
  bn(Tensor::from({{1.0}, {3.0}}));  // batch mean 2
  bn(Tensor::from({{7.0}, {9.0}}));  // batch mean 8
  bn(Tensor::from({{2.0}, {4.0}}));  // batch mean 3
  EXPECT_NEAR(bn.running_mean.item<double>(), (2.0 + 8.0 + 3.0) / 3.0, 1e-12);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 3);
}

TEST(BatchNorm, WithoutRunningStatsUsesBatchStatisticsInEval) {
  BatchNorm1d bn(2, {.affine = false, .track_running_stats = false});
  EXPECT_TRUE(bn.parameters().empty());
  EXPECT_TRUE(bn.state_dict().empty());
  bn.eval();
  const Tensor y = bn(Tensor::from({{1.0f, 2.0f}, {3.0f, 6.0f}}));
  EXPECT_TENSOR_NEAR(y, Tensor::from({{-1.0f, -1.0f}, {1.0f, 1.0f}}), 1e-4);
}

TEST(BatchNorm, ErrorsNameTheLayerAndShapes) {
  BatchNorm2d bn(16);
  EXPECT_THROW_WITH_MESSAGE(bn(zeros(Shape{8, 16, 4})),
                            "BatchNorm2d: expected input of shape [N, C, H, W], got [8, 16, 4]");
  EXPECT_THROW_WITH_MESSAGE(bn(zeros(Shape{8, 3, 4, 4})),
                            "BatchNorm2d: input has 3 channels, layer expects 16 (input shape "
                            "[8, 3, 4, 4])");
  EXPECT_THROW_WITH_MESSAGE(BatchNorm1d(4)(zeros(Shape{8})),
                            "BatchNorm1d: expected input of shape [N, C] or [N, C, L], got [8]");
  EXPECT_EQ(BatchNorm1d(4, {.momentum = std::nullopt}).to_string(),
            "BatchNorm1d(4, eps=1e-05, momentum=None, affine=True, track_running_stats=True)");
}

TEST(LayerNorm, NormalizesTrailingDimsWithAffineParameters) {
  LayerNorm ln(Shape{2, 2}, {.dtype = kFloat64});
  EXPECT_EQ(ln.weight.shape(), Shape({2, 2}));
  ln.weight.fill_(2.0);
  ln.bias.fill_(1.0);
  const Tensor x = Tensor::from({{{1.0, 2.0}, {3.0, 4.0}}});
  // mean 2.5, biased variance 1.25.
  const Tensor expected = 2.0 * (x - 2.5) / std::sqrt(1.25 + 1e-5) + 1.0;
  EXPECT_TENSOR_NEAR(ln(x), expected, 1e-12);
  EXPECT_TRUE(LayerNorm(Shape{4}, {.elementwise_affine = false}).parameters().empty());
}

}  // namespace
}  // namespace athanor::nn
