// src/data/split_test.cpp: random_split (fractions, counts, datasets), stratified_split (class
// proportions within one per class), k_fold and stratified_k_fold (folds partition the indices),
// reproducibility and errors.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include <athanor/data/split.h>

#include "testing/matchers.h"

namespace athanor::data {
namespace {

using Indices = std::vector<int64_t>;

/// The splits together hold 0 .. n - 1 exactly once.
void expect_partition(const std::vector<Indices>& parts, int64_t n) {
  Indices all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end());
  Indices want(static_cast<size_t>(n));
  std::iota(want.begin(), want.end(), int64_t{0});
  EXPECT_EQ(all, want);
}

/// 3 classes of 50, 30 and 7, interleaved.
Tensor labels87() {
  std::vector<int64_t> v;
  for (int i = 0; i < 50; ++i) v.push_back(0);
  for (int i = 0; i < 30; ++i) v.push_back(1);
  for (int i = 0; i < 7; ++i) v.push_back(2);
  std::vector<int64_t> mixed(v.size());
  for (size_t k = 0; k < v.size(); ++k) mixed[(k * 31) % v.size()] = v[k];  // 31 coprime to 87
  return Tensor::from(mixed, Shape{87});
}

TEST(RandomSplit, ByFractionsLikePyTorch) {
  const auto parts = random_split(10, {0.5, 0.3, 0.2}, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 5u);
  EXPECT_EQ(parts[1].size(), 3u);
  EXPECT_EQ(parts[2].size(), 2u);
  expect_partition(parts, 10);
  // floor(11 * 0.5) = 5 each, the remainder to the first split.
  const auto odd = random_split(11, {0.5, 0.5}, 1);
  EXPECT_EQ(odd[0].size(), 6u);
  EXPECT_EQ(odd[1].size(), 5u);
  EXPECT_EQ(random_split(10, {0.5, 0.3, 0.2}, 1), parts);
  EXPECT_NE(random_split(10, {0.5, 0.3, 0.2}, 2), parts);
}

TEST(RandomSplit, ByCountsAndOnDatasets) {
  const auto parts = random_split(10, {7, 3}, 0);
  EXPECT_EQ(parts[0].size(), 7u);
  expect_partition(parts, 10);
  auto ds =
      std::make_shared<TensorDataset>(arange(10, kInt64).reshape({10, 1}), arange(10, kInt64));
  const auto subsets = random_split(ds, {0.8, 0.2}, 4);
  EXPECT_EQ(subsets[0]->size(), 8);
  EXPECT_EQ(subsets[1]->indices(), random_split(10, {0.8, 0.2}, 4)[1]);
  EXPECT_EQ(subsets[1]->get(0).target.item<int64_t>(), subsets[1]->indices()[0]);
}

TEST(RandomSplit, RejectsBadLengths) {
  EXPECT_THROW_WITH_MESSAGE(random_split(10, {6, 3}),
                            "random_split: counts 6, 3 sum to 9, but the dataset has 10 examples");
  EXPECT_THROW_WITH_MESSAGE(random_split(10, {0.5, 0.4}),
                            "random_split: lengths must be fractions summing to 1 or whole counts");
}

TEST(StratifiedSplit, KeepsClassProportionsWithinOnePerClass) {
  const Tensor labels = labels87();
  const std::vector<double> fractions{0.7, 0.15, 0.15};
  const auto parts = stratified_split(labels, fractions, 3);
  ASSERT_EQ(parts.size(), 3u);
  expect_partition(parts, 87);
  const auto y = labels.to_vector<int64_t>();
  const int64_t class_size[3] = {50, 30, 7};
  for (size_t s = 0; s < 3; ++s) {
    int64_t count[3] = {0, 0, 0};
    for (int64_t i : parts[s]) ++count[y[static_cast<size_t>(i)]];
    for (int c = 0; c < 3; ++c) {
      EXPECT_LT(std::abs(static_cast<double>(count[c]) - fractions[s] * class_size[c]), 1.0)
          << "split " << s << " class " << c;
    }
  }
  EXPECT_EQ(stratified_split(labels, fractions, 3), parts);
  EXPECT_NE(stratified_split(labels, fractions, 4), parts);
}

TEST(StratifiedSplit, RejectsBadInputs) {
  EXPECT_THROW_WITH_MESSAGE(stratified_split(Tensor::from({0, 1}), {0.5, 0.6}),
                            "stratified_split: fractions must sum to 1, got 0.5, 0.6");
  EXPECT_THROW_WITH_MESSAGE(stratified_split(Tensor::from({0, -1}), {0.5, 0.5}),
                            "stratified_split: label -1 at index 1 is negative");
  EXPECT_THROW_WITH_MESSAGE(stratified_split(Tensor::from({0.0, 1.0}), {1.0}),
                            "stratified_split: expected 1-D integer class labels, got float64");
}

TEST(KFold, ValidationSetsPartitionTheIndices) {
  const auto folds = k_fold(11, 3, /*shuffle=*/true, 5);
  ASSERT_EQ(folds.size(), 3u);
  std::vector<Indices> vals;
  for (const auto& f : folds) {
    vals.push_back(f.val);
    EXPECT_EQ(f.train.size() + f.val.size(), 11u);
    std::vector<Indices> both{f.train, f.val};
    expect_partition(both, 11);
  }
  expect_partition(vals, 11);
  EXPECT_EQ(folds[0].val.size(), 4u);  // the first n % k folds are one larger
  EXPECT_EQ(folds[2].val.size(), 3u);
  const auto plain = k_fold(6, 3, /*shuffle=*/false);
  EXPECT_EQ(plain[1].val, (Indices{2, 3}));
  EXPECT_EQ(plain[1].train, (Indices{0, 1, 4, 5}));
  EXPECT_THROW_WITH_MESSAGE(k_fold(5, 6), "k_fold: expected 2 <= k <= 5 (the number of examples)");
  EXPECT_THROW_WITH_MESSAGE(k_fold(5, 1), "k_fold: expected 2 <= k <= 5");
}

TEST(StratifiedKFold, FoldsPartitionAndSpreadEachClassEvenly) {
  const Tensor labels = labels87();
  const auto y = labels.to_vector<int64_t>();
  const auto folds = stratified_k_fold(labels, 5, true, 2);
  std::vector<Indices> vals;
  for (const auto& f : folds) {
    vals.push_back(f.val);
    int64_t count[3] = {0, 0, 0};
    for (int64_t i : f.val) ++count[y[static_cast<size_t>(i)]];
    EXPECT_LT(std::abs(count[0] - 10.0), 1.0);
    EXPECT_LT(std::abs(count[1] - 6.0), 1.0);
    EXPECT_LT(std::abs(count[2] - 1.4), 1.0);
    EXPECT_LT(std::abs(static_cast<double>(f.val.size()) - 87.0 / 5), 1.0);
  }
  expect_partition(vals, 87);
  EXPECT_EQ(stratified_k_fold(labels, 5, true, 2)[3].val, folds[3].val);
}

}  // namespace
}  // namespace athanor::data
