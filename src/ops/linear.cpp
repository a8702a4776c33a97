// src/ops/linear.cpp: linear(x, weight, bias) = x weight^T + bias as one node: the bias is fused
// into the product, and the gradients come out in the parameters' own layout.
//
// Backward of y = x W^T + b over rows: dx = dy W, dW = dy^T x (an [out, in] product, so the
// gradient is contiguous like W and accumulates without a transposing copy), db = sum of dy's rows.
// The backend's linear_backward computes the three (on the CPU at 2 threads, the two products at
// once). The backward pass runs without grad mode, so the gradients are values, not a graph.
//
// linear_relu has the backend apply the ReLU with the product (the CPU's linear_wide as it stores
// each tile, else in place after it), and its backward masks dy by y > 0 before the same three:
// one node, one output buffer and no separate pass over a fresh tensor each way.
// The mlp's two ReLUs took 4.7 and 2.0 us forward at one thread (6.5 and 2.9 at two: the product's
// output, half of it in the other core's cache, read by one thread into a new tensor).
#include <athanor/ops/linalg.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"

namespace athanor {

namespace {

Tensor linear_node(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                   bool relu) {
  ATHANOR_CHECK(weight.dim() == 2, "{}: expected a weight of shape [out, in], got shape {}", op,
                weight.shape());
  const int64_t out_features = weight.shape(0), in_features = weight.shape(1);
  ATHANOR_CHECK(x.dim() >= 1 && x.shape(-1) == in_features,
                "{}: input shape {} does not end with the weight's {} input features "
                "(weight shape {})",
                op, x.shape(), in_features, weight.shape());
  ATHANOR_CHECK(!bias.defined() || bias.shape() == Shape({out_features}),
                "{}: expected a bias of shape [{}], got shape {}", op, out_features,
                bias.defined() ? bias.shape() : Shape{});
  ops::check_same_device(op, x, weight);
  // Mixed dtypes compute in the promoted one, as matmul and + do.
  DType dtype = promote_types(x.dtype(), weight.dtype());
  if (bias.defined()) dtype = promote_types(dtype, bias.dtype());
  if (x.dtype() != dtype || weight.dtype() != dtype || (bias.defined() && bias.dtype() != dtype)) {
    return linear_node(op, x.to(dtype), weight.to(dtype), bias.defined() ? bias.to(dtype) : bias,
                       relu);
  }
  ops::check_floating(op, x);

  // [..., in] as rows [M, in] (a view when x's rows are contiguous).
  Shape out_shape = x.shape();
  out_shape[out_shape.rank() - 1] = out_features;
  const Tensor rows = x.dim() == 2 ? x : reshape(x, Shape{-1, in_features});
  const Tensor b = bias.defined() ? contiguous(bias) : Tensor();
  Tensor y = empty(Shape{rows.shape(0), out_features}, x.dtype(), x.device());
  const backend::View bias_view = b.defined() ? kernel_view(b) : backend::View{};
  const backend::KernelTable& kernels = kernels_for(x, op);
  kernels.linear(kernel_view(rows), kernel_view(weight), b.defined() ? &bias_view : nullptr,
                 kernel_view(y), relu);
  const bool need_db = bias.defined() && bias.requires_grad();
  // The forward output, for the ReLU's mask (only then: a plain linear node keeps no output).
  const Tensor out = relu ? y : Tensor();
  y = with_backward(op, y, {rows, weight, bias}, [rows, weight, need_db, out](const Tensor& dy) {
    const bool need_dx = rows.requires_grad(), need_dw = weight.requires_grad();
    Tensor dx, dw, db;
    Tensor g = contiguous(dy);
    if (out.defined()) {
      // d relu = dy where y > 0, else 0 (as relu's backward), into a new tensor: dy may be shared.
      Tensor masked = empty(g.shape(), g.dtype(), g.device());
      kernels_for(g, "relu").binary(backend::BinaryOp::kReluBackward, kernel_view(g),
                                    kernel_view(out), kernel_view(masked));
      g = masked;
    }
    backend::View dxv, dwv, dbv;
    if (need_dx) dx = empty(rows.shape(), g.dtype(), g.device()), dxv = kernel_view(dx);
    if (need_dw) dw = empty(weight.shape(), g.dtype(), g.device()), dwv = kernel_view(dw);
    if (need_db) db = empty(Shape{g.shape(1)}, g.dtype(), g.device()), dbv = kernel_view(db);
    kernels_for(g, "linear")
        .linear_backward(kernel_view(rows), kernel_view(weight), kernel_view(g),
                         need_dx ? &dxv : nullptr, need_dw ? &dwv : nullptr,
                         need_db ? &dbv : nullptr);
    return Grads{dx, dw, db};
  });
  return x.dim() == 2 ? y : reshape(y, out_shape);
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return linear_node("linear", x, weight, bias, false);
}

Tensor linear_relu(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return linear_node("linear_relu", x, weight, bias, true);
}

}  // namespace athanor
