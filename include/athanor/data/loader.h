// include/athanor/data/loader.h: DataLoader, batches of a dataset in a seeded order, optionally
// prefetched by worker threads.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>

#include <athanor/data/dataset.h>
#include <athanor/data/sampler.h>

namespace athanor::data {

struct LoaderOptions {
  int64_t batch_size = 64;
  /// Visit the examples in a random order, a different one each epoch (RandomSampler(seed)).
  bool shuffle = false;
  uint64_t seed = 0;
  /// Drop the last batch when it is smaller than batch_size.
  bool drop_last = false;
  /// Threads preparing batches ahead of the consumer; 0 prepares each batch when it is asked for.
  int num_workers = 0;
  /// Batches each worker may have ready or in progress ahead of the consumer.
  int prefetch = 2;
  /// The order to visit; replaces shuffle (which must then be false). E.g. DistributedSampler.
  std::shared_ptr<const Sampler> sampler = nullptr;
};

namespace detail {
struct LoaderRun;
}

/// Batches of `dataset` in the sampler's order for the current epoch:
///
///   DataLoader loader(train, {.batch_size = 64, .shuffle = true, .seed = 42, .num_workers = 2});
///   for (int epoch = 0; epoch < 10; ++epoch)
///     for (auto& [x, y] : loader) { ... }  // x: [64, ...], y: [64, ...]
///
/// Epochs: each begin() runs epoch epoch() and then advances epoch() by one, so successive loops
/// see epochs 0, 1, 2, ...; set_epoch(e) chooses the epoch the next loop runs (resuming). Epoch e's
/// order is sampler.indices(e) (with shuffle: a permutation seeded from (seed, e)), and the
/// dataset is told set_epoch(e) first, so augmentation is also reproducible.
///
/// Workers: batch k is built by whichever worker claims it (the sampler's indices are fixed
/// before they start, and each batch depends only on its indices), and the consumer receives
/// batches in order: the batches are identical for any num_workers. An exception thrown while
/// building batch k is rethrown (the same exception object) when the consumer reaches batch k.
/// Leaving the loop early, or destroying the iterator, stops and joins the workers.
/// Only one iteration of a loader may run at a time.
class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, LoaderOptions options = {});
  ~DataLoader();

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;

    Iterator() = default;
    Batch& operator*() const;
    Batch* operator->() const { return &**this; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const;

   private:
    friend class DataLoader;
    explicit Iterator(std::shared_ptr<detail::LoaderRun> run);
    std::shared_ptr<detail::LoaderRun> run_;  // null at the end
  };

  /// Starts epoch epoch() (then advances it by one).
  Iterator begin();
  Iterator end() { return Iterator(); }

  /// Number of batches per epoch.
  int64_t size() const;
  /// The epoch the next begin() runs.
  int64_t epoch() const { return epoch_; }
  void set_epoch(int64_t epoch);
  /// Resumes mid-epoch: the next begin() runs `epoch` from batch `batch` (the batches before it
  /// are skipped without being built), then the loader continues as usual. Requires
  /// 0 <= batch <= size(); batch == size() makes that loop empty.
  void set_position(int64_t epoch, int64_t batch);
  const LoaderOptions& options() const { return options_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }
  const Sampler& sampler() const { return *sampler_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  LoaderOptions options_;
  std::shared_ptr<const Sampler> sampler_;
  int64_t epoch_ = 0;
  int64_t start_batch_ = 0;  // where the next begin() starts (set_position), then 0 again
};

}  // namespace athanor::data
