// src/backend/cpu/two_threads.cpp: on_two_threads over an OpenMP region of two threads.
#include "backend/cpu/two_threads.h"

#include <array>
#include <exception>

#include <omp.h>

namespace athanor::cpu {

void on_two_threads(const std::function<void(int)>& job) {
  std::array<std::exception_ptr, 2> failed;  // an exception must not leave an OpenMP region
#pragma omp parallel num_threads(2)
  {
    for (int t = omp_get_thread_num(); t < 2; t += omp_get_num_threads()) {
      try {
        job(t);
      } catch (...) {
        failed[static_cast<size_t>(t)] = std::current_exception();
      }
    }
  }
  for (const std::exception_ptr& e : failed) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace athanor::cpu
