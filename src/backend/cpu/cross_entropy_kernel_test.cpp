// src/backend/cpu/cross_entropy_kernel_test.cpp: the fused cross-entropy kernel's float rows
// against a float64 reference from the same float differences x - max: p within 2 ulp plus the
// float's subnormal spacing (the exponential, then a float reciprocal of the sum and a product),
// the loss within 2 ulp of its terms; class counts 1-17, logits spread up to e^-200 (underflow to
// 0), and the rows PyTorch gives NaN or 0 for.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "backend/cpu/cpu_kernels.h"
#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

struct Result {
  std::vector<float> loss, p;
};

Result run(const std::vector<float>& x, const std::vector<int64_t>& target, int64_t C) {
  const int64_t rows = static_cast<int64_t>(target.size());
  Result r{std::vector<float>(rows), std::vector<float>(rows * C)};
  const View xv{const_cast<float*>(x.data()), kFloat32, Shape{rows, C}, Shape{C, 1}};
  const View tv{const_cast<int64_t*>(target.data()), kInt64, Shape{rows}, Shape{1}};
  const View lv{r.loss.data(), kFloat32, Shape{rows}, Shape{1}};
  const View pv{r.p.data(), kFloat32, Shape{rows, C}, Shape{C, 1}};
  cross_entropy(xv, tv, lv, pv);
  return r;
}

// k ulp of a float of magnitude |v|.
double ulps(double k, double v) {
  return k * std::ldexp(1.0, std::ilogb(std::max(std::abs(v), 1e-38)) - 23);
}

TEST(CrossEntropyKernel, FloatRowsMatchFloat64) {
  for (int64_t C = 1; C <= 17; ++C) {
    for (double spread : {1.0, 10.0, 60.0, 200.0}) {
      SCOPED_TRACE(::testing::Message() << "classes " << C << ", spread " << spread);
      const int64_t rows = 37;
      std::vector<float> x = testing::sin_sequence(rows * C, 0.9, 0.3);
      for (float& v : x) v = static_cast<float>(v * spread);
      std::vector<int64_t> target(rows);
      for (int64_t i = 0; i < rows; ++i) target[i] = (i * 7) % C;
      const Result got = run(x, target, C);
      for (int64_t i = 0; i < rows; ++i) {
        const float* xr = x.data() + i * C;
        float m = xr[0];
        for (int64_t c = 1; c < C; ++c) m = std::max(m, xr[c]);
        // exp of the float difference x - m, as the kernel takes it (rounded when |x - m| > 1).
        std::vector<double> e(C);
        double sum = 0;
        for (int64_t c = 0; c < C; ++c) sum += e[c] = std::exp(static_cast<double>(xr[c] - m));
        const double loss = m + std::log(sum) - xr[target[i]];
        EXPECT_NEAR(got.loss[i], loss, ulps(2, loss) + ulps(2, m)) << "row " << i;
        for (int64_t c = 0; c < C; ++c) {
          const double p = e[c] / sum;
          EXPECT_NEAR(got.p[i * C + c], p, ulps(2, p) + std::numeric_limits<float>::denorm_min())
              << "row " << i << ", class " << c;
        }
      }
    }
  }
}

TEST(CrossEntropyKernel, SpecialRows) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // 10 classes; each row one case.
  const std::vector<std::vector<float>> rows = {
      {nan, 0, 1, 2, 3, 4, 5, 6, 7, 8},   // NaN: the row's loss and p NaN
      {-inf, 0, 1, 2, 3, 4, 5, 6, 7, 8},  // -inf: p 0 there, the rest finite
      {inf, 0, 1, 2, 3, 4, 5, 6, 7, 8},   // +inf: NaN (inf - inf)
      {0, -300, -300, -300, -300, -300, -300, -300, -300, -300},  // e^-300 underflows to 0
  };
  std::vector<float> x;
  for (const auto& r : rows) x.insert(x.end(), r.begin(), r.end());
  const Result got = run(x, {1, 1, 1, 0}, 10);
  EXPECT_TRUE(std::isnan(got.loss[0]));
  for (int c = 0; c < 10; ++c) EXPECT_TRUE(std::isnan(got.p[c])) << c;
  EXPECT_EQ(got.p[10], 0.0f);
  // log sum_k e^k over k = 0 .. 8, less the target's 0.
  EXPECT_NEAR(got.loss[1], 8.0 + std::log((1 - std::exp(-9.0)) / (1 - std::exp(-1.0))), 1e-5);
  EXPECT_TRUE(std::isnan(got.loss[2]));
  EXPECT_EQ(got.loss[3], 0.0f);
  EXPECT_EQ(got.p[30], 1.0f);
  for (int c = 31; c < 40; ++c) EXPECT_EQ(got.p[c], 0.0f) << c;
}

}  // namespace
}  // namespace athanor::cpu
