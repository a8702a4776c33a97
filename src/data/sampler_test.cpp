// src/data/sampler_test.cpp: SequentialSampler, RandomSampler and DistributedSampler (PyTorch's
// sharding and padding, disjoint shards) and their errors.
#include <algorithm>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include <athanor/data/sampler.h>

#include "testing/matchers.h"

namespace athanor::data {
namespace {

using Indices = std::vector<int64_t>;

TEST(SequentialSampler, CountsUp) {
  EXPECT_EQ(SequentialSampler(4).indices(7), (Indices{0, 1, 2, 3}));
  EXPECT_EQ(SequentialSampler(0).indices(0), Indices{});
}

TEST(RandomSampler, PermutesReproduciblyAndDiffersByEpoch) {
  RandomSampler s(100, 3);
  const Indices e0 = s.indices(0);
  EXPECT_EQ(e0, RandomSampler(100, 3).indices(0));
  EXPECT_NE(e0, s.indices(1));
  EXPECT_NE(e0, RandomSampler(100, 4).indices(0));
  Indices sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, SequentialSampler(100).indices(0));
}

TEST(DistributedSampler, PadsAndShardsLikePyTorch) {
  // torch DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False):
  // [0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1].
  const Indices want[3] = {{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}};
  for (int64_t r = 0; r < 3; ++r) {
    DistributedSampler s(10, {.num_replicas = 3, .rank = r, .shuffle = false});
    EXPECT_EQ(s.size(), 4);
    EXPECT_EQ(s.indices(0), want[r]);
  }
  // drop_last: [0, 3, 6], [1, 4, 7], [2, 5, 8].
  DistributedSampler d(10, {.num_replicas = 3, .rank = 2, .shuffle = false, .drop_last = true});
  EXPECT_EQ(d.indices(0), (Indices{2, 5, 8}));
  // More replicas than examples: the order repeats cyclically.
  DistributedSampler tiny(2, {.num_replicas = 5, .rank = 4, .shuffle = false});
  EXPECT_EQ(tiny.indices(0), (Indices{0}));
}

TEST(DistributedSampler, ShuffledShardsAreDisjointAndCoverTheData) {
  for (int64_t epoch : {0, 1}) {
    std::multiset<int64_t> seen;
    for (int64_t r = 0; r < 4; ++r) {
      DistributedSampler s(40, {.num_replicas = 4, .rank = r, .seed = 11});
      for (int64_t i : s.indices(epoch)) seen.insert(i);
    }
    EXPECT_EQ(seen.size(), 40u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 40u);
  }
  DistributedSampler s(40, {.num_replicas = 4, .rank = 0, .seed = 11});
  EXPECT_NE(s.indices(0), s.indices(1));
  // The shard is every 4th position of the RandomSampler order with the same seed.
  const Indices order = RandomSampler(40, 11).indices(0);
  EXPECT_EQ(s.indices(0)[1], order[4]);
}

TEST(DistributedSampler, RejectsBadRanks) {
  EXPECT_THROW_WITH_MESSAGE(DistributedSampler(10, {.num_replicas = 2, .rank = 2}),
                            "DistributedSampler: rank 2 is out of range for 2 replicas");
  EXPECT_THROW_WITH_MESSAGE(DistributedSampler(10, {.num_replicas = 0}),
                            "DistributedSampler: num_replicas must be >= 1, got 0");
  EXPECT_THROW_WITH_MESSAGE(RandomSampler(-1), "RandomSampler: expected a size >= 0, got -1");
}

}  // namespace
}  // namespace athanor::data
