// src/testing/gradcheck_test.cpp: the gradient checker itself must catch a wrong gradient.
#include "testing/gradcheck.h"

#include <athanor/autograd/node.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/unary.h>

#include "testing/matchers.h"

namespace athanor::testing {
namespace {

// y = x^2 with a backward that is off by a factor `scale`.
Tensor square_with_gradient_scale(const Tensor& x, double scale) {
  Tensor y = x.detach() * x.detach();
  return with_backward("square_test", y, {x},
                       [x, scale](const Tensor& dy) { return Grads{dy * x * (2.0 * scale)}; });
}

TEST(Gradcheck, PassesACorrectGradient) {
  const auto r = gradcheck(
      [](const std::vector<Tensor>& xs) { return square_with_gradient_scale(xs[0], 1.0); },
      {random_normal({3, 2})});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Gradcheck, CatchesAWrongGradientAndNamesTheElement) {
  const auto r = gradcheck(
      [](const std::vector<Tensor>& xs) { return square_with_gradient_scale(xs[0], 1.001); },
      {Tensor::from({{1.0, 2.0}, {3.0, 4.0}})});
  EXPECT_FALSE(r.ok);
  // The largest error is at x = 4: analytical 8.008 vs numerical 8.
  EXPECT_THAT(r.message, ::testing::HasSubstr("input 0 (shape [2, 2]) element [1, 1]"));
  EXPECT_THAT(r.message, ::testing::HasSubstr("backward gives 8.008"));
}

TEST(Gradcheck, CatchesAMissingCrossTerm) {
  // y = a * b whose backward forgets b's gradient.
  auto f = [](const std::vector<Tensor>& xs) {
    Tensor y = xs[0].detach() * xs[1].detach();
    return with_backward("mul_test", y, {xs[0], xs[1]}, [b = xs[1]](const Tensor& dy) {
      return Grads{dy * b, Tensor()};
    });
  };
  const auto r = gradcheck(f, {random_normal({2}, 1), random_normal({2}, 2)});
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.message, ::testing::HasSubstr("input 1"));
}

TEST(Gradcheck, RejectsFloat32Inputs) {
  const auto r =
      gradcheck([](const std::vector<Tensor>& xs) { return exp(xs[0]); }, {Tensor::from({1.0f})});
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.message, ::testing::HasSubstr("inputs must be float64, got float32"));
}

}  // namespace
}  // namespace athanor::testing
