// src/core/parallel.cpp: thread count setting and parallel_for.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <omp.h>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

namespace athanor {
namespace {

// The process-wide thread count; 0 until the first use reads ATHANOR_NUM_THREADS (or OpenMP's
// default). OpenMP keeps its thread setting per calling thread, so this is the source of truth and
// each thread's OpenMP setting is brought in line with it when it asks (see get_num_threads).
std::atomic<int> g_num_threads{0};

void init_threads_from_env() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("ATHANOR_NUM_THREADS");
    if (env == nullptr || *env == '\0') {
      g_num_threads = omp_get_max_threads();
      return;
    }
    int n = 0;
    const char* end = env + std::strlen(env);
    auto [ptr, ec] = std::from_chars(env, end, n);
    ATHANOR_CHECK(ec == std::errc() && ptr == end && n > 0,
                  "ATHANOR_NUM_THREADS: expected a positive integer, got '{}'", env);
    g_num_threads = n;
  });
}

}  // namespace

void set_num_threads(int n) {
  ATHANOR_CHECK(n > 0, "set_num_threads: expected a positive number of threads, got {}", n);
  init_threads_from_env();
  g_num_threads = n;
  omp_set_num_threads(n);
}

int get_num_threads() {
  init_threads_from_env();
  const int n = g_num_threads.load();
  // Threads other than the one that called set_num_threads start from OpenMP's default; align
  // this one's so that oneDNN, which asks OpenMP directly, follows the setting too.
  if (!omp_in_parallel() && omp_get_max_threads() != n) omp_set_num_threads(n);
  return n;
}

bool in_parallel_region() { return omp_in_parallel() != 0; }

void parallel_for(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int threads = get_num_threads();
  if (threads == 1 || n <= grain || in_parallel_region()) {
    fn(begin, end);
    return;
  }
  const int64_t chunks = std::min<int64_t>(
      threads, (n + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1));
#pragma omp parallel num_threads(static_cast <int>(chunks))
  {
    const int64_t t = omp_get_thread_num();
    const int64_t nt = omp_get_num_threads();
    const int64_t lo = begin + n * t / nt;
    const int64_t hi = begin + n * (t + 1) / nt;
    if (lo < hi) fn(lo, hi);
  }
}

}  // namespace athanor
