// include/athanor/ops/normalization.h: batch and layer normalization, each one autograd node with
// its analytic backward.
#pragma once

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Batch normalization over dim 1 of x [N, C] or [N, C, *]. training: normalizes with the batch
/// statistics (biased variance) and, if running_mean/running_var are defined, updates them in place
/// without recording autograd: running = (1 - momentum) running + momentum * batch_stat, the
/// running variance using the UNBIASED batch variance (as PyTorch). Eval: uses the running stats.
/// weight/bias: [C] or undefined.
/// y = (x - mean) / sqrt(var + eps) * weight + bias, statistics per channel over N and *.
/// Training needs more than one value per channel; eval needs both running statistics.
/// Statistics accumulate in double, in an order independent of the thread count.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum = 0.1,
                  double eps = 1e-5);

/// Normalizes over the trailing dims given by normalized_shape; weight/bias of that shape or
/// undefined.
/// x: [..., *normalized_shape]; y = (x - mean) / sqrt(var + eps) * weight + bias with the mean and
/// biased variance of each sample over the normalized dims.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace athanor
