// src/optim/clip_test.cpp: clip_grad_norm_ and clip_grad_value_ against hand-computed norms and
// PyTorch's rules (coefficient max_norm / (norm + 1e-6), capped at 1; skipped parameters; NaN).
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/optim/clip.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::optim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor with_grad(const Tensor& grad) {
  Tensor p = zeros(grad.shape(), grad.dtype()).set_requires_grad();
  p.set_grad(grad.clone());
  return p;
}

// Gradients [3, 4] and [[12]]: norms 5 and 12, together 13.
std::vector<Tensor> three_four_twelve(DType dtype = kFloat64) {
  return {with_grad(Tensor::from({3.0, 4.0}, dtype)), with_grad(Tensor::from({{12.0}}, dtype))};
}

TEST(ClipGradNorm, ScalesAllGradientsByOneFactorAndReturnsTheNormBefore) {
  const auto params = three_four_twelve();
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 6.5), 13.0);
  const double coef = 6.5 / (13.0 + 1e-6);
  EXPECT_TENSOR_NEAR(params[0].grad(), Tensor::from({3.0 * coef, 4.0 * coef}), 1e-15);
  EXPECT_TENSOR_NEAR(params[1].grad(), Tensor::from({{12.0 * coef}}), 1e-15);
  // The clipped norm is max_norm (up to the 1e-6 guard).
  EXPECT_NEAR(clip_grad_norm_(params, 100.0), 6.5, 1e-6);
}

TEST(ClipGradNorm, LeavesGradientsWithinTheBoundUntouched) {
  const auto params = three_four_twelve();
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 13.5), 13.0);
  EXPECT_TENSOR_EQ(params[0].grad(), Tensor::from({3.0, 4.0}));
  EXPECT_TENSOR_EQ(params[1].grad(), Tensor::from({{12.0}}));
}

TEST(ClipGradNorm, OtherOrders) {
  EXPECT_DOUBLE_EQ(clip_grad_norm_(three_four_twelve(), 100.0, kInfNorm), 12.0);
  EXPECT_DOUBLE_EQ(clip_grad_norm_(three_four_twelve(), 100.0, 1.0), 19.0);
  EXPECT_NEAR(clip_grad_norm_(three_four_twelve(), 100.0, 3.0), std::cbrt(27.0 + 64.0 + 1728.0),
              1e-12);
  const auto params = three_four_twelve();
  clip_grad_norm_(params, 6.0, kInfNorm);  // coefficient 6 / 12
  EXPECT_TENSOR_NEAR(params[1].grad(), Tensor::from({{12.0 * 6.0 / (12.0 + 1e-6)}}), 1e-14);
  EXPECT_THROW_WITH_MESSAGE(clip_grad_norm_(params, 1.0, 0.0),
                            "clip_grad_norm_: norm_type 0 is not supported; expected a positive "
                            "order or infinity");
}

TEST(ClipGradNorm, SkipsParametersWithoutGradients) {
  Tensor no_grad = zeros({3}, kFloat64).set_requires_grad();
  auto params = three_four_twelve();
  params.push_back(no_grad);
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 1.0), 13.0);
  EXPECT_FALSE(no_grad.grad().defined());
  EXPECT_EQ(clip_grad_norm_({no_grad}, 1.0), 0.0);
}

TEST(ClipGradNorm, NonFiniteNormsThrowOnRequestElsePropagate) {
  auto params = three_four_twelve();
  params.push_back(with_grad(Tensor::from({kNaN})));
  EXPECT_THROW_WITH_MESSAGE(clip_grad_norm_(params, 1.0, 2.0, true),
                            "clip_grad_norm_: the total norm of order 2 of the gradients is nan, "
                            "so they cannot be clipped");
  EXPECT_TENSOR_EQ(params[0].grad(), Tensor::from({3.0, 4.0}));  // untouched by the throw
  EXPECT_TRUE(std::isnan(clip_grad_norm_(params, 1.0)));
  EXPECT_TRUE(std::isnan(params[0].grad().to_vector<double>()[0]));  // as PyTorch: scaled by NaN
  EXPECT_TRUE(std::isnan(clip_grad_norm_({with_grad(Tensor::from({1.0, kNaN}))}, 1.0, kInfNorm)));
}

TEST(ClipGradNorm, Float32GradientsAndNonContiguousOnes) {
  const auto params = three_four_twelve(kFloat32);
  EXPECT_DOUBLE_EQ(clip_grad_norm_(params, 6.5), 13.0);
  EXPECT_EQ(params[0].grad().dtype(), kFloat32);
  EXPECT_TENSOR_NEAR(params[0].grad().to(kFloat64), Tensor::from({1.5, 2.0}), 1e-6);

  Tensor p = zeros({2, 2}, kFloat64).set_requires_grad();
  p.set_grad(Tensor::from({{3.0, 0.0}, {4.0, 0.0}}).t());  // strides (1, 2)
  EXPECT_DOUBLE_EQ(clip_grad_norm_({p}, 2.5), 5.0);
  EXPECT_TENSOR_NEAR(p.grad(), Tensor::from({{1.5, 2.0}, {0.0, 0.0}}), 1e-6);
}

TEST(ClipGradNorm, TheNormDoesNotDependOnTheThreadCount) {
  const Tensor g = testing::random_normal({500, 400}, 3);
  std::vector<double> norms;
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    norms.push_back(clip_grad_norm_({with_grad(g)}, 1.0));
  }
  EXPECT_EQ(norms[0], norms[1]);
}

TEST(ClipGradValue, ClampsEachElement) {
  Tensor a = with_grad(Tensor::from({-3.0, -0.5, 0.25, 2.0, kNaN}));
  Tensor b = with_grad(Tensor::from({1.5f, -1.5f}));
  Tensor none = zeros({2}, kFloat64).set_requires_grad();
  clip_grad_value_({a, b, none}, 1.0);
  const std::vector<double> got = a.grad().to_vector<double>();
  EXPECT_EQ(std::vector<double>(got.begin(), got.end() - 1),
            (std::vector<double>{-1.0, -0.5, 0.25, 1.0}));
  EXPECT_TRUE(std::isnan(got.back()));
  EXPECT_TENSOR_EQ(b.grad(), Tensor::from({1.0f, -1.0f}));
  EXPECT_FALSE(none.grad().defined());
  EXPECT_THROW_WITH_MESSAGE(clip_grad_value_({a}, -1.0),
                            "clip_grad_value_: clip_value is -1; expected a non-negative bound");
}

}  // namespace
}  // namespace athanor::optim
