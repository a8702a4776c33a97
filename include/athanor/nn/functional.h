// include/athanor/nn/functional.h: nn::functional, the functional forms of the layers and losses
// (as torch.nn.functional), gathered from the ops layer where they live.
#pragma once

#include <athanor/ops/activation.h>
#include <athanor/ops/conv.h>
#include <athanor/ops/dropout.h>
#include <athanor/ops/index.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/normalization.h>
#include <athanor/ops/pool.h>

namespace athanor::nn::functional {

using athanor::adaptive_avg_pool2d;
using athanor::avg_pool2d;
using athanor::batch_norm;
using athanor::binary_cross_entropy;
using athanor::binary_cross_entropy_with_logits;
using athanor::conv1d;
using athanor::conv2d;
using athanor::cross_entropy;
using athanor::dropout;
using athanor::elu;
using athanor::gelu;
using athanor::hinge_loss;
using athanor::huber_loss;
using athanor::l1_loss;
using athanor::layer_norm;
using athanor::leaky_relu;
using athanor::log_softmax;
using athanor::max_pool2d;
using athanor::mse_loss;
using athanor::multi_margin_loss;
using athanor::nll_loss;
using athanor::one_hot;
using athanor::relu;
using athanor::sigmoid;
using athanor::smooth_l1_loss;
using athanor::softmax;
using athanor::softplus;
using athanor::tanh;

}  // namespace athanor::nn::functional
