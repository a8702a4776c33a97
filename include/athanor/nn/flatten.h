// include/athanor/nn/flatten.h: Flatten and Identity, the layers that only reshape or pass through.
#pragma once

#include <athanor/nn/module.h>

namespace athanor::nn {

/// Merges dims start_dim..end_dim: [N, C, H, W] -> [N, C*H*W] by default (a view when possible).
class Flatten : public Module {
 public:
  explicit Flatten(int start_dim = 1, int end_dim = -1)
      : start_dim_(start_dim), end_dim_(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  std::string extra_repr() const override;

 private:
  int start_dim_;
  int end_dim_;
};

/// Returns its input (a placeholder, e.g. a residual block's shortcut).
class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};

}  // namespace athanor::nn
