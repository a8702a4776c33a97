// src/core/parallel_test.cpp: parallel_for coverage and chunking, nesting, the thread setting and
// ATHANOR_NUM_THREADS.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>

#include "testing/expect_error.h"

namespace athanor {
namespace {

using Chunk = std::pair<int64_t, int64_t>;

using testing::error_message;

// The chunks parallel_for hands out, sorted by start.
std::vector<Chunk> chunks_of(int64_t begin, int64_t end, int64_t grain) {
  std::mutex m;
  std::vector<Chunk> chunks;
  parallel_for(begin, end, grain, [&](int64_t lo, int64_t hi) {
    std::lock_guard<std::mutex> lock(m);
    chunks.emplace_back(lo, hi);
  });
  std::sort(chunks.begin(), chunks.end());
  return chunks;
}

TEST(ParallelFor, CoversTheRangeExactlyOnce) {
  ScopedNumThreads guard;
  for (int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    for (int64_t grain : {0, 1, 7, 100, 1000, 1 << 20}) {
      for (auto [begin, end] : {Chunk{0, 1}, Chunk{0, 1000}, Chunk{5, 1006}, Chunk{-20, 13}}) {
        SCOPED_TRACE(::testing::Message() << "threads " << threads << ", grain " << grain
                                          << ", range [" << begin << ", " << end << ")");
        std::vector<std::atomic<int>> hits(static_cast<size_t>(end - begin));
        std::atomic<bool> out_of_range{false};
        parallel_for(begin, end, grain, [&](int64_t lo, int64_t hi) {
          if (lo < begin || hi > end || lo >= hi) out_of_range = true;
          for (int64_t i = std::max(lo, begin); i < std::min(hi, end); ++i)
            hits[static_cast<size_t>(i - begin)]++;
        });
        EXPECT_FALSE(out_of_range);
        int64_t wrong = 0;
        for (const auto& h : hits) wrong += h.load() != 1;
        EXPECT_EQ(wrong, 0) << "indices not visited exactly once";
      }
    }
  }
}

TEST(ParallelFor, ChunkCountFollowsThreadsAndGrain) {
  ScopedNumThreads guard;
  set_num_threads(3);
  // ceil(1000 / 100) = 10 chunks' worth of work, capped at 3 threads: 3 equal static chunks.
  EXPECT_EQ(chunks_of(0, 1000, 100), (std::vector<Chunk>{{0, 333}, {333, 666}, {666, 1000}}));
  // ceil(1000 / 600) = 2 chunks, fewer than the threads.
  EXPECT_EQ(chunks_of(0, 1000, 600), (std::vector<Chunk>{{0, 500}, {500, 1000}}));
  // At or below the grain the whole range is one call.
  EXPECT_EQ(chunks_of(10, 1010, 1000), (std::vector<Chunk>{{10, 1010}}));
  set_num_threads(1);
  EXPECT_EQ(chunks_of(0, 1000, 1), (std::vector<Chunk>{{0, 1000}}));
}

TEST(ParallelFor, ChunksAreTheSameOnEveryRun) {
  ScopedNumThreads guard;
  set_num_threads(2);
  const auto first = chunks_of(0, 12345, 10);
  ASSERT_EQ(first.size(), 2u);
  for (int run = 0; run < 5; ++run) EXPECT_EQ(chunks_of(0, 12345, 10), first);
}

TEST(ParallelFor, EmptyAndReversedRangesDoNothing) {
  int calls = 0;
  parallel_for(5, 5, 1, [&](int64_t, int64_t) { ++calls; });
  parallel_for(9, 3, 1, [&](int64_t, int64_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(ParallelFor, RunsSeriallyInsideAParallelRegion) {
  ScopedNumThreads guard;
  set_num_threads(2);
  std::mutex m;
  std::vector<std::vector<Chunk>> inner(2);
  std::vector<int> inside(2, -1);
  parallel_for(0, 2, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      std::vector<Chunk> mine;
      const bool in_region = in_parallel_region();
      parallel_for(0, 100, 1, [&](int64_t a, int64_t b) {
        std::lock_guard<std::mutex> lock(m);
        mine.emplace_back(a, b);
      });
      std::lock_guard<std::mutex> lock(m);
      inner[static_cast<size_t>(i)] = mine;
      inside[static_cast<size_t>(i)] = in_region;
    }
  });
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(inside[i], 1) << "outer chunk " << i << " did not run in a parallel region";
    EXPECT_EQ(inner[i], (std::vector<Chunk>{{0, 100}})) << "outer chunk " << i;
  }
  EXPECT_FALSE(in_parallel_region());
}

TEST(Threads, SetAndGet) {
  ScopedNumThreads guard;
  set_num_threads(3);
  EXPECT_EQ(get_num_threads(), 3);
  set_num_threads(1);
  EXPECT_EQ(get_num_threads(), 1);
}

TEST(Threads, NonPositiveCountIsAnError) {
  ScopedNumThreads guard;
  set_num_threads(2);
  EXPECT_EQ(error_message([] { set_num_threads(0); }),
            "set_num_threads: expected a positive number of threads, got 0");
  EXPECT_EQ(error_message([] { set_num_threads(-4); }),
            "set_num_threads: expected a positive number of threads, got -4");
  EXPECT_EQ(get_num_threads(), 2);  // unchanged
}

TEST(Threads, SettingAppliesToOtherThreads) {
  // The setting is process-wide, not a property of the calling thread's OpenMP state.
  ScopedNumThreads guard;
  for (int n : {1, 3}) {
    set_num_threads(n);
    int seen = 0;
    std::vector<Chunk> chunks;
    std::thread worker([&] {
      seen = get_num_threads();
      chunks = chunks_of(0, 300, 1);
    });
    worker.join();
    EXPECT_EQ(seen, n);
    EXPECT_EQ(chunks.size(), static_cast<size_t>(n));
  }
}

// The variable is read once per process, so these run a fresh copy of the test binary (gtest's
// "threadsafe" death-test style re-executes it) with the variable set, and check its output.
class ThreadsFromEnvironment : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    if (const char* v = std::getenv("ATHANOR_NUM_THREADS")) saved_ = v;
  }
  void TearDown() override {
    if (saved_)
      setenv("ATHANOR_NUM_THREADS", saved_->c_str(), 1);
    else
      unsetenv("ATHANOR_NUM_THREADS");
  }

 private:
  std::optional<std::string> saved_;
};

// In the child: prints the thread count, or the error reading the variable, and exits 0.
void report_threads_and_exit() {
  try {
    std::fprintf(stderr, "threads=%d\n", get_num_threads());
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  }
  std::fflush(stderr);
  std::exit(0);
}

TEST_F(ThreadsFromEnvironment, SetsTheDefaultThreadCount) {
  setenv("ATHANOR_NUM_THREADS", "3", 1);
  EXPECT_EXIT(report_threads_and_exit(), ::testing::ExitedWithCode(0), "threads=3\n");
  setenv("ATHANOR_NUM_THREADS", "1", 1);
  EXPECT_EXIT(report_threads_and_exit(), ::testing::ExitedWithCode(0), "threads=1\n");
}

TEST_F(ThreadsFromEnvironment, InvalidValueIsAnError) {
  for (const char* bad : {"abc", "0", "-2", "3x"}) {
    setenv("ATHANOR_NUM_THREADS", bad, 1);
    EXPECT_EXIT(
        report_threads_and_exit(), ::testing::ExitedWithCode(0),
        std::string("error: ATHANOR_NUM_THREADS: expected a positive integer, got '") + bad + "'");
  }
}

}  // namespace
}  // namespace athanor
