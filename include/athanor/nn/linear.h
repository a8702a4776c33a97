// include/athanor/nn/linear.h: Linear, the fully connected layer.
#pragma once

#include <athanor/nn/module.h>

namespace athanor::nn {

/// y = x @ weight^T + bias. x: [..., in_features] -> y: [..., out_features].
/// weight [out_features, in_features] and bias [out_features] start as PyTorch's:
/// U(-1/sqrt(in_features), 1/sqrt(in_features)) (kaiming_uniform_ with a = sqrt(5)).
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, DType dtype = kFloat32);

  Tensor forward(const Tensor& x) override;
  /// relu(forward(x)) as one node (linear_relu): what nn::Sequential runs for a Linear followed
  /// by a ReLU.
  Tensor forward_relu(const Tensor& x);
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  int64_t in_features_;
  int64_t out_features_;
};

}  // namespace athanor::nn
