// src/ops/loss.cpp: elementwise losses: regression (mse, l1, smooth L1, Huber), the binary
// cross-entropies (fused nodes, for PyTorch's gradients at p = 0 or 1 and stability in the
// logits) and the binary hinge loss. The class-index losses are in loss_classification.cpp.
#include <cmath>
#include <optional>
#include <vector>

#include <athanor/autograd/node.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::kNone:
      return loss;
    case Reduction::kSum:
      return sum(loss);
    case Reduction::kMean:
      break;
  }
  return mean(loss);  // of no elements: 0 / 0 = NaN, as PyTorch
}

// "3" for a 1-D tensor, "[0, 1]" otherwise: where flat element `flat` of `shape` sits.
std::string position_string(const Shape& shape, int64_t flat) {
  if (shape.rank() <= 1) return fmt::format("{}", flat);
  std::vector<int64_t> at(static_cast<size_t>(shape.rank()));
  for (int d = shape.rank() - 1; d >= 0; --d) {
    at[static_cast<size_t>(d)] = flat % shape[d];
    flat /= shape[d];
  }
  return fmt::format("[{}]", fmt::join(at, ", "));
}

// The target converted to the (floating) input's dtype, after checking the shapes are equal.
Tensor checked_target(const char* op, const Tensor& input, const Tensor& target) {
  ops::check_floating(op, input);
  ATHANOR_CHECK(target.shape() == input.shape(),
                "{}: input has shape {} but target has shape {}; expected equal shapes", op,
                input.shape(), target.shape());
  return to(target, input.dtype());
}

// An optional elementwise weight, checked to broadcast to `shape` without enlarging it.
Tensor checked_weight(const char* op, const char* what, const Tensor& weight, const Tensor& input) {
  if (!weight.defined()) return weight;
  ATHANOR_CHECK(weight.is_floating_point(), "{}: expected a floating-point {}, got {}", op, what,
                weight.dtype());
  const Shape& shape = input.shape();
  bool ok = weight.dim() <= shape.rank();
  for (int i = 1; ok && i <= weight.dim(); ++i) {
    const int64_t w = weight.shape()[weight.dim() - i];
    ok = w == 1 || w == shape[shape.rank() - i];
  }
  ATHANOR_CHECK(ok, "{}: {} of shape {} does not broadcast to the input's shape {}", op, what,
                weight.shape(), shape);
  return to(weight, input.dtype());
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Tensor t = checked_target("mse_loss", input, target);
  return reduce(square(input - t), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Tensor t = checked_target("l1_loss", input, target);
  return reduce(abs(input - t), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  ATHANOR_CHECK(beta >= 0, "smooth_l1_loss: expected beta >= 0, got {}", beta);
  const Tensor t = checked_target("smooth_l1_loss", input, target);
  if (beta == 0) return reduce(abs(input - t), reduction);
  const Tensor d = input - t;
  const Tensor ad = abs(d);
  return reduce(where(ad < beta, 0.5 * square(d) / beta, ad - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  ATHANOR_CHECK(delta > 0, "huber_loss: expected delta > 0, got {}", delta);
  const Tensor t = checked_target("huber_loss", input, target);
  const Tensor d = input - t;
  const Tensor ad = abs(d);
  return reduce(where(ad < delta, 0.5 * square(d), delta * (ad - 0.5 * delta)), reduction);
}

Tensor binary_cross_entropy(const Tensor& probabilities, const Tensor& target,
                            const BCEOptions& options) {
  const char* op = "binary_cross_entropy";
  const Tensor& p = probabilities;
  const Tensor y = checked_target(op, p, target);
  ATHANOR_CHECK(!options.pos_weight.defined(),
                "binary_cross_entropy: pos_weight is not supported here; use "
                "binary_cross_entropy_with_logits");
  const Tensor weight = checked_weight(op, "weight", options.weight, p);
  const Tensor pd = p.detach(), yd = y.detach();
  const std::vector<double> values = pd.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    ATHANOR_CHECK(values[i] >= 0 && values[i] <= 1,
                  "binary_cross_entropy: input {} (at position {}) is not a probability; expected "
                  "every element of the input in [0, 1]",
                  values[i], position_string(p.shape(), static_cast<int64_t>(i)));
  }
  // Both logs clamped at -100 as PyTorch, so p = 0 or 1 gives a finite loss.
  const Tensor log_p = clamp(log(pd), -100.0, std::nullopt);
  const Tensor log_q = clamp(log1p(-pd), -100.0, std::nullopt);  // log(1 - p)
  Tensor loss = (yd - 1.0) * log_q - yd * log_p;
  const bool y_grad = y.requires_grad();
  // d/dp = (p - y) / (p (1 - p)), with PyTorch's floor of 1e-12 on the denominator so p = 0 or 1
  // gives a finite gradient; d/dy = log(1 - p) - log(p), clamped as in the forward (PyTorch 1.13
  // does not clamp here and gives +-inf at p = 0 or 1).
  loss = with_backward(
      op, loss, {p, y}, [pd, yd, dlog = y_grad ? log_q - log_p : Tensor()](const Tensor& dy) {
        // PyTorch's floor is the float 1e-12f, so the gradient at p = 0 is -1.000000004e12 there.
        const Tensor denom = maximum(pd * (1.0 - pd), scalar_like(pd, static_cast<double>(1e-12f)));
        return Grads{dy * (pd - yd) / denom, dlog.defined() ? dy * dlog : Tensor()};
      });
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, options.reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        const BCEOptions& options) {
  const char* op = "binary_cross_entropy_with_logits";
  const Tensor& x = logits;
  const Tensor y = checked_target(op, x, target);
  const Tensor weight = checked_weight(op, "weight", options.weight, x);
  const Tensor pos_weight = checked_weight(op, "pos_weight", options.pos_weight, x);
  const Tensor xd = x.detach(), yd = y.detach();
  const Tensor pwd = pos_weight.defined() ? pos_weight.detach() : Tensor();
  // softplus(-x) = log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)): exp never overflows.
  const Tensor softplus_neg = relu(-xd) + log1p(exp(-abs(xd)));
  // The positive term -y log sigmoid(x) = y softplus(-x) is scaled by pos_weight:
  //   loss = (1 - y) x + lw softplus(-x), lw = 1 + (pos_weight - 1) y.
  Tensor loss;
  if (pwd.defined()) {
    loss = (1.0 - yd) * xd + (1.0 + (pwd - 1.0) * yd) * softplus_neg;
  } else {
    loss = (1.0 - yd) * xd + softplus_neg;
  }
  const bool keep = y.requires_grad() || (pos_weight.defined() && pos_weight.requires_grad());
  // With s = sigmoid(x): dx = lw s - pos_weight y (s - y without pos_weight);
  //   dy = (pos_weight - 1) softplus(-x) - x; d pos_weight = y softplus(-x), summed to its shape.
  loss = with_backward(op, loss, {x, y, pos_weight},
                       [xd, yd, pwd, sp = keep ? softplus_neg : Tensor()](const Tensor& g) {
                         const Tensor s = sigmoid(xd);
                         if (!pwd.defined())
                           return Grads{g * (s - yd), sp.defined() ? g * -xd : Tensor(), Tensor()};
                         const Tensor lw = 1.0 + (pwd - 1.0) * yd;
                         Tensor dt, dpw;
                         if (sp.defined()) {
                           dt = g * ((pwd - 1.0) * sp - xd);
                           dpw = sum_to(g * yd * sp, pwd.shape());
                         }
                         return Grads{g * (lw * s - pwd * yd), dt, dpw};
                       });
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, options.reduction);
}

Tensor hinge_loss(const Tensor& scores, const Tensor& target, Reduction reduction, double margin) {
  const Tensor y = checked_target("hinge_loss", scores, target);
  const std::vector<double> labels = y.to_vector<double>();
  for (size_t i = 0; i < labels.size(); ++i) {
    ATHANOR_CHECK(labels[i] == 1 || labels[i] == -1,
                  "hinge_loss: target {} (at position {}) is not a label; expected -1 or +1",
                  labels[i], position_string(y.shape(), static_cast<int64_t>(i)));
  }
  return reduce(relu(margin - y * scores), reduction);
}

}  // namespace athanor
