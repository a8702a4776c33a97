// src/nn/loss.cpp: the loss modules: option checks at construction, forward = the functional op.
#include <athanor/core/error.h>
#include <athanor/nn/loss.h>

namespace athanor::nn {

Loss::~Loss() = default;

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) const {
  return mse_loss(input, target, reduction_);
}

Tensor L1Loss::forward(const Tensor& input, const Tensor& target) const {
  return l1_loss(input, target, reduction_);
}

SmoothL1Loss::SmoothL1Loss(const SmoothL1LossOptions& options) : options_(options) {
  ATHANOR_CHECK(options.beta >= 0, "SmoothL1Loss: expected beta >= 0, got {}", options.beta);
}

Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) const {
  return smooth_l1_loss(input, target, options_.reduction, options_.beta);
}

HuberLoss::HuberLoss(const HuberLossOptions& options) : options_(options) {
  ATHANOR_CHECK(options.delta > 0, "HuberLoss: expected delta > 0, got {}", options.delta);
}

Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) const {
  return huber_loss(input, target, options_.reduction, options_.delta);
}

Tensor BCELoss::forward(const Tensor& input, const Tensor& target) const {
  return binary_cross_entropy(input, target,
                              {.weight = options_.weight, .reduction = options_.reduction});
}

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) const {
  return binary_cross_entropy_with_logits(input, target, options_);
}

CrossEntropyLoss::CrossEntropyLoss(const CrossEntropyOptions& options) : options_(options) {
  ATHANOR_CHECK(options.label_smoothing >= 0 && options.label_smoothing <= 1,
                "CrossEntropyLoss: expected label_smoothing in [0, 1], got {}",
                options.label_smoothing);
}

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) const {
  return cross_entropy(input, target, options_);
}

Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) const {
  return nll_loss(input, target, options_);
}

Tensor HingeLoss::forward(const Tensor& input, const Tensor& target) const {
  return hinge_loss(input, target, options_.reduction, options_.margin);
}

MultiMarginLoss::MultiMarginLoss(const MultiMarginOptions& options) : options_(options) {
  ATHANOR_CHECK(options.p == 1 || options.p == 2, "MultiMarginLoss: expected p = 1 or 2, got {}",
                options.p);
}

Tensor MultiMarginLoss::forward(const Tensor& input, const Tensor& target) const {
  return multi_margin_loss(input, target, options_);
}

}  // namespace athanor::nn
