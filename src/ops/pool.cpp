// src/ops/pool.cpp: max_pool2d, avg_pool2d and adaptive_avg_pool2d: argument checks (PyTorch's
// rules), the kernel calls and the backward rules.
//
// Backward: max pooling sends each dy to the input position its forward pass picked (saved as
// indices); average pooling spreads dy / divisor over its window; adaptive pooling spreads
// dy / bin size over its bin. Overlapping windows add up. The backward calls kernels directly, so
// it is not itself differentiable.
#include <string>

#include <athanor/ops/pool.h>
#include <athanor/ops/shape.h>

#include "ops/op_utils.h"
#include "ops/pool_window.h"

namespace athanor {
namespace {

using backend::Pool2dParams;
using Pair = std::array<int64_t, 2>;

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::string str(Pair v) { return fmt::format("[{}, {}]", v[0], v[1]); }

// PyTorch's pooling output size; with ceil_mode the last window must start inside the input or
// the left padding, else it is dropped.
int64_t output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation,
                    bool ceil_mode) {
  const int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  int64_t out = floor_div(span + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// The 4-D input (a batch of one for [C, H, W]) and what the kernels need.
struct Pooling {
  Tensor x;           // [N, C, H, W]
  bool batched;       // the input had a batch dimension
  Shape input_shape;  // as the caller gave it, for messages
  Shape out_shape;    // [N, C, H_out, W_out]
  Shape shape4() const { return batched ? input_shape : x.shape(); }
};

// The batch view of x after checking its rank and dtype.
Pooling batch_input(const char* op, const Tensor& x) {
  ATHANOR_CHECK(x.defined() && (x.dim() == 3 || x.dim() == 4),
                "{}: expected input of shape [N, C, H, W] or [C, H, W], got {}", op,
                x.defined() ? to_string(x.shape()) : "an undefined tensor");
  ops::check_floating(op, x);
  const bool batched = x.dim() == 4;
  const Tensor x4 = batched ? x : unsqueeze(x, 0);
  ATHANOR_CHECK(x4.shape()[1] > 0 && x4.shape()[2] > 0 && x4.shape()[3] > 0,
                "{}: expected non-empty channel and spatial dimensions, got input {}", op,
                x.shape());
  return {x4, batched, x.shape(), Shape{x4.shape()[0], x4.shape()[1], 0, 0}};
}

// Checks the window options (dilation only for max pooling) and sets the output size.
Pool2dParams check_window(const char* op, Pooling& pool, Pair kernel, Pair stride, Pair padding,
                          Pair dilation, bool ceil_mode, bool has_dilation) {
  ATHANOR_CHECK(kernel[0] > 0 && kernel[1] > 0, "{}: kernel_size must be positive, got {}", op,
                str(kernel));
  if (stride[0] == 0 && stride[1] == 0) stride = kernel;
  ATHANOR_CHECK(stride[0] > 0 && stride[1] > 0,
                "{}: stride must be positive (or [0, 0] for the kernel size), got {}", op,
                str(stride));
  ATHANOR_CHECK(padding[0] >= 0 && padding[1] >= 0, "{}: padding must be non-negative, got {}", op,
                str(padding));
  ATHANOR_CHECK(dilation[0] > 0 && dilation[1] > 0, "{}: dilation must be positive, got {}", op,
                str(dilation));
  ATHANOR_CHECK(padding[0] <= kernel[0] / 2 && padding[1] <= kernel[1] / 2,
                "{}: padding {} must be at most half of kernel_size {}; expected padding <= "
                "kernel_size / 2",
                op, str(padding), str(kernel));
  const Shape in = pool.shape4();
  const Pair out{output_size(in[2], kernel[0], stride[0], padding[0], dilation[0], ceil_mode),
                 output_size(in[3], kernel[1], stride[1], padding[1], dilation[1], ceil_mode)};
  ATHANOR_CHECK(out[0] >= 1 && out[1] >= 1,
                "{}: calculated output size {} is too small for input {} (kernel_size {}, stride "
                "{}, padding {}{}); expected each output size >= 1",
                op, str(out), pool.input_shape, str(kernel), str(stride), str(padding),
                has_dilation ? fmt::format(", dilation {}", str(dilation)) : "");
  pool.out_shape[2] = out[0];
  pool.out_shape[3] = out[1];
  return {kernel, stride, padding, dilation, true};
}

}  // namespace

std::pair<Pool2dParams, Shape> ops::max_pool2d_window(const Shape& input, Pair kernel_size,
                                                      Pair stride, Pair padding, Pair dilation,
                                                      bool ceil_mode) {
  Pooling pool{Tensor(), true, input, Shape{input[0], input[1], 0, 0}};
  const Pool2dParams p =
      check_window("max_pool2d", pool, kernel_size, stride, padding, dilation, ceil_mode, true);
  return {p, pool.out_shape};
}

namespace {

// y (4-D) back to the caller's rank.
Tensor unbatch(const Tensor& y, bool batched) { return batched ? y : squeeze(y, 0); }

}  // namespace

ValuesIndices max_pool2d_with_indices(const Tensor& x, Pair kernel_size, Pair stride, Pair padding,
                                      Pair dilation, bool ceil_mode) {
  Pooling pool = batch_input("max_pool2d", x);
  const Pool2dParams p =
      check_window("max_pool2d", pool, kernel_size, stride, padding, dilation, ceil_mode, true);
  const Tensor xc = contiguous(pool.x.detach());
  Tensor y = empty(pool.out_shape, x.dtype(), x.device());
  Tensor indices = empty(pool.out_shape, kInt64, x.device());
  kernels_for(x, "max_pool2d").max_pool2d(kernel_view(xc), kernel_view(y), kernel_view(indices), p);
  y = with_backward("max_pool2d", y, {pool.x}, [indices, x_shape = xc.shape()](const Tensor& dy) {
    const Tensor g = contiguous(dy);
    Tensor dx = empty(x_shape, g.dtype(), g.device());
    kernels_for(g, "max_pool2d")
        .max_pool2d_backward(kernel_view(g), kernel_view(indices), kernel_view(dx));
    return Grads{dx};
  });
  return {unbatch(y, pool.batched), unbatch(indices, pool.batched)};
}

Tensor max_pool2d(const Tensor& x, Pair kernel_size, Pair stride, Pair padding, Pair dilation,
                  bool ceil_mode) {
  return max_pool2d_with_indices(x, kernel_size, stride, padding, dilation, ceil_mode).values;
}

Tensor avg_pool2d(const Tensor& x, Pair kernel_size, Pair stride, Pair padding, bool ceil_mode,
                  bool count_include_pad) {
  Pooling pool = batch_input("avg_pool2d", x);
  Pool2dParams p =
      check_window("avg_pool2d", pool, kernel_size, stride, padding, {1, 1}, ceil_mode, false);
  p.count_include_pad = count_include_pad;
  const Tensor xc = contiguous(pool.x.detach());
  Tensor y = empty(pool.out_shape, x.dtype(), x.device());
  kernels_for(x, "avg_pool2d").avg_pool2d(kernel_view(xc), kernel_view(y), p);
  y = with_backward("avg_pool2d", y, {pool.x}, [p, x_shape = xc.shape()](const Tensor& dy) {
    const Tensor g = contiguous(dy);
    Tensor dx = empty(x_shape, g.dtype(), g.device());
    kernels_for(g, "avg_pool2d").avg_pool2d_backward(kernel_view(g), kernel_view(dx), p);
    return Grads{dx};
  });
  return unbatch(y, pool.batched);
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size) {
  Pooling pool = batch_input("adaptive_avg_pool2d", x);
  ATHANOR_CHECK(output_size[0] > 0 && output_size[1] > 0,
                "adaptive_avg_pool2d: output_size must be positive, got {}", str(output_size));
  pool.out_shape[2] = output_size[0];
  pool.out_shape[3] = output_size[1];
  const Tensor xc = contiguous(pool.x.detach());
  Tensor y = empty(pool.out_shape, x.dtype(), x.device());
  kernels_for(x, "adaptive_avg_pool2d").adaptive_avg_pool2d(kernel_view(xc), kernel_view(y));
  y = with_backward("adaptive_avg_pool2d", y, {pool.x}, [x_shape = xc.shape()](const Tensor& dy) {
    const Tensor g = contiguous(dy);
    Tensor dx = empty(x_shape, g.dtype(), g.device());
    kernels_for(g, "adaptive_avg_pool2d")
        .adaptive_avg_pool2d_backward(kernel_view(g), kernel_view(dx));
    return Grads{dx};
  });
  return unbatch(y, pool.batched);
}

}  // namespace athanor
