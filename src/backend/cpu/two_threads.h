// src/backend/cpu/two_threads.h: on_two_threads, two jobs run at once on two OpenMP threads.
#pragma once

#include <functional>

namespace athanor::cpu {

/// Calls job(0) and job(1) at once, on two OpenMP threads of one parallel region (one after the
/// other on this thread if OpenMP gives the region one thread, as under OMP_THREAD_LIMIT=1).
/// Inside the jobs athanor's loops and oneDNN run on one thread. An exception thrown by a job is
/// rethrown here once both have ended (the first job's, if both threw).
void on_two_threads(const std::function<void(int)>& job);

}  // namespace athanor::cpu
