// src/data/csv_corpus_test.cpp: the CSV negative corpus (tests/corpus/csv, reliability.md 7.4
// D1-D2): malformed rows at the first, a middle and the last line, CRLF, a byte-order mark, a
// quoted newline, no final newline, unparseable, overflowing and missing cells, binary garbage;
// each rejected naming the file and the physical line.
#include <gtest/gtest.h>

#include <athanor/data/csv.h>

#include "io/corpus_test_util.h"
#include "testing/expect_error.h"

namespace athanor::data {
namespace {

using athanor::testing::CorpusCase;

class CsvCorpus : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(CsvCorpus, IsRejectedNamingTheFileAndLine) {
  const CorpusCase& c = GetParam();
  const std::string path = c.file.string();
  EXPECT_THROW_WITH_MESSAGE(read_csv(path), c.expected);
  EXPECT_THROW_WITH_MESSAGE(csv_from_text(athanor::testing::corpus_bytes(c.file), path),
                            c.expected);
}

INSTANTIATE_TEST_SUITE_P(Files, CsvCorpus,
                         ::testing::ValuesIn(athanor::testing::corpus_cases("csv")),
                         athanor::testing::corpus_case_name);

TEST(CsvCorpusFolder, ListsEveryFileWithItsError) {
  EXPECT_GE(athanor::testing::corpus_cases("csv").size(), 12u);
  EXPECT_EQ(athanor::testing::unlisted_corpus_files("csv"), std::vector<std::string>{});
}

TEST(SklearnCsv, RejectsAFeatureCountThatCannotBeAColumnIndex) {
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv_from_text("1,9223372036854775807,a\n1,0\n", "s.csv"),
                            "sklearn_csv: s.csv:1: n_features 9223372036854775807 is too large; "
                            "expected below 2^30");
  // Found by fuzz/fuzz_csv.cpp: 55 bytes declaring 211111111 features ran out of memory sizing
  // the column names; 21111111 took over 10 seconds. Refused from the file's size.
  const std::string oom = "2,211111111,121111111111)110555iea,b\n5,1)110555iea,b\n5,";
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv_from_text(oom, "s.csv"),
                            "sklearn_csv: s.csv:1: n_features 211111111 cannot fit: a row of "
                            "211111112 fields takes at least 422222223 bytes and the rows after "
                            "line 1 hold 18");
  EXPECT_THROW_WITH_MESSAGE(sklearn_csv_from_text("2,3,a\n1,0\n", "s.csv"),
                            "sklearn_csv: s.csv:1: n_features 3 cannot fit");
  const CsvData d = sklearn_csv_from_text("2,1,a,b\n0.5,1\n1.5,0\n", "s.csv");
  EXPECT_EQ(d.labels.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
}

}  // namespace
}  // namespace athanor::data
