// src/train/train_test_util.h: small models and data for the train layer's tests (tests only).
#pragma once

#include <memory>
#include <utility>

#include <athanor/core/random.h>
#include <athanor/data/dataset.h>
#include <athanor/nn/nn.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/linalg.h>
#include <athanor/tensor/tensor.h>

namespace athanor::train::testing {

/// y = x . [1, -2, 0.5] + 0.3 + noise, float64: n examples of 3 features, targets [n, 1].
inline std::shared_ptr<data::TensorDataset> regression_data(int64_t n, uint64_t seed = 1) {
  Generator gen(seed);
  const Tensor x = randn({n, 3}, kFloat64, &gen);
  const Tensor w = Tensor::from({{1.0}, {-2.0}, {0.5}});
  const Tensor y = matmul(x, w) + 0.3 + 0.05 * randn({n, 1}, kFloat64, &gen);
  return std::make_shared<data::TensorDataset>(x, y);
}

/// A small float64 MLP 3-8-1, with a seeded Dropout unless `dropout` is false (so generators
/// matter for exact resume).
inline nn::Sequential small_mlp(uint64_t seed = 0, bool dropout = true) {
  manual_seed(seed);
  nn::Sequential model{nn::Linear(3, 8, true, kFloat64), nn::Tanh()};
  if (dropout) model.push_back(nn::Dropout(0.2, seed + 7));
  model.push_back(nn::Linear(8, 1, true, kFloat64));
  return model;
}

}  // namespace athanor::train::testing
