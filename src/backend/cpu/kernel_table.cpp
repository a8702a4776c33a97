// src/backend/cpu/kernel_table.cpp: the CPU kernel table and the per-device lookup.
#include <athanor/core/error.h>

#include "backend/cpu/conv_few_channels.h"
#include "backend/cpu/cpu_kernels.h"

namespace athanor::backend {

const KernelTable& cpu_kernels() {
  static const KernelTable table{
      .copy = cpu::copy,
      .fill = cpu::fill,
      .iota = cpu::iota,
      .unary = cpu::unary,
      .binary = cpu::binary,
      .where = cpu::where,
      .reduce = cpu::reduce,
      .softmax = cpu::softmax,
      .softmax_backward = cpu::softmax_backward,
      .cross_entropy = cpu::cross_entropy,
      .cross_entropy_backward = cpu::cross_entropy_backward,
      .matmul = cpu::matmul,
      .linear = cpu::linear,
      .linear_backward = cpu::linear_backward,
      .index_select = cpu::index_select,
      .index_add = cpu::index_add,
      .gather = cpu::gather,
      .scatter_add = cpu::scatter_add,
      .conv2d = cpu::conv2d,
      .conv2d_backward_data = cpu::conv2d_backward_data,
      .conv2d_backward_weights = cpu::conv2d_backward_weights,
      .conv2d_max_pool2d = cpu::conv2d_max_pool2d,
      .conv2d_max_pool2d_backward_weights = cpu::conv2d_max_pool2d_backward_weights_few_channels,
      .conv2d_max_pool2d_backward = cpu::conv2d_max_pool2d_backward,
      .max_pool2d = cpu::max_pool2d,
      .max_pool2d_backward = cpu::max_pool2d_backward,
      .avg_pool2d = cpu::avg_pool2d,
      .avg_pool2d_backward = cpu::avg_pool2d_backward,
      .adaptive_avg_pool2d = cpu::adaptive_avg_pool2d,
      .adaptive_avg_pool2d_backward = cpu::adaptive_avg_pool2d_backward,
  };
  return table;
}

const KernelTable& kernels(Device d, const char* op) {
  ATHANOR_CHECK(d.is_cpu(), "{}: no kernel for device {}", op, d);
  return cpu_kernels();
}

}  // namespace athanor::backend
