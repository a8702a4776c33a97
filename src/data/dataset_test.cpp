// src/data/dataset_test.cpp: TensorDataset, Subset, ConcatDataset, TransformDataset and collate:
// values, the batch fast path against stacking, per-(seed, epoch, index) determinism, errors.
#include <memory>

#include <gtest/gtest.h>

#include <athanor/data/dataset.h>
#include <athanor/ops/binary.h>

#include "testing/matchers.h"

namespace athanor::data {
namespace {

std::shared_ptr<TensorDataset> iota_dataset(int64_t n) {
  return std::make_shared<TensorDataset>(arange(0, 2 * n, 1, kFloat64).reshape({n, 2}),
                                         arange(n, kInt64));
}

/// Forwards get() only, so batches go through the default stacking path.
class GetOnly : public Dataset {
 public:
  explicit GetOnly(std::shared_ptr<const Dataset> d) : d_(std::move(d)) {}
  int64_t size() const override { return d_->size(); }
  Example get(int64_t i) const override { return d_->get(i); }

 private:
  std::shared_ptr<const Dataset> d_;
};

TEST(TensorDataset, GetsRowsOfInputsAndTargets) {
  auto ds = iota_dataset(4);
  EXPECT_EQ(ds->size(), 4);
  const Example e = ds->get(2);
  EXPECT_TENSOR_EQ(e.input, Tensor::from({4.0, 5.0}));
  EXPECT_EQ(e.target.item<int64_t>(), 2);
}

TEST(TensorDataset, BatchFastPathEqualsStackingExamples) {
  auto ds = iota_dataset(6);
  const std::vector<int64_t> idx{5, 0, 3, 3};
  const Batch fast = ds->get_batch(idx);
  const Batch slow = GetOnly(ds).get_batch(idx);
  EXPECT_TRUE(fast.input.is_contiguous());
  EXPECT_TENSOR_EQ(fast.input, slow.input);
  EXPECT_TENSOR_EQ(fast.target, slow.target);
  EXPECT_TENSOR_EQ(fast.target, Tensor::from({5, 0, 3, 3}));
}

TEST(TensorDataset, WithoutTargetsGivesUndefinedTargets) {
  TensorDataset ds(zeros({3, 2}));
  EXPECT_FALSE(ds.get(0).target.defined());
  EXPECT_FALSE(ds.get_batch(std::vector<int64_t>{0, 1}).target.defined());
}

TEST(TensorDataset, RejectsBadIndicesAndMismatchedSizes) {
  auto ds = iota_dataset(3);
  EXPECT_THROW_WITH_MESSAGE(ds->get(3), "TensorDataset: index 3 is out of range for 3 examples");
  EXPECT_THROW_WITH_MESSAGE(ds->get_batch(std::vector<int64_t>{0, -1}),
                            "TensorDataset: index -1 is out of range for 3 examples");
  EXPECT_THROW_WITH_MESSAGE(TensorDataset(zeros({3, 2}), zeros({4})),
                            "TensorDataset: inputs [3, 2] and targets [4] differ in their number");
}

TEST(Subset, MapsIndicesAndKeepsTheFastPath) {
  auto ds = iota_dataset(5);
  Subset sub(ds, {4, 1, 1});
  EXPECT_EQ(sub.size(), 3);
  EXPECT_TENSOR_EQ(sub.get(0).input, Tensor::from({8.0, 9.0}));
  const Batch b = sub.get_batch(std::vector<int64_t>{2, 0});
  EXPECT_TENSOR_EQ(b.target, Tensor::from({1, 4}));
  EXPECT_THROW_WITH_MESSAGE(Subset(ds, {0, 5}),
                            "Subset: index 5 (position 1) is out of range for a dataset of 5");
  EXPECT_THROW_WITH_MESSAGE(sub.get(3), "Subset: index 3 is out of range for 3 examples");
}

TEST(ConcatDataset, ChainsDatasets) {
  auto a = iota_dataset(2);
  auto b = std::make_shared<TensorDataset>(full({3, 2}, 7.0, kFloat64), arange(10, 13, 1));
  ConcatDataset cat({a, b});
  EXPECT_EQ(cat.size(), 5);
  EXPECT_EQ(cat.get(1).target.item<int64_t>(), 1);
  EXPECT_EQ(cat.get(2).target.item<int64_t>(), 10);
  EXPECT_EQ(cat.get(4).target.item<int64_t>(), 12);
  EXPECT_TENSOR_EQ(cat.get_batch(std::vector<int64_t>{4, 0}).target, Tensor::from({12, 0}));
  EXPECT_THROW_WITH_MESSAGE(cat.get(5), "ConcatDataset: index 5 is out of range for 5 examples");
  EXPECT_THROW_WITH_MESSAGE(ConcatDataset({}), "ConcatDataset: expected at least one dataset");
}

TEST(TransformDataset, AppliesTransformsToInputAndTarget) {
  auto ds = iota_dataset(3);
  TransformDataset t(
      ds, [](const Tensor& x, Generator&) { return x * 2.0; },
      [](const Tensor& y, Generator&) { return y + Tensor::from({100}).reshape({}); });
  const Example e = t.get(1);
  EXPECT_TENSOR_EQ(e.input, Tensor::from({4.0, 6.0}));
  EXPECT_EQ(e.target.item<int64_t>(), 101);
}

TEST(TransformDataset, RandomTransformsDependOnSeedEpochAndIndexOnly) {
  auto ds = std::make_shared<TensorDataset>(zeros({4, 3}, kFloat64));
  const Transform noise = [](const Tensor& x, Generator& gen) {
    return x + randn(x.shape(), kFloat64, &gen);
  };
  TransformDataset a(ds, noise, nullptr, /*seed=*/7);
  TransformDataset b(ds, noise, nullptr, /*seed=*/7);
  TransformDataset c(ds, noise, nullptr, /*seed=*/8);
  // Reading order does not matter: example 2 is the same read first or last.
  const Tensor a2 = a.get(2).input;
  b.get(0);
  b.get(3);
  EXPECT_TENSOR_EQ(b.get(2).input, a2);
  EXPECT_TENSOR_EQ(a.get(2).input, a2);
  EXPECT_FALSE(a.get(1).input.to_vector<double>() == a2.to_vector<double>());
  EXPECT_FALSE(c.get(2).input.to_vector<double>() == a2.to_vector<double>());
  a.set_epoch(1);
  EXPECT_EQ(a.epoch(), 1);
  EXPECT_FALSE(a.get(2).input.to_vector<double>() == a2.to_vector<double>());
  a.set_epoch(0);
  EXPECT_TENSOR_EQ(a.get(2).input, a2);
}

TEST(TransformDataset, PassesTheEpochThroughDecorators) {
  auto base = std::make_shared<TransformDataset>(iota_dataset(3),
                                                 [](const Tensor& x, Generator&) { return x; });
  auto sub = std::make_shared<Subset>(base, std::vector<int64_t>{0});
  ConcatDataset cat({sub});
  cat.set_epoch(5);
  EXPECT_EQ(base->epoch(), 5);
}

TEST(Collate, RejectsMismatchedExamples) {
  EXPECT_THROW_WITH_MESSAGE(collate({}), "collate: expected at least one example, got none");
  EXPECT_THROW_WITH_MESSAGE(
      collate({{zeros({2}), Tensor()}, {zeros({3}), Tensor()}}),
      "collate: example 1 has input shape [3] but example 0 has [2]; expected every input");
  EXPECT_THROW_WITH_MESSAGE(collate({{zeros({2}), Tensor()}, {zeros({2}), zeros({1})}}),
                            "collate: example 1 has a target but example 0 has none");
}

}  // namespace
}  // namespace athanor::data
