// include/athanor/ops/linalg.h: matrix products and the linear map of a dense layer.
#pragma once

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Matrix product with NumPy/PyTorch semantics: 1-D x 1-D is a dot product, 2-D x 2-D a matrix
/// product, a 1-D operand is treated as a row (left) or column (right) vector and that dimension
/// removed, and higher ranks are batches of matrices whose batch dimensions broadcast.
/// [..., M, K] x [..., K, N] -> [..., M, N]. float32 runs on oneDNN.
Tensor matmul(const Tensor& a, const Tensor& b);

/// PyTorch's F.linear: x [..., in] times weight [out, in] transposed, plus bias [out] when
/// defined -> [..., out]. One node, the bias fused into the product.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

/// relu(linear(x, weight, bias)) as one node, with the same values and gradients: the ReLU is
/// applied to the product's output in place. nn::Sequential runs a Linear followed by a ReLU so.
Tensor linear_relu(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

}  // namespace athanor
