// src/backend/cpu/loops_test.cpp: make_loop's merging of dimensions and for_each_run's visiting of
// every element exactly once, for contiguous, transposed, sliced and broadcast layouts, on one
// and several threads, with large contiguous loops shared between threads.
#include "backend/cpu/loops.h"

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace athanor::cpu {
namespace {

View view_of(std::vector<int64_t>& buffer, Shape shape, Shape strides, int64_t offset = 0) {
  return View{buffer.data() + offset, kInt64, shape, strides};
}

// Runs out[i] = in[i] + 1 through for_each_run with a small grain (so even small loops split),
// counting the body calls and the threads that ran them.
struct Result {
  std::vector<int64_t> out;
  int64_t calls = 0;
  size_t threads = 0;
};

Result add_one(const View& in, const Shape& shape, int64_t grain) {
  Result r;
  r.out.assign(static_cast<size_t>(shape.numel()), -1);
  const View out{r.out.data(), kInt64, shape, contiguous_strides(shape)};
  std::mutex mutex;
  std::set<std::thread::id> ids;
  for_each_run(
      make_loop<2>({&out, &in}),
      [&](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          *reinterpret_cast<int64_t*>(p[0] + i * s[0]) =
              *reinterpret_cast<const int64_t*>(p[1] + i * s[1]) + 1;
        }
        const std::lock_guard<std::mutex> lock(mutex);
        ++r.calls;
        ids.insert(std::this_thread::get_id());
      },
      grain);
  r.threads = ids.size();
  return r;
}

// buffer[k] = k, so a view's expected elements are its storage offsets.
std::vector<int64_t> iota_buffer(int64_t n) {
  std::vector<int64_t> b(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) b[static_cast<size_t>(k)] = k;
  return b;
}

TEST(StridedLoop, ContiguousDimsMergeIntoOneRun) {
  std::vector<int64_t> a(24), b(24);
  const View x = view_of(a, {2, 3, 4}, {12, 4, 1});
  const View y = view_of(b, {2, 3, 4}, {12, 4, 1});
  const auto loop = make_loop<2>({&x, &y});
  EXPECT_EQ(loop.shape, Shape{24});
  // A transposed operand stops the merge; size-1 dims are dropped.
  const View t = view_of(b, {2, 1, 3}, {1, 6, 2});
  const View c = view_of(a, {2, 1, 3}, {3, 3, 1});
  EXPECT_EQ((make_loop<2>({&c, &t}).shape), (Shape{2, 3}));
  // A broadcast operand (stride 0) merges with another broadcast dim.
  const View bc = view_of(b, {2, 3, 4}, {0, 0, 1});
  EXPECT_EQ((make_loop<2>({&x, &bc}).shape), (Shape{6, 4}));
}

struct Layout {
  const char* name;
  Shape shape, strides;
  int64_t offset;
};

TEST(StridedLoop, EveryElementIsVisitedOnceOnAnyThreadCount) {
  // A [6, 35] tensor's storage; the views below read parts of it. Expected values: offset + 1.
  std::vector<int64_t> buffer = iota_buffer(6 * 35);
  const Layout layouts[] = {
      {"contiguous", {6, 35}, {35, 1}, 0},     {"transposed", {35, 6}, {1, 35}, 0},
      {"sliced columns", {6, 17}, {35, 2}, 1}, {"row broadcast", {5, 35}, {0, 1}, 0},
      {"scalar broadcast", {4, 9}, {0, 0}, 7}, {"3-d permuted", {5, 3, 2}, {1, 35, 105}, 3},
  };
  for (const Layout& l : layouts) {
    SCOPED_TRACE(l.name);
    std::vector<int64_t> expected;
    const View in = view_of(buffer, l.shape, l.strides, l.offset);
    // The expected values, by explicit index arithmetic.
    for (int64_t k = 0; k < l.shape.numel(); ++k) {
      int64_t rem = k, at = l.offset;
      for (int d = l.shape.rank() - 1; d >= 0; --d) {
        at += (rem % l.shape[d]) * l.strides[d];
        rem /= l.shape[d];
      }
      expected.push_back(at + 1);
    }
    for (int threads : {1, 2, 3}) {
      for (int64_t grain : {int64_t{1}, int64_t{7}, int64_t{1000}}) {
        ScopedNumThreads t(threads);
        EXPECT_EQ(add_one(in, l.shape, grain).out, expected)
            << threads << " threads, grain " << grain;
      }
    }
  }
}

TEST(StridedLoop, ALargeContiguousLoopIsSharedBetweenThreads) {
  // One run of 100000 elements: above the default grain, so two threads take half each.
  std::vector<int64_t> buffer = iota_buffer(100000);
  const View in = view_of(buffer, {100000}, {1});
  {
    ScopedNumThreads t(2);
    const Result r = add_one(in, {100000}, kElementwiseGrain);
    EXPECT_EQ(r.calls, 2);
    EXPECT_EQ(r.threads, 2u);
    EXPECT_EQ(r.out.back(), 100000);
  }
  {
    ScopedNumThreads t(1);
    const Result r = add_one(in, {100000}, kElementwiseGrain);
    EXPECT_EQ(r.calls, 1);
  }
  // Below the grain it stays on one thread in one call.
  ScopedNumThreads t(2);
  EXPECT_EQ(add_one(in, {100000}, 200000).calls, 1);
}

TEST(StridedLoop, EmptyAndZeroDimensionalLoops) {
  std::vector<int64_t> buffer = iota_buffer(4);
  EXPECT_EQ(add_one(view_of(buffer, {0, 3}, {3, 1}), {0, 3}, 1).calls, 0);
  EXPECT_EQ(add_one(view_of(buffer, {3, 0}, {1, 1}), {3, 0}, 1).calls, 0);
  const Result scalar = add_one(view_of(buffer, {}, {}, 2), {}, 1);
  EXPECT_EQ(scalar.out, std::vector<int64_t>{3});
  EXPECT_EQ(add_one(view_of(buffer, {1, 1}, {1, 1}, 3), {1, 1}, 1).out, std::vector<int64_t>{4});
}

}  // namespace
}  // namespace athanor::cpu
