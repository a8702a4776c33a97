// src/backend/cpu/linear_backward.cpp: a linear layer's gradients, the input's and the weight's
// products run at once at 2 threads.
//
// dx = dy @ w and dw = dy^T @ x take the same multiply-adds (M N K each). For a small layer (the
// mlp's 64 x 256 x 128), each product split in two between the cores runs in 0.65-0.75 of its
// one-thread time, since each half packs the whole of the shared operand again and a parallel
// region costs a few microseconds; the two whole products side by side, one on each core, avoid
// both and give the same bits as one after the other (each is a one-thread product either way).
// A layer of up to 16 outputs (a classifier's last) takes linear_narrow_backward instead, on the
// calling thread at these sizes.
#include <athanor/core/parallel.h>

#include "backend/cpu/cpu_kernels.h"
#include "backend/cpu/linear_narrow.h"
#include "backend/cpu/two_threads.h"

namespace athanor::cpu {
namespace {

// Products of up to this many multiply-adds run side by side; larger ones are split themselves.
constexpr int64_t kSideBySideMost = int64_t{1} << 23;
// Below this, a parallel region costs more than the smaller product.
constexpr int64_t kSideBySideLeast = int64_t{1} << 16;

// A 2-D view as the batch of one that matmul takes (as ops' matmul passes a 2-D operand).
View batch_of_one(View v) {
  v.shape.insert(0, 1);
  v.strides.insert(0, 0);
  return v;
}

View transposed(View v) {
  std::swap(v.shape[0], v.shape[1]);
  std::swap(v.strides[0], v.strides[1]);
  return v;
}

// A contiguous 2-D output as matmul's [1, rows, cols].
View output_of(View v) {
  v.strides.insert(0, v.shape[0] * v.shape[1]);
  v.shape.insert(0, 1);
  return v;
}

}  // namespace

void linear_backward(const View& x, const View& w, const View& dy, const View* dx, const View* dw,
                     const View* db) {
  const int64_t M = dy.shape[0], N = dy.shape[1], K = w.shape[1];
  auto bias_grad = [&] {
    if (db) {
      const View sums{db->data, db->dtype, Shape{1, N}, Shape{N, 1}};
      reduce(ReduceOp::kSum, dy, 0, 1, sums, nullptr);
    }
  };
  auto input_grad = [&] {
    if (dx) matmul(batch_of_one(dy), batch_of_one(w), output_of(*dx));
    bias_grad();
  };
  auto weight_grad = [&] {
    if (dw) matmul(batch_of_one(transposed(dy)), batch_of_one(x), output_of(*dw));
  };
  if (linear_narrow_backward_applies(x, w, dy, dx, dw)) {
    linear_narrow_backward(x, w, dy, dx, dw);
    bias_grad();
    return;
  }
  const int64_t macs = M * N * K;
  if (dx && dw && dy.dtype == kFloat32 && get_num_threads() == 2 && !in_parallel_region() &&
      macs >= kSideBySideLeast && macs <= kSideBySideMost) {
    on_two_threads([&](int t) { t == 0 ? input_grad() : weight_grad(); });
    return;
  }
  input_grad();
  weight_grad();
}

}  // namespace athanor::cpu
