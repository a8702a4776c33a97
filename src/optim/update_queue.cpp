// src/optim/update_queue.cpp: running a step's queued parameter updates in one parallel region.
#include <algorithm>

#include <athanor/optim/update_queue.h>

#include "optim/update_loop.h"

namespace athanor::optim::detail {

void UpdateQueue::run() {
  // The queued parameters laid end to end: each chunk of [0, total) updates the parts of the
  // parameters it overlaps.
  parallel_for(0, total_, kUpdateGrain, [this](int64_t begin, int64_t end) {
    int64_t offset = 0;
    for (const Item& item : items_) {
      const int64_t lo = std::max(begin, offset), hi = std::min(end, offset + item.n);
      if (lo < hi) item.fn(lo - offset, hi - offset);
      offset += item.n;
      if (offset >= end) break;
    }
  });
  clear();
}

}  // namespace athanor::optim::detail
