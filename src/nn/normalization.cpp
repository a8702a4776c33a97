// src/nn/normalization.cpp: BatchNorm1d/2d and LayerNorm modules over the normalization ops.
#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/nn/normalization.h>
#include <athanor/ops/normalization.h>

namespace athanor::nn {

BatchNorm::BatchNorm(const char* name, int min_dim, int max_dim, const char* layout,
                     int64_t num_features, const BatchNormOptions& options)
    : name_(name),
      min_dim_(min_dim),
      max_dim_(max_dim),
      layout_(layout),
      num_features_(num_features),
      options_(options) {
  ATHANOR_CHECK(num_features > 0, "{}: num_features must be positive, got {}", name, num_features);
  ATHANOR_CHECK(!options.momentum || (*options.momentum >= 0 && *options.momentum <= 1),
                "{}: momentum must be in [0, 1], got {}", name, options.momentum.value_or(0));
  const Shape c{num_features};
  if (options.affine) {
    weight = register_parameter("weight", ones(c, options.dtype));
    bias = register_parameter("bias", zeros(c, options.dtype));
  }
  if (options.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros(c, options.dtype));
    running_var = register_buffer("running_var", ones(c, options.dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros(Shape{}, kInt64));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  ATHANOR_CHECK(x.dim() >= min_dim_ && x.dim() <= max_dim_,
                "{}: expected input of shape {}, got {}", name_, layout_, x.shape());
  ATHANOR_CHECK(x.shape(1) == num_features_,
                "{}: input has {} channels, layer expects {} (input shape {})", name_, x.shape(1),
                num_features_, x.shape());
  double momentum = options_.momentum.value_or(0.0);
  if (is_training() && options_.track_running_stats) {
    const int64_t n = num_batches_tracked.item<int64_t>() + 1;
    num_batches_tracked.fill_(static_cast<double>(n));
    if (!options_.momentum) momentum = 1.0 / static_cast<double>(n);
  }
  // Without running statistics, batch statistics are used in eval mode too (as PyTorch).
  const bool use_batch_stats = is_training() || !options_.track_running_stats;
  return batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats, momentum,
                    options_.eps);
}

std::string BatchNorm::extra_repr() const {
  return fmt::format(
      "{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features_, options_.eps,
      options_.momentum ? fmt::format("{}", *options_.momentum) : std::string("None"),
      options_.affine ? "True" : "False", options_.track_running_stats ? "True" : "False");
}

LayerNorm::LayerNorm(Shape normalized_shape, const LayerNormOptions& options)
    : normalized_shape_(normalized_shape), options_(options) {
  ATHANOR_CHECK(normalized_shape.rank() > 0 && normalized_shape.numel() > 0,
                "LayerNorm: normalized_shape must be non-empty with positive sizes, got {}",
                normalized_shape);
  if (options.elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape, options.dtype));
    bias = register_parameter("bias", zeros(normalized_shape, options.dtype));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  return layer_norm(x, normalized_shape_, weight, bias, options_.eps);
}

std::string LayerNorm::extra_repr() const {
  return fmt::format("{}, eps={}, elementwise_affine={}", normalized_shape_, options_.eps,
                     options_.elementwise_affine ? "True" : "False");
}

}  // namespace athanor::nn
