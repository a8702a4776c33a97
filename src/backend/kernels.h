// src/backend/kernels.h: the kernel table a backend implements, over strided views of raw buffers.
//
// Kernels know nothing of Tensor or autograd: they take Views (pointer, dtype, shape, strides) and
// write into outputs the caller allocated. Ops check their arguments before calling a kernel, so
// kernels only assert their own invariants.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <athanor/core/device.h>
#include <athanor/core/dtype.h>
#include <athanor/core/shape.h>

namespace athanor::backend {

/// A strided window on a buffer: element (i0, i1, ...) is at data + sum(ik * strides[k]) elements.
struct View {
  void* data = nullptr;
  DType dtype = kFloat32;
  Shape shape;
  Shape strides;  // in elements; 0 for a broadcast dimension
};

enum class UnaryOp : uint8_t {
  kNeg,
  kExp,
  kLog,
  kLog1p,
  kExpm1,
  kSqrt,
  kRsqrt,
  kAbs,
  kSign,
  kTanh,
  kSigmoid,
  kRelu,
  kSin,
  kCos,
  kErf,
  kLogicalNot
};

enum class BinaryOp : uint8_t {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kMaximum,
  kMinimum,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,               // write bool
  kReluBackward,     // out = b > 0 ? a : 0 (a = dy, b = y)
  kSigmoidBackward,  // out = a * b * (1 - b) (a = dy, b = y)
  kTanhBackward,     // out = a * (1 - b * b) (a = dy, b = y)
};

enum class ReduceOp : uint8_t { kSum, kMax, kMin };

/// The geometry of a 2-D convolution, per spatial dimension (height, width): stride, zero padding
/// on both sides and dilation; `groups` splits the channels into that many independent
/// convolutions.
struct Conv2dParams {
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
  int64_t groups = 1;
  friend bool operator==(const Conv2dParams&, const Conv2dParams&) = default;
};

/// The windows of a 2-D pooling (height, width): output element o reads input positions
/// o * stride - padding + i * dilation, i < kernel_size. The output size (which ceil_mode decides)
/// is the output view's.
struct Pool2dParams {
  std::array<int64_t, 2> kernel_size{1, 1};
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> padding{0, 0};
  std::array<int64_t, 2> dilation{1, 1};
  bool count_include_pad = true;  // avg_pool2d: divide by the window size including padding
  friend bool operator==(const Pool2dParams&, const Pool2dParams&) = default;
};

/// Function pointers for one device. Shapes of the views passed together always agree (inputs are
/// already broadcast to the output's shape, with zero strides).
struct KernelTable {
  /// dst = src, converting dtype; src may be strided or broadcast.
  void (*copy)(const View& src, const View& dst);
  /// Every element of dst = value.
  void (*fill)(const View& dst, double value);
  /// dst[i] = start + i * step over dst's elements in row-major order (dst contiguous).
  void (*iota)(const View& dst, double start, double step);
  /// y = op(x), same dtype (kLogicalNot: bool).
  void (*unary)(UnaryOp op, const View& x, const View& y);
  /// out = op(a, b); a and b have the same dtype; out has it too, or bool for comparisons.
  void (*binary)(BinaryOp op, const View& a, const View& b, const View& out);
  /// out = cond ? a : b.
  void (*where)(const View& cond, const View& a, const View& b, const View& out);
  /// Reduces contiguous x over its dims [begin_dim, end_dim) into contiguous out (x's shape with
  /// those dims removed or 1). For kMax/kMin, `indices` (int64, out's shape; may be null) receives
  /// the flat index within the reduced dims of the first extreme value (of the first NaN if any).
  void (*reduce)(ReduceOp op, const View& x, int begin_dim, int end_dim, const View& out,
                 const View* indices);
  /// y = softmax(x) or log_softmax(x) along `dim`; x, y contiguous.
  void (*softmax)(const View& x, int dim, bool log, const View& y);
  /// dx from dy and the forward output y along `dim`; all contiguous.
  void (*softmax_backward)(const View& dy, const View& y, int dim, bool log, const View& dx);
  /// Cross-entropy of logit rows x [N, C] (contiguous, floating) against class indices target
  /// (int64 [N], each in [0, C)): loss[i] = log sum_c exp(x[i, c]) - x[i, target[i]], and p [N, C]
  /// = softmax(x) rows, kept for the backward pass.
  void (*cross_entropy)(const View& x, const View& target, const View& loss, const View& p);
  /// dx [N, C] = (p - onehot(target)) g[i] from cross_entropy's p, computed as p g - g at the
  /// target; g [N] may be a broadcast scalar (stride 0).
  void (*cross_entropy_backward)(const View& p, const View& target, const View& g, const View& dx);
  /// out[b] = a[b] @ w[b] for 3-D views [B, M, K] x [B, K, N] -> [B, M, N] (out contiguous;
  /// a and w may be transposed or broadcast over B through their strides).
  void (*matmul)(const View& a, const View& w, const View& out);
  /// out = x @ w^T (+ bias [N] on every row when not null), then with `relu` max(out, 0) in place
  /// (NaN passes, as UnaryOp::kRelu): x [M, K] and w [N, K] may be strided, out [M, N]
  /// contiguous. A linear layer's forward, bias and activation fused into the product.
  void (*linear)(const View& x, const View& w, const View* bias, const View& out, bool relu);
  /// The gradients of y = x @ w^T + b from dy [M, N] (contiguous): dx [M, K] = dy @ w, dw [N, K] =
  /// dy^T @ x and db [N] = the sum of dy's rows, each computed only where its view (contiguous) is
  /// not null; each the bits that matmul and reduce give it alone.
  void (*linear_backward)(const View& x, const View& w, const View& dy, const View* dx,
                          const View* dw, const View* db);
  /// out = x.index_select(dim, index) (index int64, 1-D, in range).
  void (*index_select)(const View& x, int dim, const View& index, const View& out);
  /// out.index_add_(dim, index, src): out[.., index[i], ..] += src[.., i, ..].
  void (*index_add)(const View& out, int dim, const View& index, const View& src);
  /// out = x.gather(dim, index).
  void (*gather)(const View& x, int dim, const View& index, const View& out);
  /// out.scatter_add_(dim, index, src): out[.., index[i][j].., ..] += src[i][j]...
  void (*scatter_add)(const View& out, int dim, const View& index, const View& src);

  // Convolution and pooling over contiguous NCHW views (x [N, C, H, W], y [N, C', H_out, W_out]),
  // float32 and float64.
  /// y = conv2d(x, w) (+ bias [C_out] when not null); w [C_out, C_in / groups, kH, kW].
  void (*conv2d)(const View& x, const View& w, const View* bias, const View& y,
                 const Conv2dParams& p);
  /// dx = the gradient of conv2d with respect to x, from dy and w.
  void (*conv2d_backward_data)(const View& dy, const View& w, const View& dx,
                               const Conv2dParams& p);
  /// dw (and dbias [C_out] when not null) = the gradients of conv2d with respect to w and bias.
  void (*conv2d_backward_weights)(const View& x, const View& dy, const View& dw, const View* dbias,
                                  const Conv2dParams& p);
  /// y = max_pool2d(conv2d(x, w) + bias) with max_pool2d's indices, without the convolution's
  /// output in memory, where the backend has such a kernel; returns false, having written
  /// nothing, where it has not.
  bool (*conv2d_max_pool2d)(const View& x, const View& w, const View* bias, const View& y,
                            const View& indices, const Conv2dParams& cp, const Pool2dParams& pp);
  /// conv2d_backward_weights for the convolution's gradient max_pool2d_backward(dy, indices),
  /// from the pooled dy; false, having written nothing, where the backend has no such kernel
  /// (the caller then builds that gradient and runs conv2d_backward_weights).
  bool (*conv2d_max_pool2d_backward_weights)(const View& x, const View& dy, const View& indices,
                                             const View& dw, const View* dbias,
                                             const Conv2dParams& p);
  /// Both gradients of conv2d_max_pool2d's convolution from the pooled dy: dx as
  /// conv2d_backward_data and dw, db (db may be null) as conv2d_backward_weights give them from
  /// max_pool2d_backward(dy, indices), with the same bits, where the backend has a kernel that
  /// skips that gradient in NCHW; false, having written nothing, where it has none.
  bool (*conv2d_max_pool2d_backward)(const View& x, const View& w, const View& dy,
                                     const View& indices, const View& dx, const View& dw,
                                     const View* db, const Conv2dParams& p);
  /// y = the maximum of each window; indices (int64, y's shape) = its position h * W + w in x's
  /// plane: the first maximum, or the last NaN, as PyTorch.
  void (*max_pool2d)(const View& x, const View& y, const View& indices, const Pool2dParams& p);
  /// dx = 0, then dx[n, c].flat[indices[n, c, i, j]] += dy[n, c, i, j].
  void (*max_pool2d_backward)(const View& dy, const View& indices, const View& dx);
  /// y = the mean of each window (windows are not dilated), divided as PyTorch's avg_pool2d.
  void (*avg_pool2d)(const View& x, const View& y, const Pool2dParams& p);
  void (*avg_pool2d_backward)(const View& dy, const View& dx, const Pool2dParams& p);
  /// y[i, j] = the mean of x over rows floor(i H / H_out) .. ceil((i + 1) H / H_out) - 1, and the
  /// same for columns.
  void (*adaptive_avg_pool2d)(const View& x, const View& y);
  void (*adaptive_avg_pool2d_backward)(const View& dy, const View& dx);
};

/// The kernels of device `d`, or an error naming the op: "tanh: no kernel for device cuda:0".
const KernelTable& kernels(Device d, const char* op);

/// The CPU's table.
const KernelTable& cpu_kernels();

}  // namespace athanor::backend
