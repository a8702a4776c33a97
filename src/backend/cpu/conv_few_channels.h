// src/backend/cpu/conv_few_channels.h: direct AVX2 loops for a float32 convolution with few input
// channels (an image's first layer), the forward pass and the weight gradient, where oneDNN runs
// at a few GFLOP/s and reorders a large output.
#pragma once

#include "backend/cpu/cpu_kernels.h"

namespace athanor::cpu {

/// Whether the loops below take this contiguous float32 convolution: groups 1, stride 1,
/// dilation 1, 1 to 4 input channels, a 3x3, 5x5 or 7x7 kernel, a build with AVX2 and FMA.
bool few_channels_applies(const View& x, const View& w, const Conv2dParams& p);

/// The contracts of cpu::conv2d and cpu::conv2d_backward_weights, where few_channels_applies.
/// Each output element is summed by one thread in a fixed order: results do not depend on the
/// thread count.
void conv2d_few_channels(const View& x, const View& w, const View* bias, const View& y,
                         const Conv2dParams& p);
void conv2d_backward_weights_few_channels(const View& x, const View& dy, const View& dw,
                                          const View* dbias, const Conv2dParams& p);

/// The contracts of the kernel table's conv2d_max_pool2d and its weight gradient: false, having
/// written nothing, unless few_channels_applies. A convolution plane at a time is computed into
/// the L1 cache and pooled there (or, backward, rebuilt there from the pooled gradient), with the
/// same arithmetic as the two ops apart, so the results are the same bits.
bool conv2d_max_pool2d_few_channels(const View& x, const View& w, const View* bias, const View& y,
                                    const View& indices, const Conv2dParams& cp,
                                    const Pool2dParams& pp);
bool conv2d_max_pool2d_backward_weights_few_channels(const View& x, const View& dy,
                                                     const View& indices, const View& dw,
                                                     const View* dbias, const Conv2dParams& p);

}  // namespace athanor::cpu
