// include/athanor/optim/adam.h: Adam (Kingma & Ba, 2015) with AMSGrad (Reddi et al., 2018), and
// AdamW with decoupled weight decay (Loshchilov & Hutter, 2019), as PyTorch implements them.
#pragma once

#include <utility>
#include <vector>

#include <athanor/optim/optimizer.h>

namespace athanor::optim {

/// PyTorch's Adam options and defaults.
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  /// L2 penalty added to the gradient (coupled, unlike AdamW's).
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("betas", betas);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("amsgrad", amsgrad);
    f("maximize", maximize);
  }
};

/// PyTorch's AdamW options: Adam's, with weight_decay defaulting to 1e-2.
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;

  template <typename F>
  void visit_fields(F&& f) {
    f("lr", lr);
    f("betas", betas);
    f("eps", eps);
    f("weight_decay", weight_decay);
    f("amsgrad", amsgrad);
    f("maximize", maximize);
  }
};

/// Per-parameter state of Adam and AdamW: the step count t and the moment estimates (the
/// running maximum of exp_avg_sq only with amsgrad).
struct AdamParamState {
  double step = 0;
  Tensor exp_avg;
  Tensor exp_avg_sq;
  Tensor max_exp_avg_sq;

  template <typename F>
  void visit_fields(F&& f) {
    f("step", step);
    f("exp_avg", exp_avg);
    f("exp_avg_sq", exp_avg_sq);
    f("max_exp_avg_sq", max_exp_avg_sq);
  }
};

/// Kingma and Ba's algorithm, with the bias corrections applied to the step size and the
/// denominator as PyTorch 1.13 does (the stored moments are never overwritten by their corrected
/// values). For each parameter p with gradient g, at step t:
///   g <- -g if maximize;  g <- g + weight_decay * p
///   m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
///   v_max <- max(v_max, v) with amsgrad (and v_max replaces v below)
///   p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
class Adam : public OptimizerBase<AdamOptions, AdamParamState> {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups, AdamOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const AdamOptions& options) const override;
};

/// Adam with decoupled weight decay: p <- p (1 - lr weight_decay) before the Adam update, which
/// then uses the plain gradient.
class AdamW : public OptimizerBase<AdamWOptions, AdamParamState> {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  explicit AdamW(std::vector<ParamGroup<AdamWOptions>> groups, AdamWOptions defaults = {});

  void step() override;
  using Optimizer::step;

 protected:
  void check_options(const AdamWOptions& options) const override;
};

}  // namespace athanor::optim
