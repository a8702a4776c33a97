// include/athanor/nn/regularization.h: L1 and L2 penalties on parameters, to add to a loss:
// loss = data_loss + lambda * l2_penalty(model.parameters()).
#pragma once

#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor::nn {

/// sum over params of sum |w| (a 0-d tensor), differentiable; |w| has gradient sign(w), 0 at 0.
/// An empty list gives a float32 0 with no gradient.
Tensor l1_penalty(const std::vector<Tensor>& params);

/// sum over params of sum w^2 (a 0-d tensor), differentiable (gradient 2 w). PyTorch's
/// weight_decay wd (SGD, Adam's coupled L2) equals adding (wd / 2) * l2_penalty(params) to the
/// loss: both add wd * w to each gradient. An empty list gives a float32 0 with no gradient.
Tensor l2_penalty(const std::vector<Tensor>& params);

}  // namespace athanor::nn
