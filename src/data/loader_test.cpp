// src/data/loader_test.cpp: DataLoader: batching, drop_last, seeded epoch orders, identical
// batches for any worker count, error propagation, early exit, samplers and option errors.
#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

#include <athanor/data/loader.h>
#include <athanor/ops/binary.h>

#include "testing/matchers.h"

namespace athanor::data {
namespace {

std::shared_ptr<TensorDataset> iota_dataset(int64_t n) {
  return std::make_shared<TensorDataset>(arange(0, 3 * n, 1, kFloat32).reshape({n, 3}),
                                         arange(n, kInt64));
}

/// get() only (the stacking path), counting calls and optionally failing at one index.
class Probe : public Dataset {
 public:
  explicit Probe(int64_t n, int64_t fail_at = -1) : d_(iota_dataset(n)), fail_at_(fail_at) {}
  int64_t size() const override { return d_->size(); }
  Example get(int64_t i) const override {
    ++calls;
    if (i == fail_at_) throw Error("Probe: example " + std::to_string(i) + " is corrupt");
    return d_->get(i);
  }
  mutable std::atomic<int64_t> calls{0};

 private:
  std::shared_ptr<TensorDataset> d_;
  int64_t fail_at_;
};

std::vector<Batch> one_epoch(DataLoader& loader) {
  std::vector<Batch> out;
  for (auto& [x, y] : loader) out.push_back({x, y});
  return out;
}

std::vector<int64_t> epoch_targets(DataLoader& loader) {
  std::vector<int64_t> out;
  for (auto& batch : loader) {
    for (int64_t v : batch.target.to_vector<int64_t>()) out.push_back(v);
  }
  return out;
}

void expect_same_batches(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_TENSOR_EQ(a[k].input, b[k].input);
    EXPECT_TENSOR_EQ(a[k].target, b[k].target);
  }
}

TEST(DataLoader, BatchesInOrderWithAShortLastBatch) {
  DataLoader loader(iota_dataset(10), {.batch_size = 4});
  EXPECT_EQ(loader.size(), 3);
  const auto batches = one_epoch(loader);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].input.shape(), (Shape{4, 3}));
  EXPECT_EQ(batches[2].input.shape(), (Shape{2, 3}));
  EXPECT_TRUE(batches[1].input.is_contiguous());
  EXPECT_TENSOR_EQ(batches[1].target, Tensor::from({4, 5, 6, 7}));
  EXPECT_TENSOR_EQ(batches[2].input, Tensor::from({{24.0f, 25.0f, 26.0f}, {27.0f, 28.0f, 29.0f}}));
}

TEST(DataLoader, DropLastDropsTheShortBatch) {
  DataLoader loader(iota_dataset(10), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(one_epoch(loader).size(), 2u);
  DataLoader exact(iota_dataset(8), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(exact.size(), 2);
}

TEST(DataLoader, SameSeedGivesSameBatches) {
  DataLoader a(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader b(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 42});
  DataLoader c(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 43});
  const auto ta = epoch_targets(a);
  EXPECT_EQ(ta, epoch_targets(b));
  EXPECT_NE(ta, epoch_targets(c));
  std::vector<int64_t> sorted = ta;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(50);
  std::iota(all.begin(), all.end(), int64_t{0});
  EXPECT_EQ(sorted, all);  // a permutation: every example once
  EXPECT_NE(ta, all);      // and shuffled
}

TEST(DataLoader, EachEpochHasItsOwnReproducibleOrder) {
  DataLoader loader(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 1});
  EXPECT_EQ(loader.epoch(), 0);
  const auto e0 = epoch_targets(loader);
  const auto e1 = epoch_targets(loader);
  const auto e2 = epoch_targets(loader);
  EXPECT_EQ(loader.epoch(), 3);
  EXPECT_NE(e0, e1);
  EXPECT_NE(e1, e2);
  loader.set_epoch(1);
  EXPECT_EQ(epoch_targets(loader), e1);
  DataLoader fresh(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 1});
  fresh.set_epoch(2);
  EXPECT_EQ(epoch_targets(fresh), e2);
}

TEST(DataLoader, SetPositionResumesMidEpochWithoutBuildingSkippedBatches) {
  DataLoader full(iota_dataset(50), {.batch_size = 8, .shuffle = true, .seed = 1});
  full.set_epoch(2);
  const std::vector<Batch> epoch2 = one_epoch(full);
  const std::vector<Batch> epoch3 = one_epoch(full);
  for (int workers : {0, 2}) {
    auto probe = std::make_shared<Probe>(50);
    DataLoader resumed(probe,
                       {.batch_size = 8, .shuffle = true, .seed = 1, .num_workers = workers});
    resumed.set_position(2, 5);
    const std::vector<Batch> tail = one_epoch(resumed);
    EXPECT_EQ(probe->calls.load(), 50 - 5 * 8) << "skipped batches were built";
    expect_same_batches(tail, {epoch2.begin() + 5, epoch2.end()});
    EXPECT_EQ(resumed.epoch(), 3);
    expect_same_batches(one_epoch(resumed), epoch3);  // the next epoch starts at batch 0
  }
  DataLoader at_end(iota_dataset(50), {.batch_size = 8});
  at_end.set_position(0, at_end.size());
  EXPECT_TRUE(one_epoch(at_end).empty());
  EXPECT_EQ(at_end.epoch(), 1);
  EXPECT_THROW_WITH_MESSAGE(at_end.set_position(0, 8),
                            "DataLoader: set_position expected a batch in [0, 7] (batches per "
                            "epoch), got 8");
}

TEST(DataLoader, WorkersGiveIdenticalBatchesForAnyCount) {
  // Random augmentation in the dataset, the stacking path, a short last batch, two epochs.
  auto augmented = std::make_shared<TransformDataset>(
      std::make_shared<Probe>(37),
      [](const Tensor& x, Generator& gen) { return x + randn(x.shape(), kFloat32, &gen); }, nullptr,
      /*seed=*/9);
  std::vector<std::vector<Batch>> runs;
  for (int workers : {0, 1, 2, 3}) {
    DataLoader loader(
        augmented,
        {.batch_size = 5, .shuffle = true, .seed = 3, .num_workers = workers, .prefetch = 1});
    std::vector<Batch> both = one_epoch(loader);
    for (auto& b : one_epoch(loader)) both.push_back(b);
    runs.push_back(std::move(both));
  }
  ASSERT_EQ(runs[0].size(), 16u);
  for (size_t r = 1; r < runs.size(); ++r) expect_same_batches(runs[0], runs[r]);
  // The epochs differ in order and in augmentation.
  EXPECT_FALSE(runs[0][0].input.to_vector<float>() == runs[0][8].input.to_vector<float>());
}

TEST(DataLoader, FastPathMatchesStacking) {
  DataLoader fast(iota_dataset(23), {.batch_size = 6, .shuffle = true, .seed = 5});
  DataLoader slow(std::make_shared<Probe>(23), {.batch_size = 6, .shuffle = true, .seed = 5});
  expect_same_batches(one_epoch(fast), one_epoch(slow));
}

TEST(DataLoader, ExceptionsReachTheConsumerAtTheirBatch) {
  for (int workers : {0, 2}) {
    DataLoader loader(std::make_shared<Probe>(20, /*fail_at=*/13),
                      {.batch_size = 4, .num_workers = workers});
    int64_t seen = 0;
    EXPECT_THROW_WITH_MESSAGE(
        {
          for (auto& batch : loader) {
            (void)batch;
            ++seen;
          }
        },
        "Probe: example 13 is corrupt");
    EXPECT_EQ(seen, 3) << workers << " workers";  // batches 0-2 arrive, batch 3 holds index 13
  }
}

TEST(DataLoader, BreakingEarlyStopsTheWorkers) {
  auto probe = std::make_shared<Probe>(1000);
  DataLoader loader(probe, {.batch_size = 10, .num_workers = 2, .prefetch = 2});
  for (int round = 0; round < 3; ++round) {
    int64_t seen = 0;
    for (auto& batch : loader) {
      EXPECT_EQ(batch.input.shape(0), 10);
      if (++seen == 2) break;
    }
  }
  // Each round builds at most the 2 consumed batches plus the 4-batch window (and one more
  // batch per worker finishing its claim): far fewer than the 100 batches of an epoch.
  EXPECT_LE(probe->calls.load(), 3 * (2 + 4 + 2) * 10);
  EXPECT_EQ(one_epoch(loader).size(), 100u);  // and the loader still runs whole epochs
}

TEST(DataLoader, UsesAGivenSampler) {
  auto sampler = std::make_shared<DistributedSampler>(
      10, DistributedSamplerOptions{.num_replicas = 3, .rank = 1, .shuffle = false});
  DataLoader loader(iota_dataset(10), {.batch_size = 2, .sampler = sampler});
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epoch_targets(loader), (std::vector<int64_t>{1, 4, 7, 0}));
}

TEST(DataLoader, EmptyDatasetGivesNoBatches) {
  DataLoader loader(std::make_shared<TensorDataset>(zeros({0, 2})), {.batch_size = 4});
  EXPECT_EQ(loader.size(), 0);
  EXPECT_TRUE(one_epoch(loader).empty());
}

class BadSampler : public Sampler {
 public:
  std::vector<int64_t> indices(int64_t) const override { return {0, 12}; }
  int64_t size() const override { return 2; }
};

TEST(DataLoader, RejectsBadOptions) {
  auto ds = iota_dataset(10);
  EXPECT_THROW_WITH_MESSAGE(DataLoader(ds, {.batch_size = 0}),
                            "DataLoader: batch_size must be >= 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(DataLoader(ds, {.num_workers = -1}),
                            "DataLoader: num_workers must be >= 0, got -1");
  EXPECT_THROW_WITH_MESSAGE(DataLoader(ds, {.prefetch = 0}),
                            "DataLoader: prefetch must be >= 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(
      DataLoader(ds, {.shuffle = true, .sampler = std::make_shared<SequentialSampler>(10)}),
      "DataLoader: shuffle must be false when a sampler is given");
  EXPECT_THROW_WITH_MESSAGE(DataLoader(nullptr), "DataLoader: expected a dataset");
  DataLoader bad(ds, {.sampler = std::make_shared<BadSampler>()});
  EXPECT_THROW_WITH_MESSAGE(
      bad.begin(), "DataLoader: the sampler gave index 12, out of range for a dataset of 10");
}

}  // namespace
}  // namespace athanor::data
