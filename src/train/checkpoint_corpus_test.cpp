// src/train/checkpoint_corpus_test.cpp: the checkpoint state-file negative corpus
// (tests/corpus/checkpoint): damaged metadata fields, checksums, tensors and truncations, each
// rejected by read_checkpoint_state naming the file and the field or tensor.
#include <gtest/gtest.h>

#include <athanor/train/checkpoint.h>

#include "io/corpus_test_util.h"
#include "testing/expect_error.h"

namespace athanor::train {
namespace {

using athanor::testing::CorpusCase;

class CheckpointCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CheckpointCorpus, IsRejectedNamingTheFileAndField) {
  const CorpusCase& c = GetParam();
  const std::string path = c.file.string();
  EXPECT_THROW_WITH_MESSAGE(read_checkpoint_state(athanor::testing::corpus_bytes(c.file), path),
                            path);
  EXPECT_THROW_WITH_MESSAGE(read_checkpoint_state(athanor::testing::corpus_bytes(c.file), path),
                            c.expected);
}

INSTANTIATE_TEST_SUITE_P(Files, CheckpointCorpus,
                         ::testing::ValuesIn(athanor::testing::corpus_cases("checkpoint")),
                         athanor::testing::corpus_case_name);

TEST(CheckpointCorpusFolder, ListsEveryFileWithItsError) {
  EXPECT_GE(athanor::testing::corpus_cases("checkpoint").size(), 15u);
  EXPECT_EQ(athanor::testing::unlisted_corpus_files("checkpoint"), std::vector<std::string>{});
}

}  // namespace
}  // namespace athanor::train
