// src/ops/loss_classification.cpp: the multi-class losses: cross_entropy and nll_loss with
// class-index targets (one fused node each over gather, no dense one-hot), cross_entropy with
// probability targets, and multi_margin_loss (compositions).
//
// Shapes: x [N, C, d...] (or [C]), class dim 1; targets [N, d...]; "sample" i runs over N, d....
#include <string>
#include <vector>

#include <athanor/autograd/node.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/index.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/ops/unary.h>

#include "ops/op_utils.h"

namespace athanor {
namespace {

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

// The input's shape without the class dimension: what a class-index target must have.
Shape sample_shape(const Tensor& input) {
  Shape s = input.shape();
  s.erase(input.dim() == 1 ? 0 : 1);
  return s;
}

void check_class_input(const char* op, const Tensor& input) {
  ops::check_floating(op, input);
  ATHANOR_CHECK(input.dim() >= 1,
                "{}: expected an input of shape [N, C], [N, C, d1, ...] or [C], got a 0-d tensor",
                op);
}

// Checks int64 targets of the right shape with every value in [0, C) or equal to `ignore_index`
// (when `allow_ignore`); returns them with ignored values replaced by 0 (safe to gather), the
// bool mask of the others, and whether any was ignored.
struct ClassTargets {
  Tensor safe, valid;
  bool any_ignored = false;
};

ClassTargets checked_class_targets(const char* op, const Tensor& input, const Tensor& target,
                                   bool allow_ignore, int64_t ignore_index) {
  ATHANOR_CHECK(target.dtype() == kInt64, "{}: expected int64 class indices as target, got {}", op,
                target.dtype());
  const Shape expected = sample_shape(input);
  ATHANOR_CHECK(target.shape() == expected,
                "{}: target has shape {} but input has shape {}; expected target shape {} (the "
                "input's shape without the class dimension)",
                op, target.shape(), input.shape(), expected);
  const int64_t classes = input.shape(input.dim() == 1 ? 0 : 1);
  std::vector<int64_t> safe = target.to_vector<int64_t>();
  std::vector<uint8_t> valid(safe.size(), 1);
  bool any_ignored = false;
  for (size_t i = 0; i < safe.size(); ++i) {
    if (allow_ignore && safe[i] == ignore_index) {
      safe[i] = 0;
      valid[i] = 0;
      any_ignored = true;
      continue;
    }
    ATHANOR_CHECK(safe[i] >= 0 && safe[i] < classes,
                  "{}: target {} (at position {}) is out of range for {} classes; expected 0 <= "
                  "target < {}{}",
                  op, safe[i], position_string(target.shape(), static_cast<int64_t>(i)), classes,
                  classes, allow_ignore ? fmt::format(" or ignore_index ({})", ignore_index) : "");
  }
  return {Tensor::from(safe, target.shape()), Tensor::from(valid, target.shape(), kBool),
          any_ignored};
}

// A class weight checked to be [C], in the input's dtype (undefined if absent).
Tensor checked_class_weight(const char* op, const Tensor& weight, const Tensor& input) {
  if (!weight.defined()) return weight;
  const int64_t classes = input.shape(input.dim() == 1 ? 0 : 1);
  ATHANOR_CHECK(weight.dim() == 1 && weight.shape(0) == classes,
                "{}: weight has shape {} but the input has {} classes (shape {}); expected [{}]",
                op, weight.shape(), classes, input.shape(), classes);
  ATHANOR_CHECK(weight.is_floating_point(), "{}: expected a floating-point weight, got {}", op,
                weight.dtype());
  return to(weight, input.dtype());
}

// Shape [1, C, 1, ...] (rank `rank`) for broadcasting a class weight along dim 1.
Shape class_broadcast_shape(int64_t classes, int rank) {
  Shape s;
  s.resize(rank, 1);
  s[1] = classes;
  return s;
}

// cross_entropy's common case, logits [N, C] with every target a class, no weight and no
// smoothing, in one kernel each way (the general composition below took 12 small ops and two
// exponentials per logit: 30 -> 13 us for [128, 10] forward and backward, bench_layers).
// On the CPU the reduction and the mean's scaling are done here, not as ops: in a training step
// the loss runs with cold caches, and each op is more code to fetch (the mlp's loss took 12-13 us
// in the step against 4.7 in a hot loop). The bits are those of sum(per) / N and dy * (1 / N).
// `target` is read again by the backward pass (the caller's tensor, as PyTorch saves it).
Tensor fused_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction) {
  const Tensor x = contiguous(input.detach());
  const int64_t rows = x.shape(0);
  const Tensor p = empty(x.shape(), x.dtype(), x.device());
  const Tensor per = empty(Shape{rows}, x.dtype(), x.device());
  const auto& kernels = kernels_for(x, "cross_entropy");
  kernels.cross_entropy(kernel_view(x), kernel_view(target), kernel_view(per), kernel_view(p));
  const double scale = reduction == Reduction::kMean ? 1.0 / static_cast<double>(rows) : 1.0;
  const bool cpu = x.device().is_cpu();
  Tensor out = per;
  if (reduction != Reduction::kNone && cpu) {
    out = empty(Shape{}, x.dtype(), x.device());
    backend::View sum_view = kernel_view(out);
    sum_view.shape = Shape{1}, sum_view.strides = Shape{1};
    kernels.reduce(backend::ReduceOp::kSum, kernel_view(per), 0, 1, sum_view, nullptr);
    // All samples ignored cannot happen here; a batch of none gives 0 / 0 = NaN, as PyTorch.
    if (reduction == Reduction::kMean) {
      if (x.dtype() == kFloat32) {
        *out.data_ptr<float>() /= static_cast<float>(rows);
      } else {
        *out.data_ptr<double>() /= static_cast<double>(rows);
      }
    }
  } else if (reduction == Reduction::kSum) {
    out = sum(per);
  } else if (reduction == Reduction::kMean) {
    out = sum(per) / static_cast<double>(rows);
  }
  return with_backward(
      "cross_entropy", out, {input}, [p, target, reduction, scale, cpu](const Tensor& dy) {
        // g_i: the gradient reaching row i's loss, one value broadcast for sum and mean (on the
        // CPU the mean's dy * (1 / N) in dy's dtype here, read by the kernel from the stack).
        const Shape broadcast_rows{p.shape(0)};
        float mean_f = 0;
        double mean_d = 0;
        Tensor g;
        backend::View gv;
        if (reduction == Reduction::kMean && cpu && dy.dtype() == kFloat32) {
          mean_f = dy.item<float>() * static_cast<float>(scale);
          gv = {&mean_f, kFloat32, broadcast_rows, Shape{0}};
        } else if (reduction == Reduction::kMean && cpu) {
          mean_d = dy.item<double>() * scale;
          gv = {&mean_d, kFloat64, broadcast_rows, Shape{0}};
        } else {
          g = reduction == Reduction::kMean ? dy * scale : contiguous(dy);
          gv = kernel_view(g);
          if (reduction != Reduction::kNone) gv.shape = broadcast_rows, gv.strides = Shape{0};
        }
        const Tensor dx = empty(p.shape(), p.dtype(), p.device());
        kernels_for(p, "cross_entropy")
            .cross_entropy_backward(kernel_view(p), kernel_view(target), gv, kernel_view(dx));
        return Grads{dx};
      });
}

// Whether the fused path applies as the targets stand: int64 class indices [N] for logits [N, C]
// on the CPU, every one in [0, C) and none equal to ignore_index. Read in place; anything else
// (a bad target included, which the general path reports) takes the general path.
bool plain_class_targets(const Tensor& input, const Tensor& target, int64_t ignore_index) {
  if (input.dim() != 2 || target.dtype() != kInt64 || target.dim() != 1 ||
      target.shape(0) != input.shape(0) || !target.device().is_cpu() || !input.device().is_cpu() ||
      !target.is_contiguous()) {
    return false;
  }
  const int64_t classes = input.shape(1);
  const int64_t* t = target.data_ptr<int64_t>();
  bool plain = true;
  for (int64_t i = 0; i < target.shape(0); ++i) {
    plain &= t[i] >= 0 && t[i] < classes && t[i] != ignore_index;
  }
  return plain;
}

// The class-index losses as one node: with logp = log_softmax(x) (cross_entropy) or x (nll_loss),
// y_i the target and w the class weight (1 if absent), valid samples only,
//   loss_i = (1 - eps) (-w[y_i] logp[i, y_i]) + eps / C (-sum_c w[c] logp[i, c]),
// and kMean divides the sum by sum_i w[y_i]. With g_i the gradient reaching loss_i,
// a_i = (1 - eps) g_i w[y_i], b_i = eps / C g_i and s = softmax(x) = exp(logp):
//   cross_entropy: dx[i, c] = a_i (s[i, c] - [c = y_i]) + b_i (s[i, c] sum_k w[k] - w[c]);
//   nll_loss:      dx[i, c] = -a_i [c = y_i].
Tensor class_index_loss(const char* op, const Tensor& input, const Tensor& target,
                        const Tensor& weight_in, int64_t ignore_index, Reduction reduction,
                        double smoothing, bool from_logits) {
  check_class_input(op, input);
  const ClassTargets targets = checked_class_targets(op, input, target, true, ignore_index);
  const Tensor weight = checked_class_weight(op, weight_in, input);
  if (from_logits && input.dim() == 2 && !weight.defined() && smoothing == 0 &&
      !targets.any_ignored) {
    return fused_cross_entropy(input, targets.safe, reduction);
  }
  const Tensor& safe_t = targets.safe;
  const Tensor& valid_t = targets.valid;
  // A single sample [C] is the batch [1, C].
  const bool single = input.dim() == 1;
  const Tensor x = single ? unsqueeze(input.detach(), 0) : input.detach();
  const Tensor safe = single ? unsqueeze(safe_t, 0) : safe_t;
  const Tensor valid = single ? unsqueeze(valid_t, 0) : valid_t;
  const int64_t classes = x.shape(1);
  const Tensor w = weight.defined() ? weight.detach() : Tensor();
  const Tensor w_b = w.defined() ? reshape(w, class_broadcast_shape(classes, x.dim())) : Tensor();

  const Tensor logp = from_logits ? log_softmax(x, 1) : x;
  const Tensor index = unsqueeze(safe, 1);
  const Tensor picked = squeeze(gather(logp, 1, index), 1);  // logp[i, y_i]
  // w[y_i] on valid samples, 0 on ignored ones. where, not a product, so that an ignored sample's
  // logp of -inf cannot turn into 0 * inf = NaN.
  const Tensor zero = scalar_like(x, 0.0);
  const Tensor w_y =
      where(valid,
            w.defined() ? reshape(index_select(w, 0, reshape(safe, Shape{-1})), safe.shape())
                        : ones(safe.shape(), x.dtype()),
            zero);
  Tensor per = where(valid, -(w_y * picked), zero);
  if (smoothing > 0) {
    const Tensor all = w.defined() ? sum(logp * w_b, {1}) : sum(logp, {1});
    per = (1.0 - smoothing) * per +
          (smoothing / static_cast<double>(classes)) * where(valid, -all, zero);
  }
  Tensor out;
  double scale = 1.0;  // d out / d loss_i for kMean
  switch (reduction) {
    case Reduction::kNone:
      out = reshape(per, target.shape());
      break;
    case Reduction::kSum:
      out = sum(per);
      break;
    case Reduction::kMean: {
      // All samples ignored: 0 / 0 = NaN, as PyTorch (whose gradient is then 0, as here).
      const double total = sum(w_y).item<double>();
      out = sum(per) / total;
      scale = total != 0 ? 1.0 / total : 0.0;
      break;
    }
  }

  return with_backward(
      op, out, {input},
      [logp, index, w_y, valid, w_b, reduction, scale, smoothing, from_logits, classes,
       in_shape = input.shape()](const Tensor& dy) {
        const Tensor g = reduction == Reduction::kNone   ? reshape(dy, w_y.shape())
                         : reduction == Reduction::kMean ? dy * scale
                                                         : dy;
        const Tensor a = unsqueeze(g * w_y * (1.0 - smoothing), 1);
        Tensor dx;
        if (!from_logits) {
          dx = zeros(logp.shape(), logp.dtype());
        } else if (smoothing > 0) {
          const double eps_c = smoothing / static_cast<double>(classes);
          const Tensor b = unsqueeze(where(valid, g * eps_c, scalar_like(g, 0.0)), 1);
          const Tensor w_total =
              w_b.defined() ? sum(w_b) : scalar_like(logp, static_cast<double>(classes));
          dx = exp(logp) * (a + b * w_total) - (w_b.defined() ? b * w_b : b);
        } else {
          dx = exp(logp) * a;
        }
        return Grads{reshape(scatter_add(dx, 1, index, -a), in_shape)};
      });
}

}  // namespace

Tensor nll_loss(const Tensor& log_probabilities, const Tensor& target, const NLLOptions& options) {
  return class_index_loss("nll_loss", log_probabilities, target, options.weight,
                          options.ignore_index, options.reduction, 0.0, /*from_logits=*/false);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options) {
  const char* op = "cross_entropy";
  const double eps = options.label_smoothing;
  ATHANOR_CHECK(eps >= 0 && eps <= 1, "cross_entropy: expected label_smoothing in [0, 1], got {}",
                eps);
  if (!target.is_floating_point()) {
    if (!options.weight.defined() && eps == 0 && input.is_floating_point() &&
        plain_class_targets(input, target, options.ignore_index)) {
      return fused_cross_entropy(input, target, options.reduction);
    }
    return class_index_loss(op, input, target, options.weight, options.ignore_index,
                            options.reduction, eps, /*from_logits=*/true);
  }
  // Probability targets q: loss_i = -sum_c w[c] q'[i, c] logp[i, c] with the smoothed target
  // q' = (1 - eps) q + eps / C; a composition of differentiable ops (q gets a gradient too).
  check_class_input(op, input);
  ATHANOR_CHECK(target.shape() == input.shape(),
                "cross_entropy: probability target has shape {} but input has shape {}; expected "
                "equal shapes (or int64 class indices of shape {})",
                target.shape(), input.shape(), sample_shape(input));
  ATHANOR_CHECK(options.ignore_index < 0,
                "cross_entropy: ignore_index ({}) is not supported for probability targets",
                options.ignore_index);
  const Tensor weight = checked_class_weight(op, options.weight, input);
  const int class_dim = input.dim() == 1 ? 0 : 1;
  const int64_t classes = input.shape(class_dim);
  Tensor q = to(target, input.dtype());
  if (eps > 0) q = q * (1.0 - eps) + eps / static_cast<double>(classes);
  Tensor prod = log_softmax(input, class_dim) * q;
  if (weight.defined()) {
    prod = prod *
           (class_dim == 0 ? weight : reshape(weight, class_broadcast_shape(classes, input.dim())));
  }
  const Tensor per = -sum(prod, {class_dim});
  switch (options.reduction) {
    case Reduction::kNone:
      return per;
    case Reduction::kSum:
      return sum(per);
    case Reduction::kMean:
      break;
  }
  // Divided by the number of samples, not by weights (as PyTorch); none gives 0 / 0 = NaN.
  return sum(per) / static_cast<double>(per.numel());
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginOptions& options) {
  const char* op = "multi_margin_loss";
  ops::check_floating(op, input);
  ATHANOR_CHECK(input.dim() == 1 || input.dim() == 2,
                "multi_margin_loss: expected an input of shape [N, C] or [C], got {}",
                input.shape());
  ATHANOR_CHECK(options.p == 1 || options.p == 2, "multi_margin_loss: expected p = 1 or 2, got {}",
                options.p);
  const Tensor safe = checked_class_targets(op, input, target, false, 0).safe;
  const Tensor weight = checked_class_weight(op, options.weight, input);
  const bool single = input.dim() == 1;
  const Tensor x = single ? unsqueeze(input, 0) : input;
  const Tensor y = single ? unsqueeze(safe, 0) : safe;  // [N]
  const int64_t classes = x.shape(1);
  const Tensor index = unsqueeze(y, 1);  // [N, 1]
  // z[i, j] = max(0, margin - x[i, y_i] + x[i, j])^p for j != y_i, 0 for j == y_i.
  Tensor z = relu(options.margin - gather(x, 1, index) + x);
  if (options.p == 2) z = square(z);
  z = where(ne(reshape(arange(classes), Shape{1, classes}), index), z, 0.0);
  Tensor per = sum(z, {1}) / static_cast<double>(classes);
  if (weight.defined()) per = per * index_select(weight, 0, y);
  if (single) per = reshape(per, Shape{});
  switch (options.reduction) {
    case Reduction::kNone:
      return per;
    case Reduction::kSum:
      return sum(per);
    case Reduction::kMean:
      break;
  }
  return mean(per);
}

}  // namespace athanor
