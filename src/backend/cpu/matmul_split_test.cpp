// src/backend/cpu/matmul_split_test.cpp: medium float32 products at several threads run as one
// part per thread (a linear forward by output columns, other products by output rows): against a
// double-precision loop at 1, 2 and 3 threads, and bit for bit against the parts computed one by
// one at one thread, with uneven parts, a bias, and a transposed operand as a weight gradient has.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>

#include "backend/cpu/cpu_kernels.h"
#include "testing/sequence.h"

namespace athanor::cpu {
namespace {

using testing::sin_sequence;

class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }

 private:
  int saved_;
};

// Columns [n0, n1) of out [M, N] = x [M, K] w^T + bias, x and w row-major, through the linear
// kernel (which writes a contiguous output: the columns are copied in after).
void linear_into(std::vector<float>& x, std::vector<float>& w, std::vector<float>& bias, int64_t M,
                 int64_t K, int64_t n0, int64_t n1, int64_t N, std::vector<float>& out) {
  const int64_t n = n1 - n0;
  std::vector<float> part(static_cast<size_t>(M * n));
  const View xv{x.data(), kFloat32, {M, K}, {K, 1}};
  const View wv{w.data() + n0 * K, kFloat32, {n, K}, {K, 1}};
  const View bv{bias.data() + n0, kFloat32, {n}, {1}};
  linear(xv, wv, &bv, View{part.data(), kFloat32, {M, n}, {n, 1}});
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < n; ++j) out[size_t(i * N + n0 + j)] = part[size_t(i * n + j)];
  }
}

TEST(MatmulSplit, LinearForwardByOutputColumns) {
  // 41 x 300 x 103 = 1.27 M multiply-adds: split at 2 and 3 threads, into uneven parts.
  const int64_t M = 41, K = 300, N = 103;
  auto x = sin_sequence(M * K, 0.7, 0.2), w = sin_sequence(N * K, 1.3, 0.5);
  auto bias = sin_sequence(N, 0.4, 0.9);
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    std::vector<float> out(static_cast<size_t>(M * N), -7.0f);
    {
      const ThreadCount tc(threads);
      linear_into(x, w, bias, M, K, 0, N, N, out);
    }
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        double sum = bias[size_t(j)];
        for (int64_t k = 0; k < K; ++k) sum += double(x[size_t(i * K + k)]) * w[size_t(j * K + k)];
        ASSERT_NEAR(out[size_t(i * N + j)], sum, 1e-4) << i << ", " << j;
      }
    }
    // Thread t's part is the one-thread product of output columns [N t / T, N (t + 1) / T).
    std::vector<float> parts(out.size(), -7.0f);
    const ThreadCount one(1);
    for (int t = 0; t < threads; ++t) {
      linear_into(x, w, bias, M, K, N * t / threads, N * (t + 1) / threads, N, parts);
    }
    EXPECT_EQ(out, parts);
  }
}

TEST(MatmulSplit, WeightGradientByOutputRows) {
  // dw [R, C] = dy^T x with dy [B, R] and x [B, C] row-major, as a linear layer's backward asks:
  // the left operand is a transposed view. 97 x 64 x 200 = 1.24 M multiply-adds.
  const int64_t B = 64, R = 97, C = 200;
  auto dy = sin_sequence(B * R, 0.9, 0.1), x = sin_sequence(B * C, 0.3, 0.6);
  auto product = [&](int64_t r0, int64_t r1, std::vector<float>& out) {
    const View a{dy.data() + r0, kFloat32, {1, r1 - r0, B}, {B * R, 1, R}};
    const View w{x.data(), kFloat32, {1, B, C}, {B * C, C, 1}};
    const View o{out.data() + r0 * C, kFloat32, {1, r1 - r0, C}, {R * C, C, 1}};
    matmul(a, w, o);
  };
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    std::vector<float> out(static_cast<size_t>(R * C), -7.0f);
    {
      const ThreadCount tc(threads);
      product(0, R, out);
    }
    for (int64_t r = 0; r < R; ++r) {
      for (int64_t c = 0; c < C; ++c) {
        double sum = 0;
        for (int64_t b = 0; b < B; ++b) sum += double(dy[size_t(b * R + r)]) * x[size_t(b * C + c)];
        ASSERT_NEAR(out[size_t(r * C + c)], sum, 1e-4) << r << ", " << c;
      }
    }
    std::vector<float> parts(out.size(), -7.0f);
    const ThreadCount one(1);
    for (int t = 0; t < threads; ++t) product(R * t / threads, R * (t + 1) / threads, parts);
    EXPECT_EQ(out, parts);
  }
}

}  // namespace
}  // namespace athanor::cpu
