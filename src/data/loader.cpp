// src/data/loader.cpp: DataLoader and its epoch run (in-order prefetch on worker threads).
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/data/loader.h>

namespace athanor::data {
namespace detail {

/// One epoch: the batches' indices are fixed up front; workers claim batch numbers in increasing
/// order and file results by number; the consumer takes batch k once it is filed. Workers may run
/// at most `window` batches ahead of the consumer, which bounds memory.
struct LoaderRun {
  std::shared_ptr<const Dataset> dataset;
  std::vector<int64_t> order;
  int64_t batch_size = 0;
  int64_t num_batches = 0;

  Batch current;
  int64_t current_index = -1;  // the batch in `current`

  std::mutex mutex;
  std::condition_variable work_cv;   // workers wait for room in the window or for stop
  std::condition_variable ready_cv;  // the consumer waits for its batch
  int64_t next_to_claim = 0;
  int64_t window = 1;
  bool stop = false;
  struct Result {
    Batch batch;
    std::exception_ptr error;
  };
  std::map<int64_t, Result> ready;
  std::vector<std::thread> workers;

  Batch build(int64_t k) const {
    // Batches are data, not part of any graph, whatever thread builds them.
    NoGradGuard no_grad;
    const auto start = static_cast<size_t>(k * batch_size);
    const size_t count = std::min(static_cast<size_t>(batch_size), order.size() - start);
    return dataset->get_batch(std::span<const int64_t>(order).subspan(start, count));
  }

  void start_workers(int num_workers, int prefetch) {
    window = static_cast<int64_t>(num_workers) * prefetch;
    for (int w = 0; w < num_workers; ++w) workers.emplace_back([this] { work(); });
  }

  void work() {
    for (;;) {
      int64_t k = 0;
      {
        std::unique_lock lock(mutex);
        work_cv.wait(lock, [&] {
          return stop || next_to_claim >= num_batches || next_to_claim < current_index + 1 + window;
        });
        if (stop || next_to_claim >= num_batches) return;
        k = next_to_claim++;
      }
      Result result;
      try {
        result.batch = build(k);
      } catch (...) {
        result.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex);
        ready.emplace(k, std::move(result));
      }
      ready_cv.notify_all();
    }
  }

  /// Makes batch k current (k = current_index + 1); rethrows its builder's exception.
  void load(int64_t k) {
    if (workers.empty()) {
      current = build(k);
      current_index = k;
      return;
    }
    Result result;
    {
      std::unique_lock lock(mutex);
      ready_cv.wait(lock, [&] { return ready.count(k) != 0; });
      auto it = ready.find(k);
      result = std::move(it->second);
      ready.erase(it);
      current_index = k;
    }
    work_cv.notify_all();
    if (result.error) std::rethrow_exception(result.error);
    current = std::move(result.batch);
  }

  ~LoaderRun() {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    work_cv.notify_all();
    for (auto& t : workers) t.join();
  }
};

}  // namespace detail

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  ATHANOR_CHECK(dataset_ != nullptr, "DataLoader: expected a dataset, got a null pointer");
  ATHANOR_CHECK(options_.batch_size >= 1, "DataLoader: batch_size must be >= 1, got {}",
                options_.batch_size);
  ATHANOR_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be >= 0, got {}",
                options_.num_workers);
  ATHANOR_CHECK(options_.prefetch >= 1, "DataLoader: prefetch must be >= 1, got {}",
                options_.prefetch);
  if (options_.sampler) {
    ATHANOR_CHECK(!options_.shuffle,
                  "DataLoader: shuffle must be false when a sampler is given (the sampler "
                  "decides the order)");
    sampler_ = options_.sampler;
  } else if (options_.shuffle) {
    sampler_ = std::make_shared<RandomSampler>(dataset_->size(), options_.seed);
  } else {
    sampler_ = std::make_shared<SequentialSampler>(dataset_->size());
  }
}

DataLoader::~DataLoader() = default;

int64_t DataLoader::size() const {
  const int64_t n = sampler_->size();
  return options_.drop_last ? n / options_.batch_size
                            : (n + options_.batch_size - 1) / options_.batch_size;
}

void DataLoader::set_epoch(int64_t epoch) {
  ATHANOR_CHECK(epoch >= 0, "DataLoader: set_epoch expected an epoch >= 0, got {}", epoch);
  epoch_ = epoch;
  start_batch_ = 0;
}

void DataLoader::set_position(int64_t epoch, int64_t batch) {
  ATHANOR_CHECK(epoch >= 0, "DataLoader: set_position expected an epoch >= 0, got {}", epoch);
  ATHANOR_CHECK(batch >= 0 && batch <= size(),
                "DataLoader: set_position expected a batch in [0, {}] (batches per epoch), got {}",
                size(), batch);
  epoch_ = epoch;
  start_batch_ = batch;
}

DataLoader::Iterator DataLoader::begin() {
  const int64_t epoch = epoch_++;
  const int64_t start = std::exchange(start_batch_, 0);
  auto run = std::make_shared<detail::LoaderRun>();
  run->dataset = dataset_;
  run->order = sampler_->indices(epoch);
  const int64_t n = dataset_->size();
  for (int64_t i : run->order) {
    ATHANOR_CHECK(i >= 0 && i < n,
                  "DataLoader: the sampler gave index {}, out of range for a dataset of {} "
                  "examples",
                  i, n);
  }
  run->batch_size = options_.batch_size;
  run->num_batches = size();
  ATHANOR_CHECK(static_cast<int64_t>(run->order.size()) == sampler_->size(),
                "DataLoader: the sampler gave {} indices for epoch {} but its size() is {}",
                run->order.size(), epoch, sampler_->size());
  if (start >= run->num_batches) return end();
  dataset_->set_epoch(epoch);
  // Skipped batches are never built: the run starts as if batch start - 1 had been consumed.
  run->next_to_claim = start;
  run->current_index = start - 1;
  if (options_.num_workers > 0) run->start_workers(options_.num_workers, options_.prefetch);
  run->load(start);
  return Iterator(std::move(run));
}

DataLoader::Iterator::Iterator(std::shared_ptr<detail::LoaderRun> run) : run_(std::move(run)) {}

Batch& DataLoader::Iterator::operator*() const {
  ATHANOR_CHECK(run_ != nullptr, "DataLoader: dereferencing the end iterator");
  return run_->current;
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ATHANOR_CHECK(run_ != nullptr, "DataLoader: incrementing the end iterator");
  const int64_t next = run_->current_index + 1;
  if (next >= run_->num_batches) {
    run_.reset();
  } else {
    run_->load(next);
  }
  return *this;
}

bool DataLoader::Iterator::operator==(const Iterator& other) const { return run_ == other.run_; }

}  // namespace athanor::data
