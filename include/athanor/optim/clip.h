// include/athanor/optim/clip.h: gradient clipping by global norm and by value (PyTorch's
// torch.nn.utils.clip_grad_norm_ and clip_grad_value_).
#pragma once

#include <limits>
#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor::optim {

/// Scales every gradient in place by min(1, max_norm / (total_norm + 1e-6)), where total_norm is
/// the norm of all gradients taken together as one vector: (sum |g|^p)^(1/p) for norm_type p > 0,
/// max |g| for infinity. Parameters without a gradient are skipped (0 if none has one). Returns
/// total_norm before clipping, summed in double precision in a fixed order. With
/// error_if_nonfinite, a NaN or infinite total norm throws instead of scaling (by NaN).
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every gradient element to [-clip_value, clip_value] in place (NaN stays NaN).
/// Parameters without a gradient are skipped.
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();

}  // namespace athanor::optim
