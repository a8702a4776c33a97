// include/athanor/nn/loss.h: loss modules: a small polymorphic base and one class per loss of
// ops/loss.h, each holding its options and calling the functional op.
//
// Losses are plain copyable values (a copy shares its weight tensors with the original); hold one
// by value, or through the base as std::shared_ptr<const Loss>. Options are checked when a loss is
// constructed, so a bad configuration fails before training starts.
#pragma once

#include <string>

#include <athanor/ops/loss.h>
#include <athanor/tensor/tensor.h>

namespace athanor::nn {

/// A loss: (input, target) -> a scalar (or per-element losses with Reduction::kNone).
class Loss {
 public:
  virtual ~Loss();
  virtual Tensor forward(const Tensor& input, const Tensor& target) const = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return forward(input, target);
  }
  /// The class name as PyTorch's ("CrossEntropyLoss").
  virtual std::string name() const = 0;
};

/// mse_loss: (input - target)^2.
class MSELoss : public Loss {
 public:
  explicit MSELoss(Reduction reduction = Reduction::kMean) : reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "MSELoss"; }
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

/// l1_loss: |input - target|.
class L1Loss : public Loss {
 public:
  explicit L1Loss(Reduction reduction = Reduction::kMean) : reduction_(reduction) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "L1Loss"; }
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

struct SmoothL1LossOptions {
  Reduction reduction = Reduction::kMean;
  double beta = 1.0;  // >= 0
};

/// smooth_l1_loss: quadratic below beta, linear above.
class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(const SmoothL1LossOptions& options = {});
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "SmoothL1Loss"; }
  const SmoothL1LossOptions& options() const { return options_; }

 private:
  SmoothL1LossOptions options_;
};

struct HuberLossOptions {
  Reduction reduction = Reduction::kMean;
  double delta = 1.0;  // > 0
};

/// huber_loss: quadratic below delta, delta-scaled linear above.
class HuberLoss : public Loss {
 public:
  explicit HuberLoss(const HuberLossOptions& options = {});
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "HuberLoss"; }
  const HuberLossOptions& options() const { return options_; }

 private:
  HuberLossOptions options_;
};

struct BCELossOptions {
  Tensor weight{};  // broadcast to the input's shape, or absent
  Reduction reduction = Reduction::kMean;
};

/// binary_cross_entropy on probabilities in [0, 1].
class BCELoss : public Loss {
 public:
  explicit BCELoss(const BCELossOptions& options = {}) : options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "BCELoss"; }
  const BCELossOptions& options() const { return options_; }

 private:
  BCELossOptions options_;
};

/// binary_cross_entropy_with_logits: sigmoid and binary cross-entropy in one stable step, with
/// optional weight and pos_weight.
class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(const BCEOptions& options = {}) : options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "BCEWithLogitsLoss"; }
  const BCEOptions& options() const { return options_; }

 private:
  BCEOptions options_;
};

/// cross_entropy of logits [N, C, ...] with class indices or probabilities.
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(const CrossEntropyOptions& options = {});
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "CrossEntropyLoss"; }
  const CrossEntropyOptions& options() const { return options_; }

 private:
  CrossEntropyOptions options_;
};

/// nll_loss of log-probabilities [N, C, ...] at class indices.
class NLLLoss : public Loss {
 public:
  explicit NLLLoss(const NLLOptions& options = {}) : options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "NLLLoss"; }
  const NLLOptions& options() const { return options_; }

 private:
  NLLOptions options_;
};

struct HingeLossOptions {
  Reduction reduction = Reduction::kMean;
  double margin = 1.0;
};

/// hinge_loss: max(0, margin - y * score) with labels y in {-1, +1} (a linear SVM's loss).
class HingeLoss : public Loss {
 public:
  explicit HingeLoss(const HingeLossOptions& options = {}) : options_(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "HingeLoss"; }
  const HingeLossOptions& options() const { return options_; }

 private:
  HingeLossOptions options_;
};

/// multi_margin_loss: the multi-class hinge loss of scores [N, C] at class indices [N].
class MultiMarginLoss : public Loss {
 public:
  explicit MultiMarginLoss(const MultiMarginOptions& options = {});
  Tensor forward(const Tensor& input, const Tensor& target) const override;
  std::string name() const override { return "MultiMarginLoss"; }
  const MultiMarginOptions& options() const { return options_; }

 private:
  MultiMarginOptions options_;
};

}  // namespace athanor::nn
