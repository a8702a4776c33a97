// src/autograd/accumulate.h: gradient accumulation helpers shared by the engine and the leaves.
#pragma once

#include <athanor/tensor/tensor.h>

namespace athanor::detail {

/// acc += g elementwise (same shape and dtype), in place.
void add_into(const Tensor& acc, const Tensor& g);

/// `g` made safe to keep as a leaf's gradient: `g` itself when nothing else can see its storage
/// and it is contiguous, else a contiguous copy.
Tensor own_gradient(Tensor g);

}  // namespace athanor::detail
