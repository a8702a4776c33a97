// src/ops/op_utils.h: helpers shared by the op families: argument checks, kernel launches on new
// outputs, dtype promotion.
#pragma once

#include <athanor/autograd/node.h>
#include <athanor/tensor/tensor.h>

#include "backend/kernels.h"
#include "tensor/kernel_view.h"

namespace athanor::ops {

/// Throws "<op>: expected a floating-point tensor, got int64" for other dtypes.
void check_floating(const char* op, const Tensor& x);
/// Throws when a and b live on different devices.
void check_same_device(const char* op, const Tensor& a, const Tensor& b);

/// y = kernel(x) for a unary kernel op, into a new contiguous tensor of x's shape.
Tensor run_unary(const char* op, backend::UnaryOp kernel, const Tensor& x,
                 std::optional<DType> out_dtype = {});
/// out = kernel(a, b) with broadcasting, into a new contiguous tensor. a and b must already have
/// the same dtype.
Tensor run_binary(const char* op, backend::BinaryOp kernel, const Tensor& a, const Tensor& b,
                  std::optional<DType> out_dtype = {});

/// a and b converted to their promoted dtype.
std::pair<Tensor, Tensor> promote(const Tensor& a, const Tensor& b);

}  // namespace athanor::ops
