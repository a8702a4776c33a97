// src/backend/cpu/cpu_kernels.h: the CPU implementations behind backend::KernelTable.
#pragma once

#include "backend/kernels.h"

namespace athanor::cpu {

using backend::BinaryOp;
using backend::ReduceOp;
using backend::UnaryOp;
using backend::View;

void copy(const View& src, const View& dst);
void fill(const View& dst, double value);
void iota(const View& dst, double start, double step);
void unary(UnaryOp op, const View& x, const View& y);
void binary(BinaryOp op, const View& a, const View& b, const View& out);
void where(const View& cond, const View& a, const View& b, const View& out);
void reduce(ReduceOp op, const View& x, int begin_dim, int end_dim, const View& out,
            const View* indices);
void softmax(const View& x, int dim, bool log, const View& y);
void softmax_backward(const View& dy, const View& y, int dim, bool log, const View& dx);
void cross_entropy(const View& x, const View& target, const View& loss, const View& p);
void cross_entropy_backward(const View& p, const View& target, const View& g, const View& dx);
void matmul(const View& a, const View& w, const View& out);
void linear(const View& x, const View& w, const View* bias, const View& out, bool relu);
void linear_backward(const View& x, const View& w, const View& dy, const View* dx, const View* dw,
                     const View* db);
void index_select(const View& x, int dim, const View& index, const View& out);
void index_add(const View& out, int dim, const View& index, const View& src);
void gather(const View& x, int dim, const View& index, const View& out);
void scatter_add(const View& out, int dim, const View& index, const View& src);

using backend::Conv2dParams;
using backend::Pool2dParams;
void conv2d(const View& x, const View& w, const View* bias, const View& y, const Conv2dParams& p);
void conv2d_backward_data(const View& dy, const View& w, const View& dx, const Conv2dParams& p);
void conv2d_backward_weights(const View& x, const View& dy, const View& dw, const View* dbias,
                             const Conv2dParams& p);
/// The kernel table's conv2d_max_pool2d: the few-channel kernel for a first layer, else (float32)
/// oneDNN's convolution pooled from its channel-blocked output; false where neither applies.
bool conv2d_max_pool2d(const View& x, const View& w, const View* bias, const View& y,
                       const View& indices, const Conv2dParams& cp, const Pool2dParams& pp);
/// The kernel table's conv2d_max_pool2d_backward: oneDNN's backward primitives fed the
/// convolution's gradient built in their channel-blocked layout; false where they read another.
bool conv2d_max_pool2d_backward(const View& x, const View& w, const View& dy, const View& indices,
                                const View& dx, const View& dw, const View* db,
                                const Conv2dParams& p);
void max_pool2d(const View& x, const View& y, const View& indices, const Pool2dParams& p);
void max_pool2d_backward(const View& dy, const View& indices, const View& dx);
/// One float32 plane of max_pool2d ([H, W] -> [H_out, W_out]) and of max_pool2d_backward (dx
/// zeroed, then dx[indices[k]] += dy[k]), for kernels that pool a plane they just computed.
void max_pool2d_plane(const float* x, float* y, int64_t* indices, const Shape& x_plane,
                      const Shape& y_plane, const Pool2dParams& p);
void max_pool2d_backward_plane(const float* dy, const int64_t* indices, float* dx,
                               int64_t plane_size, int64_t pooled_size);
void avg_pool2d(const View& x, const View& y, const Pool2dParams& p);
void avg_pool2d_backward(const View& dy, const View& dx, const Pool2dParams& p);
void adaptive_avg_pool2d(const View& x, const View& y);
void adaptive_avg_pool2d_backward(const View& dy, const View& dx);

}  // namespace athanor::cpu
