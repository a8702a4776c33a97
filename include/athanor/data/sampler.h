// include/athanor/data/sampler.h: Sampler, the order in which a DataLoader visits a dataset:
// SequentialSampler, RandomSampler and DistributedSampler (one shard per process).
#pragma once

#include <cstdint>
#include <vector>

namespace athanor::data {

/// The dataset indices to visit in one epoch, in order. indices(e) must be a pure function of the
/// sampler's settings and e, so an epoch can be replayed (resuming, several workers).
class Sampler {
 public:
  virtual ~Sampler() = default;
  /// The indices of epoch `epoch` (size() of them).
  virtual std::vector<int64_t> indices(int64_t epoch) const = 0;
  /// How many indices an epoch yields.
  virtual int64_t size() const = 0;
};

/// 0, 1, ..., n - 1 every epoch.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t n);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return n_; }

 private:
  int64_t n_;
};

/// A permutation of 0 .. n - 1 (Philox randperm seeded with example_seed(seed, epoch, -1)):
/// reproducible, and different from one epoch to the next.
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t n, uint64_t seed = 0);
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return n_; }

 private:
  int64_t n_;
  uint64_t seed_;
};

struct DistributedSamplerOptions {
  int64_t num_replicas = 1;
  int64_t rank = 0;
  bool shuffle = true;
  uint64_t seed = 0;
  /// Drops the tail so every rank gets floor(n / num_replicas) indices; otherwise the order is
  /// padded by repeating its start so every rank gets ceil(n / num_replicas).
  bool drop_last = false;
};

/// The shard of rank `rank` among `num_replicas` processes, as PyTorch's DistributedSampler: the
/// epoch's order (the RandomSampler permutation with the same seed, or 0 .. n - 1) is padded or
/// cut to a multiple of num_replicas, and rank r takes positions r, r + num_replicas, ... All
/// ranks use the same seed, so their shards are disjoint (up to the padding) and cover the data.
class DistributedSampler : public Sampler {
 public:
  DistributedSampler(int64_t n, DistributedSamplerOptions options = {});
  std::vector<int64_t> indices(int64_t epoch) const override;
  int64_t size() const override { return num_samples_; }

 private:
  int64_t n_;
  DistributedSamplerOptions options_;
  int64_t num_samples_;  // per rank
};

}  // namespace athanor::data
