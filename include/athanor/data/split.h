// include/athanor/data/split.h: seeded random and stratified splits of a dataset's indices, and
// k-fold cross-validation index generators.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <athanor/data/dataset.h>
#include <athanor/tensor/tensor.h>

namespace athanor::data {

/// A random partition of 0 .. n - 1. `lengths` are either fractions summing to 1 (each split gets
/// floor(n * fraction), and the remainder goes one by one to the first splits, as PyTorch's
/// random_split) or counts summing to n. Within a split the indices are in random order.
std::vector<std::vector<int64_t>> random_split(int64_t n, const std::vector<double>& lengths,
                                               uint64_t seed = 0);
/// The same split of a dataset, as Subsets.
std::vector<std::shared_ptr<Subset>> random_split(const std::shared_ptr<const Dataset>& dataset,
                                                  const std::vector<double>& lengths,
                                                  uint64_t seed = 0);

/// A random partition of 0 .. labels.numel() - 1 keeping class proportions: each class's members
/// are shuffled and shared out by `fractions` (summing to 1), the counts rounded by largest
/// remainder so that each split holds within one sample of fraction * class size of every class.
/// labels: 1-D integer class ids >= 0. E.g. fractions {0.7, 0.15, 0.15} gives train, validation,
/// test. Within a split the indices are in random order.
std::vector<std::vector<int64_t>> stratified_split(const Tensor& labels,
                                                   const std::vector<double>& fractions,
                                                   uint64_t seed = 0);

/// One cross-validation fold: indices to train on and the held-out ones (both ascending).
struct Fold {
  std::vector<int64_t> train;
  std::vector<int64_t> val;
};

/// k folds whose validation sets partition 0 .. n - 1 (sizes differ by at most one, the first
/// n % k one larger, as scikit-learn's KFold); consecutive blocks unless `shuffle`.
std::vector<Fold> k_fold(int64_t n, int64_t k, bool shuffle = true, uint64_t seed = 0);

/// k folds whose validation sets partition the indices and hold each class's members in equal
/// shares (within one per class), fold sizes within one of each other. labels: 1-D class ids.
std::vector<Fold> stratified_k_fold(const Tensor& labels, int64_t k, bool shuffle = true,
                                    uint64_t seed = 0);

}  // namespace athanor::data
