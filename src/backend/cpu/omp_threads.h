// src/backend/cpu/omp_threads.h: OmpThreads, holding this thread's OpenMP thread count (which
// oneDNN reads when it creates or runs a primitive) to a value for a scope.
#pragma once

#include <omp.h>

namespace athanor::cpu {

/// Sets this thread's OpenMP thread count for its lifetime, restoring the previous one on exit.
class OmpThreads {
 public:
  explicit OmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(saved_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int saved_;
};

}  // namespace athanor::cpu
