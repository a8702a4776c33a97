// src/nn/flatten.cpp: Flatten and Reshape.
#include <algorithm>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/nn/flatten.h>
#include <athanor/ops/shape.h>

namespace athanor::nn {

Tensor Flatten::forward(const Tensor& x) { return x.flatten(start_dim_, end_dim_); }

std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", start_dim_, end_dim_);
}

Tensor Reshape::forward(const Tensor& x) {
  ATHANOR_CHECK(x.dim() >= 1, "Reshape: expected a batch of examples, got a scalar");
  Shape example = x.shape();
  example.erase(0);
  int64_t known = 1;
  for (int64_t d : shape_) known *= d == -1 ? 1 : d;
  const int64_t n = example.numel();
  const bool infer = std::find(shape_.begin(), shape_.end(), -1) != shape_.end();
  ATHANOR_CHECK(infer ? known > 0 && n % known == 0 : known == n,
                "Reshape: cannot give examples of shape {} ({} elements) the shape {}", example, n,
                shape_);
  Shape target = shape_;
  target.insert(0, x.shape(0));
  return reshape(x, target);
}

std::string Reshape::extra_repr() const { return fmt::format("shape={}", shape_); }

}  // namespace athanor::nn
