// src/metrics/regression_test.cpp: MSE, RMSE, MAE and R2 on hand-derived examples (multi-output
// averaging, constant targets), exact streaming, and their errors.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/metrics/regression.h>
#include <athanor/ops/binary.h>

#include "testing/matchers.h"

namespace athanor::metrics {
namespace {

// Errors target - output = 0.5, 0, -1, 1; the target's mean is 2.625.
const Tensor kOutput = Tensor::from({1.0, 2.0, 3.0, 4.0});
const Tensor kTarget = Tensor::from({1.5, 2.0, 2.0, 5.0});

TEST(Regression, HandDerivedValues) {
  EXPECT_EQ(mean_squared_error(kOutput, kTarget), 2.25 / 4);
  EXPECT_EQ(root_mean_squared_error(kOutput, kTarget), 0.75);
  EXPECT_EQ(mean_absolute_error(kOutput, kTarget), 2.5 / 4);
  // sum (y - mean)^2 = 1.125^2 + 0.625^2 + 0.625^2 + 2.375^2 = 7.6875; 1 - 2.25 / 7.6875 = 29/41.
  EXPECT_DOUBLE_EQ(r2_score(kOutput, kTarget), 29.0 / 41.0);
  // float32 and [N, 1] against [N] (either way) read the same.
  EXPECT_EQ(mean_squared_error(kOutput.to(kFloat32).reshape({4, 1}), kTarget), 2.25 / 4);
  EXPECT_EQ(mean_absolute_error(kOutput, kTarget.reshape({4, 1})), 2.5 / 4);
}

TEST(Regression, MultiOutputAveragesColumns) {
  const Tensor output = zeros({2, 2}, kFloat64);
  const Tensor target = Tensor::from({{1.0, 3.0}, {1.0, -3.0}});
  EXPECT_EQ(mean_squared_error(output, target), (1.0 + 9.0) / 2);
  // scikit-learn's RMSE: the mean of per-column RMSEs (1 and 3), not sqrt(5).
  EXPECT_EQ(root_mean_squared_error(output, target), 2.0);
  EXPECT_EQ(mean_absolute_error(output, target), 2.0);
  // Column 0 is constant and mispredicted: 0 (force_finite); column 1: 1 - 18 / 18 = 0.
  EXPECT_EQ(r2_score(output, target), 0.0);
  // A constant column predicted exactly scores 1.
  EXPECT_EQ(
      r2_score(Tensor::from({{2.0, 1.0}, {2.0, 3.0}}), Tensor::from({{2.0, 1.0}, {2.0, 3.0}})),
      1.0);
  // Trailing dimensions are flattened into outputs: [2, 1, 2] is 2 outputs.
  EXPECT_EQ(root_mean_squared_error(output.reshape({2, 1, 2}), target.reshape({2, 1, 2})), 2.0);
}

TEST(Regression, R2OfOneExampleIsNaN) {
  EXPECT_TRUE(std::isnan(r2_score(Tensor::from({1.0}), Tensor::from({2.0}))));
}

TEST(Regression, R2KeepsDigitsWithALargeMean) {
  // Targets 1e8 + {0, 1, 2, 3}: a naive sum y^2 - (sum y)^2 / n loses every digit here.
  const Tensor target = Tensor::from({1e8, 1e8 + 1, 1e8 + 2, 1e8 + 3});
  const Tensor output = Tensor::from({1e8 + 0.5, 1e8 + 1, 1e8 + 2, 1e8 + 2.5});
  // sum (y - mean)^2 = 5; residuals 0.25 + 0 + 0 + 0.25.
  EXPECT_EQ(r2_score(output, target), 1.0 - 0.5 / 5.0);
}

TEST(Regression, StreamingGivesTheSameBits) {
  const Tensor output = randn({37, 3}, kFloat64);
  const Tensor target = output + 0.3 * randn({37, 3}, kFloat64) + 10.0;
  for (int which = 0; which < 4; ++which) {
    std::unique_ptr<Metric> whole;
    switch (which) {
      case 0:
        whole = std::make_unique<MSE>();
        break;
      case 1:
        whole = std::make_unique<RMSE>();
        break;
      case 2:
        whole = std::make_unique<MAE>();
        break;
      default:
        whole = std::make_unique<R2>();
    }
    SCOPED_TRACE(whole->name());
    std::unique_ptr<Metric> streamed = whole->clone();
    whole->update(output, target);
    for (int64_t start = 0, len = 1; start < 37; start += len, len = len % 5 + 2) {
      const int64_t n = std::min<int64_t>(len, 37 - start);
      streamed->update(output.narrow(0, start, n), target.narrow(0, start, n));
    }
    EXPECT_EQ(streamed->compute(), whole->compute());
  }
}

TEST(Regression, Errors) {
  MSE mse;
  EXPECT_THROW_WITH_MESSAGE(mse.compute(),
                            "mse: compute() called with no examples seen since reset(); call "
                            "update() first");
  EXPECT_THROW_WITH_MESSAGE(mse.update(zeros({3, 2}), zeros({3})),
                            "mse: output has shape [3, 2] and target has shape [3]; expected equal "
                            "shapes ([N] against [N, 1] is accepted)");
  EXPECT_THROW_WITH_MESSAGE(mse.update(scalar_tensor(1.0), scalar_tensor(1.0)),
                            "mse: output has shape [] and target has shape []; expected [N] or "
                            "[N, D] values (at least one dimension)");
  mse.update(zeros({3, 2}), ones({3, 2}));
  EXPECT_THROW_WITH_MESSAGE(mse.update(zeros({3, 3}), ones({3, 3})),
                            "mse: output has shape [3, 3] (3 outputs per example), but earlier "
                            "batches had 2");
  EXPECT_EQ(mse.compute(), 1.0);
  R2 r2;
  EXPECT_THROW_WITH_MESSAGE(r2.update(zeros({2}), Tensor()), "r2: got an undefined target tensor");
}

}  // namespace
}  // namespace athanor::metrics
