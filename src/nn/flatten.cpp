// src/nn/flatten.cpp: Flatten.
#include <fmt/format.h>

#include <athanor/nn/flatten.h>

namespace athanor::nn {

Tensor Flatten::forward(const Tensor& x) { return x.flatten(start_dim_, end_dim_); }

std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", start_dim_, end_dim_);
}

}  // namespace athanor::nn
