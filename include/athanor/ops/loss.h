// include/athanor/ops/loss.h: loss functions (regression, binary, multi-class, margin), matching
// PyTorch 1.13's torch.nn.functional.
//
// Shapes: input and target must have equal shapes unless stated (no silent broadcasting); weights
// broadcast as documented. Every floating input gets a gradient, targets included, except where a
// declaration says otherwise. A reduction of kMean averages over elements; class-index losses
// average over the weights of their targets instead, as PyTorch does.
#pragma once

#include <cstdint>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// How the per-element losses are combined: kept as they are, averaged, or summed.
enum class Reduction { kNone, kMean, kSum };

/// (input - target)^2.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::kMean);
/// |input - target|; the gradient at input == target is 0.
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::kMean);
/// With d = |input - target|: 0.5 d^2 / beta where d < beta, else d - 0.5 beta. beta >= 0;
/// beta == 0 is l1_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      Reduction reduction = Reduction::kMean, double beta = 1.0);
/// With d = |input - target|: 0.5 d^2 where d < delta, else delta (d - 0.5 delta). delta > 0.
/// Equals delta * smooth_l1_loss with beta = delta.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::kMean,
                  double delta = 1.0);

/// Options of the binary cross-entropies. weight broadcasts to the input's shape and scales each
/// element's loss; pos_weight (binary_cross_entropy_with_logits only) broadcasts likewise, usually
/// [C] for input [N, C], and scales the positive term: PyTorch's pos_weight.
struct BCEOptions {
  Tensor weight{};
  Tensor pos_weight{};
  Reduction reduction = Reduction::kMean;
};

/// -weight (y log p + (1 - y) log(1 - p)) for probabilities p in [0, 1] (checked), each log
/// clamped at -100 as PyTorch, so p = 0 or 1 gives a finite loss. The gradient for p is
/// weight (p - y) / max(p (1 - p), 1e-12), as PyTorch's; for the target it is the clamped
/// weight (log(1 - p) - log(p)), finite where PyTorch 1.13's is +-inf. pos_weight must be absent.
Tensor binary_cross_entropy(const Tensor& probabilities, const Tensor& target,
                            const BCEOptions& options = {});
/// binary_cross_entropy of sigmoid(logits), computed stably from the logits x:
/// weight ((1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x))), where
/// log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)). Gradients also for pos_weight.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const BCEOptions& options = {});

/// Options of cross_entropy. weight: [C], a rescaling of each class (no gradient flows to it for
/// class-index targets, as in PyTorch). ignore_index: a class-index target equal to it adds nothing
/// to the loss or to the mean's denominator. label_smoothing in [0, 1]: the target becomes
/// (1 - label_smoothing) one_hot(y) + label_smoothing / C.
struct CrossEntropyOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::kMean;
  double label_smoothing = 0.0;
};

/// Cross-entropy of logits with a fused log-softmax over dim 1. input: [N, C], [N, C, d1, ...], or
/// [C] (one sample). target: int64 class indices of shape [N] / [N, d1, ...] / [], or float
/// probabilities of input's shape. Class indices: loss_i = -w[y_i] log softmax(x_i)[y_i]
/// (plus the label-smoothing term, weighted by w as PyTorch 1.13); kMean divides the sum by the sum
/// of w[y_i] over non-ignored samples (NaN when all are ignored), kNone gives [N, d1, ...] with 0
/// at ignored positions. Probabilities: loss_i = -sum_c w[c] q_ic log softmax(x_i)[c]; kMean
/// divides by the number of samples N * d1 * ...; ignore_index must stay negative.
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});

/// Options of nll_loss: as CrossEntropyOptions without label smoothing.
struct NLLOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::kMean;
};

/// Negative log-likelihood of log-probabilities (e.g. log_softmax output) at the target classes:
/// loss_i = -w[y_i] log_probabilities[i, y_i]. Shapes, weights, ignore_index and reductions as for
/// cross_entropy with class-index targets.
Tensor nll_loss(const Tensor& log_probabilities, const Tensor& target,
                const NLLOptions& options = {});

/// Binary hinge loss for a linear SVM: max(0, margin - y * score) with y in {-1, +1} (checked),
/// target of scores' shape. The gradient at the hinge is 0.
Tensor hinge_loss(const Tensor& scores, const Tensor& target,
                  Reduction reduction = Reduction::kMean, double margin = 1.0);

/// Options of multi_margin_loss. p: 1 or 2; weight: [C], scaling each sample by w[y_i].
struct MultiMarginOptions {
  int p = 1;
  double margin = 1.0;
  Tensor weight{};
  Reduction reduction = Reduction::kMean;
};

/// Multi-class hinge loss, as torch.nn.MultiMarginLoss: input [N, C] (or [C]), target int64 [N]
/// (or []); loss_i = sum_{j != y_i} w[y_i] max(0, margin - x[i, y_i] + x[i, j])^p / C. kMean
/// averages over the N samples. The gradient at the hinge is 0.
Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginOptions& options = {});

}  // namespace athanor
