// src/data/idx_corpus_test.cpp: the IDX negative corpus (tests/corpus/idx, reliability.md 7.4 D5:
// every file rejected naming it, with the declared and actual sizes), and the truncation sweep
// (D4): a valid image file and a label file cut at every length of their headers and at many of
// their bodies, each rejected with the declared and the actual byte count.
#include <random>

#include <gtest/gtest.h>

#include <athanor/data/idx.h>

#include "io/corpus_test_util.h"
#include "testing/expect_error.h"

namespace athanor::data {
namespace {

using athanor::testing::CorpusCase;

class IdxCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(IdxCorpus, IsRejectedNamingTheFile) {
  const CorpusCase& c = GetParam();
  const std::string path = c.file.string();
  EXPECT_THROW_WITH_MESSAGE(idx_from_bytes(athanor::testing::corpus_bytes(c.file), path),
                            "read_idx: '" + path + "'");
  EXPECT_THROW_WITH_MESSAGE(idx_from_bytes(athanor::testing::corpus_bytes(c.file), path),
                            c.expected);
  // From disk too (gzip detection first): rejected, naming the path.
  EXPECT_THROW_WITH_MESSAGE(read_idx(path), path);
}

INSTANTIATE_TEST_SUITE_P(Files, IdxCorpus,
                         ::testing::ValuesIn(athanor::testing::corpus_cases("idx")),
                         athanor::testing::corpus_case_name);

TEST(IdxCorpusFolder, ListsEveryFileWithItsError) {
  EXPECT_GE(athanor::testing::corpus_cases("idx").size(), 10u);
  EXPECT_EQ(athanor::testing::unlisted_corpus_files("idx"), std::vector<std::string>{});
}

std::string idx(uint8_t type, const std::vector<uint32_t>& dims, size_t data_bytes) {
  std::string out = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>((d >> shift) & 0xFF);
  }
  for (size_t i = 0; i < data_bytes; ++i) out += static_cast<char>(i * 7);
  return out;
}

TEST(IdxTruncation, EveryHeaderLengthAndManyBodyLengthsAreRejectedWithTheCounts) {
  // An MNIST-like image file (3 images of 28 x 28) and label file (3 labels).
  const std::vector<std::pair<std::string, std::string>> files = {
      {"images.idx", idx(0x08, {3, 28, 28}, 3 * 28 * 28)},
      {"labels.idx", idx(0x08, {3}, 3)},
      {"floats.idx", idx(0x0D, {5, 7}, 5 * 7 * 4)}};
  std::mt19937 rng(1);
  int tested = 0;
  for (const auto& [name, good] : files) {
    EXPECT_NO_THROW(idx_from_bytes(good, name));
    const size_t header = 4 + 4 * static_cast<size_t>(good[3]);
    std::vector<size_t> lengths;
    for (size_t n = 0; n <= header + 16 && n < good.size(); ++n) lengths.push_back(n);
    for (int i = 0; i < 100; ++i) lengths.push_back(header + rng() % (good.size() - header));
    for (size_t n : lengths) {
      SCOPED_TRACE(name + " cut at " + std::to_string(n));
      ++tested;
      const std::string cut = good.substr(0, n);
      if (n < 4) {
        EXPECT_THROW_WITH_MESSAGE(idx_from_bytes(cut, name),
                                  fmt::format("read_idx: '{}' is truncated: {} bytes, shorter than "
                                              "the 4-byte IDX magic number",
                                              name, n));
      } else if (n < header) {
        EXPECT_THROW_WITH_MESSAGE(
            idx_from_bytes(cut, name),
            fmt::format("read_idx: '{}' is truncated: {} bytes, shorter than its {}-byte header",
                        name, n, header));
      } else {
        EXPECT_THROW_WITH_MESSAGE(idx_from_bytes(cut, name),
                                  fmt::format("({} bytes of data), but only {} bytes follow the "
                                              "header",
                                              good.size() - header, n - header));
      }
    }
  }
  EXPECT_GT(tested, 300);
}

}  // namespace
}  // namespace athanor::data
