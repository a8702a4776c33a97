// include/athanor/optim/update_queue.h: an optimizer step's per-parameter elementwise updates,
// queued and then run together, each thread taking the same share of every parameter.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace athanor::optim::detail {

/// What PyTorch's multi-tensor ("foreach") optimizers achieve: one parallel region for all of a
/// step's parameters instead of one per parameter. Parameters below the parallel grain no longer
/// run on one thread while the others wait, and a large one no longer leaves the small ones to the
/// calling thread. Each element's update reads and writes only that element, so the split never
/// changes a result.
class UpdateQueue {
 public:
  /// Queues fn(i) for every i in [0, n). fn is kept until run(), so it must hold what it reads by
  /// value (pointers into buffers that outlive the step, scalars).
  template <typename Fn>
  void add(int64_t n, Fn fn) {
    if (n <= 0) return;
    items_.push_back({n, [fn](int64_t begin, int64_t end) {
                        for (int64_t i = begin; i < end; ++i) fn(i);
                      }});
    total_ += n;
  }
  /// Runs every queued update, then empties the queue (keeping its capacity).
  void run();
  /// Drops what was queued without running it.
  void clear() {
    items_.clear();
    total_ = 0;
  }

 private:
  struct Item {
    int64_t n;
    std::function<void(int64_t, int64_t)> fn;  // updates elements [begin, end)
  };
  std::vector<Item> items_;
  int64_t total_ = 0;
};

}  // namespace athanor::optim::detail
