// src/ops/conv.cpp: conv1d and conv2d: argument checks, the kernel calls and the backward rule.
//
// conv1d is conv2d on [N, C, 1, L] views. For y = conv2d(x, w) + b the gradients are the
// kernels' other two passes: dx = conv2d_backward_data(dy, w) (the transposed convolution of dy),
// and dw, db = conv2d_backward_weights(x, dy), with db[o] = sum of dy[:, o] over batch and space.
// The backward calls kernels directly, so it is not itself differentiable.
#include <string>

#include <athanor/ops/conv.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"
#include "ops/pool_window.h"

namespace athanor {
namespace {

using backend::Conv2dParams;

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// A size pair as the caller wrote it: "[1, 2]" for conv2d, "2" for conv1d (which keeps its
// length in the second entry).
std::string sizes(std::array<int64_t, 2> v, int spatial) {
  return spatial == 1 ? fmt::format("{}", v[1]) : fmt::format("[{}, {}]", v[0], v[1]);
}

// Checks x, weight, bias and the options of a convolution with `spatial` (1 or 2) spatial
// dimensions and returns its output shape.
Shape check_conv(const char* op, int spatial, const Tensor& x, const Tensor& weight,
                 const Tensor& bias, const Conv2dParams& p) {
  const bool one = spatial == 1;
  ATHANOR_CHECK(x.defined() && x.dim() == spatial + 2, "{}: expected input of shape {}, got {}", op,
                one ? "[N, C, L]" : "[N, C, H, W]",
                x.defined() ? to_string(x.shape()) : "an undefined tensor");
  ATHANOR_CHECK(weight.defined() && weight.dim() == spatial + 2,
                "{}: expected weight of shape {}, got {}", op,
                one ? "[C_out, C_in / groups, K]" : "[C_out, C_in / groups, kH, kW]",
                weight.defined() ? to_string(weight.shape()) : "an undefined tensor");
  ops::check_floating(op, x);
  ATHANOR_CHECK(weight.dtype() == x.dtype(),
                "{}: input is {} but weight is {}; expected the same dtype", op, x.dtype(),
                weight.dtype());
  ops::check_same_device(op, x, weight);
  if (bias.defined()) {
    ATHANOR_CHECK(bias.dtype() == x.dtype(),
                  "{}: input is {} but bias is {}; expected the same dtype", op, x.dtype(),
                  bias.dtype());
    ops::check_same_device(op, x, bias);
  }
  const int first = 2 - spatial;  // the entries of the size pairs in use
  for (int d = first; d < 2; ++d) {
    ATHANOR_CHECK(p.stride[d] > 0, "{}: stride must be positive, got {}", op,
                  sizes(p.stride, spatial));
    ATHANOR_CHECK(p.padding[d] >= 0, "{}: padding must be non-negative, got {}", op,
                  sizes(p.padding, spatial));
    ATHANOR_CHECK(p.dilation[d] > 0, "{}: dilation must be positive, got {}", op,
                  sizes(p.dilation, spatial));
  }
  ATHANOR_CHECK(p.groups > 0, "{}: groups must be positive, got {}", op, p.groups);
  ATHANOR_CHECK(weight.numel() > 0, "{}: weight {} has a dimension of size 0", op, weight.shape());
  const int64_t out_channels = weight.shape()[0];
  ATHANOR_CHECK(out_channels % p.groups == 0,
                "{}: weight {} has {} output channels, not divisible by groups={}", op,
                weight.shape(), out_channels, p.groups);
  ATHANOR_CHECK(x.shape()[1] == weight.shape()[1] * p.groups,
                "{}: input has {} channels but weight {} expects {} (groups={})", op, x.shape()[1],
                weight.shape(), weight.shape()[1] * p.groups, p.groups);
  if (bias.defined()) {
    ATHANOR_CHECK(bias.dim() == 1 && bias.shape()[0] == out_channels,
                  "{}: expected bias of shape [{}] (one per output channel), got {}", op,
                  out_channels, bias.shape());
  }
  // PyTorch's size: out = floor((in + 2 padding - dilation (kernel - 1) - 1) / stride) + 1.
  std::array<int64_t, 2> in{1, 1}, kernel{1, 1}, extent{1, 1}, out{1, 1};
  for (int d = first; d < 2; ++d) {
    in[d] = x.shape()[d + spatial];  // pair entry d is tensor dimension d + spatial
    kernel[d] = weight.shape()[d + spatial];
    extent[d] = p.dilation[d] * (kernel[d] - 1) + 1;
    out[d] = floor_div(in[d] + 2 * p.padding[d] - extent[d], p.stride[d]) + 1;
  }
  ATHANOR_CHECK(out[0] >= 1 && out[1] >= 1,
                "{}: calculated output size {} is too small: input size {} with padding {} is "
                "smaller than the dilated kernel size {}; expected input + 2 * padding >= "
                "dilation * (kernel - 1) + 1",
                op, sizes(out, spatial), sizes(in, spatial), sizes(p.padding, spatial),
                sizes(extent, spatial));
  Shape shape{x.shape()[0], out_channels};
  for (int d = first; d < 2; ++d) shape.push_back(out[d]);
  return shape;
}

// The convolution of checked 4-D x and weight, recorded as `op`.
Tensor conv2d_checked(const char* op, const Tensor& x, const Tensor& weight, const Tensor& bias,
                      const Conv2dParams& p, const Shape& out_shape) {
  const Tensor xc = contiguous(x.detach()), wc = contiguous(weight.detach());
  const Tensor bc = bias.defined() ? contiguous(bias.detach()) : Tensor();
  Tensor y = empty(out_shape, x.dtype(), x.device());
  const backend::View bv = bc.defined() ? kernel_view(bc) : backend::View{};
  kernels_for(x, op).conv2d(kernel_view(xc), kernel_view(wc), bc.defined() ? &bv : nullptr,
                            kernel_view(y), p);
  const bool need_dx = x.requires_grad(), need_dw = weight.requires_grad();
  const bool need_db = bias.defined() && bias.requires_grad();
  // Keep only what the gradients needed read: w for dx, x for dw.
  const Tensor saved_w = need_dx ? wc : Tensor(), saved_x = need_dw ? xc : Tensor();
  return with_backward(op, y, {x, weight, bias},
                       [op, p, saved_w, saved_x, need_dx, need_dw, need_db, x_shape = x.shape(),
                        w_shape = weight.shape()](const Tensor& dy) {
                         const Tensor g = contiguous(dy);
                         const backend::KernelTable& k = kernels_for(g, op);
                         Tensor dx, dw, db;
                         if (need_dx) {
                           dx = empty(x_shape, g.dtype(), g.device());
                           k.conv2d_backward_data(kernel_view(g), kernel_view(saved_w),
                                                  kernel_view(dx), p);
                         }
                         if (need_dw) {
                           dw = empty(w_shape, g.dtype(), g.device());
                           if (need_db) db = empty(Shape{w_shape[0]}, g.dtype(), g.device());
                           const backend::View dbv = need_db ? kernel_view(db) : backend::View{};
                           k.conv2d_backward_weights(kernel_view(saved_x), kernel_view(g),
                                                     kernel_view(dw), need_db ? &dbv : nullptr, p);
                         } else if (need_db) {
                           db = sum(g, {0, 2, 3});
                         }
                         return Grads{dx, dw, db};
                       });
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride,
              int64_t padding, int64_t dilation, int64_t groups) {
  const Conv2dParams p{{1, stride}, {0, padding}, {1, dilation}, groups};
  const Shape out = check_conv("conv1d", 1, x, weight, bias, p);
  const Tensor y = conv2d_checked("conv1d", unsqueeze(x, 2), unsqueeze(weight, 2), bias, p,
                                  Shape{out[0], out[1], 1, out[2]});
  return squeeze(y, 2);
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
              std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
              std::array<int64_t, 2> dilation, int64_t groups) {
  const Conv2dParams p{stride, padding, dilation, groups};
  const Shape out = check_conv("conv2d", 2, x, weight, bias, p);
  return conv2d_checked("conv2d", x, weight, bias, p, out);
}

Tensor conv2d_max_pool2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                         std::array<int64_t, 2> stride, std::array<int64_t, 2> padding,
                         std::array<int64_t, 2> dilation, int64_t groups,
                         std::array<int64_t, 2> pool_kernel_size,
                         std::array<int64_t, 2> pool_stride, std::array<int64_t, 2> pool_padding,
                         std::array<int64_t, 2> pool_dilation, bool ceil_mode) {
  const Conv2dParams p{stride, padding, dilation, groups};
  const Shape conv_shape = check_conv("conv2d", 2, x, weight, bias, p);
  const auto [pool, out_shape] = ops::max_pool2d_window(conv_shape, pool_kernel_size, pool_stride,
                                                        pool_padding, pool_dilation, ceil_mode);
  const backend::KernelTable& k = kernels_for(x, "conv2d_max_pool2d");
  const Tensor xc = contiguous(x.detach()), wc = contiguous(weight.detach());
  const Tensor bc = bias.defined() ? contiguous(bias.detach()) : Tensor();
  const backend::View bv = bc.defined() ? kernel_view(bc) : backend::View{};
  const backend::View* bp = bc.defined() ? &bv : nullptr;
  Tensor y = empty(out_shape, x.dtype(), x.device());
  const Tensor indices = empty(out_shape, kInt64, x.device());
  const bool fused = k.conv2d_max_pool2d != nullptr &&
                     k.conv2d_max_pool2d(kernel_view(xc), kernel_view(wc), bp, kernel_view(y),
                                         kernel_view(indices), p, pool);
  if (!fused) {  // the two kernels, the convolution's output in between
    const Tensor conv = empty(conv_shape, x.dtype(), x.device());
    k.conv2d(kernel_view(xc), kernel_view(wc), bp, kernel_view(conv), p);
    k.max_pool2d(kernel_view(conv), kernel_view(y), kernel_view(indices), pool);
  }
  const bool need_dx = x.requires_grad(), need_dw = weight.requires_grad();
  const bool need_db = bias.defined() && bias.requires_grad();
  const Tensor saved_w = need_dx ? wc : Tensor(), saved_x = need_dw ? xc : Tensor();
  return with_backward(
      "conv2d_max_pool2d", y, {x, weight, bias},
      [p, fused, saved_w, saved_x, indices, need_dx, need_dw, need_db, conv_shape,
       x_shape = x.shape(), w_shape = weight.shape()](const Tensor& dy) {
        const Tensor g = contiguous(dy);
        const backend::KernelTable& kg = kernels_for(g, "conv2d_max_pool2d");
        Tensor dx = need_dx ? empty(x_shape, g.dtype(), g.device()) : Tensor();
        Tensor dw = need_dw ? empty(w_shape, g.dtype(), g.device()) : Tensor();
        Tensor db = need_db && need_dw ? empty(Shape{w_shape[0]}, g.dtype(), g.device()) : Tensor();
        const backend::View dbv = db.defined() ? kernel_view(db) : backend::View{};
        const backend::View* dbp = db.defined() ? &dbv : nullptr;
        // From the pooled gradient where the backend has kernels for it: both gradients, or the
        // weight gradient one convolution plane at a time.
        bool dx_done = false, dw_done = false;
        if (fused && need_dx && need_dw && kg.conv2d_max_pool2d_backward != nullptr) {
          dx_done = dw_done = kg.conv2d_max_pool2d_backward(
              kernel_view(saved_x), kernel_view(saved_w), kernel_view(g), kernel_view(indices),
              kernel_view(dx), kernel_view(dw), dbp, p);
        }
        if (fused && need_dw && !dw_done) {
          dw_done = kg.conv2d_max_pool2d_backward_weights(
              kernel_view(saved_x), kernel_view(g), kernel_view(indices), kernel_view(dw), dbp, p);
        }
        Tensor dconv;
        if ((need_dx && !dx_done) || (need_dw && !dw_done) || (need_db && !need_dw)) {
          // The convolution's gradient in full, as max_pool2d's backward gives it.
          dconv = empty(conv_shape, g.dtype(), g.device());
          kg.max_pool2d_backward(kernel_view(g), kernel_view(indices), kernel_view(dconv));
        }
        if (need_dx && !dx_done) {
          kg.conv2d_backward_data(kernel_view(dconv), kernel_view(saved_w), kernel_view(dx), p);
        }
        if (need_dw && !dw_done) {
          kg.conv2d_backward_weights(kernel_view(saved_x), kernel_view(dconv), kernel_view(dw), dbp,
                                     p);
        } else if (need_db && !need_dw) {
          db = sum(dconv, {0, 2, 3});
        }
        return Grads{dx, dw, db};
      });
}

}  // namespace athanor
