// src/optim/update_queue.cpp: running a step's queued parameter updates in one parallel region.
#include <algorithm>

#include <athanor/optim/update_queue.h>

#include "optim/flush_subnormals.h"
#include "optim/update_loop.h"

namespace athanor::optim::detail {

void UpdateQueue::run() {
  // Chunk c of `chunks` updates the same fraction of every parameter: balanced, and a thread
  // updates the same part of a parameter at every step (so it finds that part in its own cache),
  // whichever parameters have gradients. Subnormal results are flushed to zero (see
  // FlushSubnormalResults): a decaying moment would otherwise cost ~100 cycles per operation.
  const int64_t chunks =
      std::clamp<int64_t>((total_ + kUpdateGrain - 1) / kUpdateGrain, 1, get_num_threads());
  parallel_for(0, chunks, 1, [this, chunks](int64_t lo, int64_t hi) {
    const FlushSubnormalResults flush;
    for (int64_t c = lo; c < hi; ++c) {
      for (const Item& item : items_) {
        const int64_t begin = item.n * c / chunks, end = item.n * (c + 1) / chunks;
        if (begin < end) item.fn(begin, end);
      }
    }
  });
  clear();
}

}  // namespace athanor::optim::detail
