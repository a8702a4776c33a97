// src/io/safetensors_corpus_test.cpp: the safetensors negative corpus (tests/corpus/safetensors,
// reliability.md 7.1 F2: every file rejected with its error, naming the file and the tensor or
// offset, with heap use bounded by the input), and checksums: written per tensor, verified on
// load, a flipped bit anywhere in the data or a truncation at any length is caught.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <athanor/io/io.h>

#include "io/corpus_test_util.h"
#include "io/io_test_util.h"
#include "testing/expect_error.h"
#include "testing/matchers.h"

// Counts the bytes live through operator new while a test asks, to bound a reader's heap use by
// its input's size (reliability.md 7.1 F3). Tensor storage (aligned_alloc) is not counted: its
// size is checked against the data area before anything is allocated.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};

void count(void* p, int64_t sign) {
  if (p == nullptr || !g_tracking.load(std::memory_order_relaxed)) return;
  const int64_t now = g_live.fetch_add(sign * static_cast<int64_t>(malloc_usable_size(p))) +
                      sign * static_cast<int64_t>(malloc_usable_size(p));
  int64_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
}
}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  count(p, 1);
  return p;
}
void operator delete(void* p) noexcept {
  count(p, -1);
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace athanor::io {
namespace {

using athanor::testing::corpus_bytes;
using athanor::testing::CorpusCase;

// The peak of bytes allocated through operator new while f runs (above what was live before).
template <typename F>
int64_t peak_heap(F&& f) {
  g_live = 0;
  g_peak = 0;
  g_tracking = true;
  try {
    f();
  } catch (...) {
    g_tracking = false;
    throw;
  }
  g_tracking = false;
  return g_peak.load();
}

class SafetensorsCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(SafetensorsCorpus, IsRejectedWithItsErrorWithinBoundedMemory) {
  const CorpusCase& c = GetParam();
  // From disk: the message names the path.
  EXPECT_THROW_WITH_MESSAGE(load_safetensors(c.file),
                            "load_safetensors: '" + c.file.string() + "'");
  EXPECT_THROW_WITH_MESSAGE(load_safetensors(c.file), c.expected);
  // In memory, counting the heap.
  const std::string bytes = corpus_bytes(c.file);
  std::string message;
  const int64_t peak = peak_heap([&] {
    try {
      from_safetensors(bytes, "corpus");
    } catch (const Error& e) {
      message = e.what();
    }
  });
  EXPECT_NE(message, "") << "accepted";
  EXPECT_LE(peak, static_cast<int64_t>(bytes.size()) + (1 << 20)) << message;
}

INSTANTIATE_TEST_SUITE_P(Files, SafetensorsCorpus,
                         ::testing::ValuesIn(athanor::testing::corpus_cases("safetensors")),
                         athanor::testing::corpus_case_name);

TEST(SafetensorsCorpusFolder, ListsEveryFileWithItsError) {
  EXPECT_GE(athanor::testing::corpus_cases("safetensors").size(), 30u);
  EXPECT_EQ(athanor::testing::unlisted_corpus_files("safetensors"), std::vector<std::string>{});
}

TEST(Crc32c, MatchesKnownValues) {
  // RFC 3720 (iSCSI) B.4 and the usual check value.
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending(32, '\0');
  for (int i = 0; i < 32; ++i) ascending[static_cast<size_t>(i)] = static_cast<char>(i);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(""), 0u);
  // Any split gives the same CRC (the 8-byte steps and the byte tail agree).
  const std::string text = "The quick brown fox jumps over the lazy dog, twice over.";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(crc32c_extend(crc32c(text.substr(0, cut)), text.substr(cut)), crc32c(text));
  }
}

TensorDict checksummed_tensors() {
  TensorDict t;
  t.insert("w", Tensor::from(std::vector<float>(300, 0.25f), Shape{30, 10}));
  t.insert("b", Tensor::from(std::vector<double>{1.0, -2.0, 3.5}, Shape{3}));
  t.insert("empty", empty({0, 4}, kFloat32));
  return t;
}

TEST(SafetensorsChecksums, AreWrittenAndVerified) {
  const TensorDict t = checksummed_tensors();
  const Metadata meta = with_checksums(t, {{"format", "pt"}});
  EXPECT_EQ(meta.at("format"), "pt");
  EXPECT_EQ(meta.at("crc32c:empty"), "00000000");
  EXPECT_EQ(meta.at("crc32c:b").size(), 8u);
  const SafetensorsFile back = from_safetensors(to_safetensors(t, meta));
  EXPECT_TENSOR_EQ(back.tensors.at("w"), t.at("w"));
  EXPECT_EQ(back.metadata, meta);
}

TEST(SafetensorsChecksums, EveryBitFlipInTheDataIsNamed) {
  const TensorDict t = checksummed_tensors();
  const std::string good = to_safetensors(t, with_checksums(t));
  uint64_t header = 0;
  std::memcpy(&header, good.data(), 8);
  const size_t data_start = 8 + header;
  ASSERT_EQ(good.size() - data_start, 300u * 4 + 3 * 8);
  int detected = 0, flips = 0;
  for (size_t at = data_start; at < good.size(); at += 7) {
    for (int bit : {0, 5}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ (1 << bit));
      ++flips;
      const std::string message =
          athanor::testing::error_message([&] { from_safetensors(bad, "m.st"); });
      const bool in_w = at - data_start < 1200;  // w is written first
      if (message.find(fmt::format("from_safetensors: 'm.st': tensor '{}': the CRC32C of its bytes",
                                   in_w ? "w" : "b")) != std::string::npos) {
        ++detected;
      } else {
        ADD_FAILURE() << "flip at " << at << ": " << message;
      }
    }
  }
  EXPECT_EQ(detected, flips);
}

TEST(SafetensorsChecksums, EveryTruncationIsNamed) {
  const TensorDict t = checksummed_tensors();
  const std::string good = to_safetensors(t, with_checksums(t));
  for (size_t length = 0; length < good.size(); ++length) {
    const std::string message = athanor::testing::error_message(
        [&] { from_safetensors(std::string_view(good).substr(0, length), "m.st"); });
    EXPECT_TRUE(message.starts_with("from_safetensors: 'm.st': ")) << length << ": " << message;
  }
}

TEST(SafetensorsChecksums, FilesWithoutChecksumsStillLoad) {
  const TensorDict t = checksummed_tensors();
  const SafetensorsFile back = from_safetensors(to_safetensors(t, {{"format", "pt"}}));
  EXPECT_EQ(back.tensors.size(), 3u);
}

TEST(WriteFileAtomic, AFullDiskNamesThePathAndErrnoAndKeepsTheOldFile) {
  testing::TempDir dir;
  const auto path = dir.path("model.safetensors");
  write_file_atomic(path, "old contents");
  inject_write_failure(ENOSPC, 5);
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(path, "new contents, longer"),
                            fmt::format("write_file_atomic: cannot write '{}': write failed: No "
                                        "space left on device",
                                        path.string()));
  EXPECT_EQ(read_file(path), "old contents");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.safetensors"});  // no temporary left
  write_file_atomic(path, "new");  // the injection was for one call
  EXPECT_EQ(read_file(path), "new");
  inject_write_failure(EIO, 0, 2);
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(path, "x"), "write failed: Input/output error");
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(path, "x"), "write failed: Input/output error");
  write_file_atomic(path, "y");
  EXPECT_EQ(read_file(path), "y");
}

TEST(WriteFileAtomic, StaleTemporariesOfDeadProcessesAreRemoved) {
  testing::TempDir dir;
  const pid_t dead = [] {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    waitpid(child, &status, 0);
    return child;  // reaped: no process has this pid now (unless reused at once)
  }();
  dir.write(fmt::format("a.safetensors.tmp.{}", dead), "torn");
  dir.write(fmt::format("b.safetensors.tmp.{}", getpid()), "ours, in use");
  dir.write("c.safetensors", "kept");
  dir.write("d.tmp.notapid", "kept");
  EXPECT_EQ(remove_stale_temporaries(dir.root()), 1);
  EXPECT_EQ(dir.list(), (std::vector<std::string>{fmt::format("b.safetensors.tmp.{}", getpid()),
                                                  "c.safetensors", "d.tmp.notapid"}));
}

}  // namespace
}  // namespace athanor::io
