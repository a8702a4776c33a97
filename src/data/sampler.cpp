// src/data/sampler.cpp: SequentialSampler, RandomSampler and DistributedSampler.
#include <numeric>

#include <athanor/core/error.h>
#include <athanor/core/random.h>
#include <athanor/data/dataset.h>
#include <athanor/data/sampler.h>

namespace athanor::data {

SequentialSampler::SequentialSampler(int64_t n) : n_(n) {
  ATHANOR_CHECK(n >= 0, "SequentialSampler: expected a size >= 0, got {}", n);
}

std::vector<int64_t> SequentialSampler::indices(int64_t /*epoch*/) const {
  std::vector<int64_t> out(static_cast<size_t>(n_));
  std::iota(out.begin(), out.end(), int64_t{0});
  return out;
}

RandomSampler::RandomSampler(int64_t n, uint64_t seed) : n_(n), seed_(seed) {
  ATHANOR_CHECK(n >= 0, "RandomSampler: expected a size >= 0, got {}", n);
}

std::vector<int64_t> RandomSampler::indices(int64_t epoch) const {
  // Index -1 keeps the epoch's stream apart from any example's (example_seed(seed, epoch, i >= 0)).
  Generator gen(example_seed(seed_, epoch, -1));
  return randperm(gen, n_);
}

namespace {

int64_t shard_size(int64_t n, const DistributedSamplerOptions& o) {
  ATHANOR_CHECK(n >= 0, "DistributedSampler: expected a size >= 0, got {}", n);
  ATHANOR_CHECK(o.num_replicas >= 1, "DistributedSampler: num_replicas must be >= 1, got {}",
                o.num_replicas);
  ATHANOR_CHECK(o.rank >= 0 && o.rank < o.num_replicas,
                "DistributedSampler: rank {} is out of range for {} replicas; expected 0 <= rank "
                "< num_replicas",
                o.rank, o.num_replicas);
  return o.drop_last ? n / o.num_replicas : (n + o.num_replicas - 1) / o.num_replicas;
}

}  // namespace

DistributedSampler::DistributedSampler(int64_t n, DistributedSamplerOptions options)
    : n_(n), options_(options), num_samples_(shard_size(n, options)) {}

std::vector<int64_t> DistributedSampler::indices(int64_t epoch) const {
  std::vector<int64_t> order = options_.shuffle ? RandomSampler(n_, options_.seed).indices(epoch)
                                                : SequentialSampler(n_).indices(epoch);
  const auto total = static_cast<size_t>(num_samples_ * options_.num_replicas);
  // Padding repeats the order from its start (cyclically when more than n are missing), as
  // PyTorch does, so each rank runs the same number of steps.
  for (size_t k = 0; order.size() < total && n_ > 0; ++k) {
    const int64_t repeated = order[k];
    order.push_back(repeated);
  }
  order.resize(total);
  std::vector<int64_t> shard;
  shard.reserve(static_cast<size_t>(num_samples_));
  for (auto k = static_cast<size_t>(options_.rank); k < total;
       k += static_cast<size_t>(options_.num_replicas)) {
    shard.push_back(order[k]);
  }
  return shard;
}

}  // namespace athanor::data
