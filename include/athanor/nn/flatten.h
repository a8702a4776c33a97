// include/athanor/nn/flatten.h: Flatten, Reshape and Identity, the layers that only reshape or
// pass through.
#pragma once

#include <utility>

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

/// Gives each example the shape `shape` (one dim may be -1), keeping the batch dim: Keras's
/// Reshape, e.g. Reshape({28, 28}) turns [N, 1, 28, 28] images into [N, 28, 28] sequences.
class Reshape : public Module {
 public:
  explicit Reshape(Shape shape) : shape_(std::move(shape)) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Reshape"; }
  std::string extra_repr() const override;

 private:
  Shape shape_;
};

/// Returns its input (a placeholder, e.g. a residual block's shortcut).
class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};

}  // namespace athanor::nn
