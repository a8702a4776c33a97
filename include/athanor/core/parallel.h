// include/athanor/core/parallel.h: the one thread setting and parallel_for over OpenMP.
#pragma once

#include <cstdint>
#include <functional>

namespace athanor {

/// Sets the number of threads used by athanor's loops and by oneDNN (one shared OpenMP pool).
/// The default comes from ATHANOR_NUM_THREADS, else OpenMP's default (OMP_NUM_THREADS or cores).
void set_num_threads(int n);
int get_num_threads();

/// Sets the thread count for its lifetime (or, without an argument, only remembers it) and
/// restores the previous one on exit.
class ScopedNumThreads {
 public:
  ScopedNumThreads() : saved_(get_num_threads()) {}
  explicit ScopedNumThreads(int n) : saved_(get_num_threads()) { set_num_threads(n); }
  ~ScopedNumThreads() { set_num_threads(saved_); }
  ScopedNumThreads(const ScopedNumThreads&) = delete;
  ScopedNumThreads& operator=(const ScopedNumThreads&) = delete;

 private:
  int saved_;
};

/// True inside a parallel region (where parallel_for runs serially: parallelism is never nested).
bool in_parallel_region();

/// Calls fn(begin, end) on disjoint chunks covering [begin, end), in parallel when the range
/// exceeds `grain` elements. Chunks are static (the same for a given thread count), so results are
/// reproducible. fn must not throw.
void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn);

}  // namespace athanor
