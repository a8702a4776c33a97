// include/athanor/nn/normalization.h: BatchNorm1d, BatchNorm2d and LayerNorm.
#pragma once

#include <optional>

#include <athanor/nn/module.h>

namespace athanor::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  /// Weight of the new batch in the running statistics; nullopt: cumulative average
  /// (1 / num_batches_tracked), as PyTorch's momentum=None.
  std::optional<double> momentum = 0.1;
  bool affine = true;               // learnable weight (ones) and bias (zeros)
  bool track_running_stats = true;  // buffers running_mean, running_var, num_batches_tracked
  DType dtype = kFloat32;
};

/// Batch normalization (Ioffe & Szegedy, 2015) over channel dim 1: in training, normalizes with
/// the batch's mean and biased variance and updates the running statistics (running_var with the
/// unbiased variance); in eval, uses the running statistics. BatchNorm1d takes [N, C] or
/// [N, C, L], BatchNorm2d [N, C, H, W].
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return name_; }
  std::string extra_repr() const override;

  Tensor weight, bias;                                    // [C], if affine
  Tensor running_mean, running_var, num_batches_tracked;  // if track_running_stats

 protected:
  BatchNorm(const char* name, int min_dim, int max_dim, const char* layout, int64_t num_features,
            const BatchNormOptions& options);

 private:
  const char* name_;
  int min_dim_, max_dim_;
  const char* layout_;
  int64_t num_features_;
  BatchNormOptions options_;
};

class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm("BatchNorm1d", 2, 3, "[N, C] or [N, C, L]", num_features, options) {}
};

class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm("BatchNorm2d", 4, 4, "[N, C, H, W]", num_features, options) {}
};

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;  // learnable weight (ones) and bias (zeros) of normalized_shape
  DType dtype = kFloat32;
};

/// Layer normalization (Ba et al., 2016): each sample is normalized over its trailing dims
/// `normalized_shape` (biased variance), in training and eval alike.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, const LayerNormOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  Tensor weight, bias;  // if elementwise_affine

 private:
  Shape normalized_shape_;
  LayerNormOptions options_;
};

}  // namespace athanor::nn
