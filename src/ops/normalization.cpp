// src/ops/normalization.cpp: batch_norm and layer_norm, each a single node with the analytic
// backward. Statistics are sums by the reduce kernel, which accumulates in double in a fixed order,
// so results do not depend on the thread count; the variance is two-pass (mean first), as
// E[x^2] - E[x]^2 loses precision when |mean| >> std.
#include <algorithm>
#include <utility>

#include <athanor/autograd/grad_mode.h>
#include <athanor/autograd/node.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/normalization.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

// t [N, C, *] summed over every dim but 1, as [C]: the trailing dims first (contiguous rows, no
// permuted copy), then N.
Tensor channel_sum(const Tensor& t) {
  const int64_t n = t.shape(0), c = t.shape(1);
  if (t.dim() == 2) return sum(t, {0});
  return sum(sum(reshape(t, Shape{n, c, t.numel() / std::max<int64_t>(n * c, 1)}), {2}), {0});
}

// A [C] tensor reshaped to broadcast along dim 1 of a rank-`rank` tensor: [1, C, 1, ...].
Tensor per_channel(const Tensor& t, int rank) {
  Shape s;
  s.resize(rank, 1);
  s[1] = t.numel();
  return reshape(t, s);
}

void check_channel_tensor(const char* what, const Tensor& t, const Tensor& x, bool same_dtype) {
  if (!t.defined()) return;
  const int64_t c = x.shape(1);
  ATHANOR_CHECK(t.dim() == 1 && t.shape(0) == c,
                "batch_norm: {} has shape {} but the input has {} channels (shape {}); expected "
                "[{}]",
                what, t.shape(), c, x.shape(), c);
  ATHANOR_CHECK(t.is_floating_point(), "batch_norm: expected a floating-point {}, got {}", what,
                t.dtype());
  ATHANOR_CHECK(!same_dtype || t.dtype() == x.dtype(),
                "batch_norm: {} is {} but the input is {}; expected the same dtype", what,
                t.dtype(), x.dtype());
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  ops::check_floating("batch_norm", x);
  ATHANOR_CHECK(x.dim() >= 2, "batch_norm: expected an input of shape [N, C] or [N, C, *], got {}",
                x.shape());
  check_channel_tensor("weight", weight, x, true);
  check_channel_tensor("bias", bias, x, true);
  check_channel_tensor("running_mean", running_mean, x, false);
  check_channel_tensor("running_var", running_var, x, false);
  ATHANOR_CHECK(running_mean.defined() == running_var.defined(),
                "batch_norm: running_mean is {} but running_var is {}; expected both or neither",
                running_mean.defined() ? "given" : "absent",
                running_var.defined() ? "given" : "absent");
  ATHANOR_CHECK(eps >= 0, "batch_norm: expected eps >= 0, got {}", eps);
  const int rank = x.dim();
  const int64_t channels = x.shape(1);
  const int64_t count = channels == 0 ? 0 : x.numel() / channels;  // values per channel

  const Tensor xd = x.detach();
  Tensor mean_c, rstd_c;  // [C], in x's dtype
  if (training) {
    ATHANOR_CHECK(count != 1,
                  "batch_norm: expected more than 1 value per channel when training, got input "
                  "shape {}",
                  x.shape());
    mean_c = channel_sum(xd) / static_cast<double>(count);
    const Tensor centered = xd - per_channel(mean_c, rank);
    const Tensor square_sum = channel_sum(centered * centered);
    rstd_c = rsqrt(square_sum / static_cast<double>(count) + eps);
    if (running_mean.defined() && count > 0) {  // an empty batch leaves them alone (as PyTorch)
      // Statistics, not part of the graph; the variance unbiased (n - 1), as PyTorch's.
      NoGradGuard no_grad;
      const Tensor unbiased = square_sum / static_cast<double>(count - 1);
      Tensor(running_mean).copy_(momentum * mean_c + (1.0 - momentum) * running_mean.detach());
      Tensor(running_var).copy_(momentum * unbiased + (1.0 - momentum) * running_var.detach());
    }
  } else {
    ATHANOR_CHECK(running_mean.defined(),
                  "batch_norm: eval mode (training = false) normalizes with running_mean and "
                  "running_var, but they are absent; pass them or training = true");
    mean_c = to(running_mean.detach(), x.dtype());
    rstd_c = rsqrt(to(running_var.detach(), x.dtype()) + eps);
  }

  // y = (x - mean) rstd w + b = x alpha + beta per channel, two passes over x (as PyTorch's CPU
  // kernel).
  const Tensor alpha = weight.defined() ? rstd_c * weight.detach() : rstd_c;
  Tensor beta = -(mean_c * alpha);
  if (bias.defined()) beta = beta + bias.detach();
  Tensor y = xd * per_channel(alpha, rank) + per_channel(beta, rank);

  const bool x_grad = x.requires_grad();
  const bool w_grad = weight.defined() && weight.requires_grad();
  const bool b_grad = bias.defined() && bias.requires_grad();
  // With xhat = (x - mean) rstd and g = dy, per channel over its n values:
  //   db = sum g, dw = sum g xhat;
  //   eval (constant statistics): dx = g w rstd;
  //   training (mean and rstd depend on x): dx = w rstd (g - db / n - xhat dw / n).
  return with_backward(
      "batch_norm", y, {x, weight, bias},
      [xd, mean_c, rstd_c, alpha, training, count, rank, x_grad, w_grad, b_grad](const Tensor& dy) {
        const Tensor xhat = (xd - per_channel(mean_c, rank)) * per_channel(rstd_c, rank);
        const Tensor db = channel_sum(dy);
        const Tensor dw = channel_sum(dy * xhat);
        Tensor dx;
        if (x_grad) {
          if (training) {
            const double n = static_cast<double>(count);
            dx = (dy - xhat * per_channel(dw / n, rank) - per_channel(db / n, rank)) *
                 per_channel(alpha, rank);
          } else {
            dx = dy * per_channel(alpha, rank);
          }
        }
        return Grads{dx, w_grad ? dw : Tensor(), b_grad ? db : Tensor()};
      });
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  ops::check_floating("layer_norm", x);
  const int k = normalized_shape.rank();
  bool matches = k >= 1 && k <= x.dim();
  for (int i = 0; matches && i < k; ++i) {
    matches = x.shape()[x.dim() - k + i] == normalized_shape[i];
  }
  ATHANOR_CHECK(matches,
                "layer_norm: normalized_shape {} does not match the trailing dimensions of the "
                "input shape {}; expected a non-empty suffix of it",
                normalized_shape, x.shape());
  for (const auto& [what, t] : {std::pair{"weight", weight}, std::pair{"bias", bias}}) {
    if (!t.defined()) continue;
    ATHANOR_CHECK(t.shape() == normalized_shape,
                  "layer_norm: {} has shape {}; expected normalized_shape {}", what, t.shape(),
                  normalized_shape);
    ATHANOR_CHECK(t.dtype() == x.dtype(),
                  "layer_norm: {} is {} but the input is {}; expected the same dtype", what,
                  t.dtype(), x.dtype());
  }
  ATHANOR_CHECK(eps >= 0, "layer_norm: expected eps >= 0, got {}", eps);

  // Rows of K normalized values: x as [M, K].
  const int64_t cols = normalized_shape.numel();
  int64_t rows = 1;
  for (int d = 0; d < x.dim() - k; ++d) rows *= x.shape()[d];
  const Tensor x2 = reshape(x.detach(), Shape{rows, cols});
  const double n = static_cast<double>(cols);
  const Tensor mean_r = sum(x2, {1}, /*keepdim=*/true) / n;  // [M, 1]
  const Tensor centered = x2 - mean_r;
  const Tensor rstd_r = rsqrt(sum(centered * centered, {1}, /*keepdim=*/true) / n + eps);
  const Tensor w_row = weight.defined() ? reshape(weight.detach(), Shape{cols}) : Tensor();
  Tensor y = centered * rstd_r;
  if (weight.defined()) y = y * w_row;
  if (bias.defined()) y = y + reshape(bias.detach(), Shape{cols});
  y = reshape(y, x.shape());

  const bool x_grad = x.requires_grad();
  const bool w_grad = weight.defined() && weight.requires_grad();
  const bool b_grad = bias.defined() && bias.requires_grad();
  // With xhat = (x - mean) rstd per row, g = dy and gx = g w (the gradient of xhat):
  //   db = sum over rows of g, dw = sum over rows of g xhat;
  //   dx = rstd (gx - mean_K(gx) - xhat mean_K(gx xhat)), mean_K over the row's K values.
  return with_backward("layer_norm", y, {x, weight, bias},
                       [x2, mean_r, rstd_r, w_row, n, x_grad, w_grad, b_grad, x_shape = x.shape(),
                        w_shape = normalized_shape](const Tensor& dy) {
                         const Tensor g = reshape(dy, x2.shape());
                         const Tensor xhat = (x2 - mean_r) * rstd_r;
                         Tensor dx, dw, db;
                         if (w_grad) dw = reshape(sum(g * xhat, {0}), w_shape);
                         if (b_grad) db = reshape(sum(g, {0}), w_shape);
                         if (x_grad) {
                           const Tensor gx = w_row.defined() ? g * w_row : g;
                           const Tensor mean_gx = sum(gx, {1}, /*keepdim=*/true) / n;
                           const Tensor mean_gx_xhat = sum(gx * xhat, {1}, /*keepdim=*/true) / n;
                           dx = reshape((gx - mean_gx - xhat * mean_gx_xhat) * rstd_r, x_shape);
                         }
                         return Grads{dx, dw, db};
                       });
}

}  // namespace athanor
