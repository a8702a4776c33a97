// src/backend/cpu/conv_reference.h: direct-loop 2-D convolution (forward and both backward
// passes), the CPU path for float64 and the oracle oneDNN's float32 results are checked against.
#pragma once

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// The same contracts as the kernel table's conv2d entries; float32 or float64 views. Each output
/// element is accumulated by one thread in a fixed order, so results do not depend on the thread
/// count.
void conv2d_reference(const View& x, const View& w, const View* bias, const View& y,
                      const Conv2dParams& p);
void conv2d_backward_data_reference(const View& dy, const View& w, const View& dx,
                                    const Conv2dParams& p);
void conv2d_backward_weights_reference(const View& x, const View& dy, const View& dw,
                                       const View* dbias, const Conv2dParams& p);

}  // namespace athanor::cpu
