// src/tensor/kernel_view.h: the bridge from Tensor to the backend's kernel table.
#pragma once

#include <athanor/tensor/tensor.h>

#include "backend/kernels.h"

namespace athanor {

/// The kernels' view of a tensor: its first element, dtype, shape and strides.
inline backend::View kernel_view(const Tensor& t) {
  const TensorImpl& i = t.impl();
  return {static_cast<char*>(i.storage->data()) + i.offset * itemsize(i.dtype), i.dtype, i.shape,
          i.strides};
}

/// kernel_view of `t` broadcast to `shape` (zero strides on the broadcast dims), or an error naming
/// `op` when the shapes do not broadcast.
backend::View broadcast_view(const Tensor& t, const Shape& shape, const char* op = "expand");

/// The kernel table of the tensor's device, or "<op>: no kernel for device cuda:0".
inline const backend::KernelTable& kernels_for(const Tensor& t, const char* op) {
  return backend::kernels(t.device(), op);
}

}  // namespace athanor
