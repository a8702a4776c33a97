// src/io/corpus_test_util.h: the negative corpora under tests/corpus/<reader>/ for the readers'
// tests: each folder's EXPECTED lists "file<TAB>substring of its error" ("{}" in the substring
// stands for the file's path), one test per file (header-only, tests only).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace athanor::testing {

struct CorpusCase {
  std::filesystem::path file;
  std::string expected;  // with "{}" replaced by the file's path
};

/// tests/corpus/<reader>, found from this header's path.
inline std::filesystem::path corpus_dir(const std::string& reader) {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "tests" /
         "corpus" / reader;
}

/// The cases EXPECTED lists, in its order; a file of the folder missing from it is an error, so
/// that no corpus file goes untested.
inline std::vector<CorpusCase> corpus_cases(const std::string& reader) {
  const std::filesystem::path dir = corpus_dir(reader);
  std::vector<CorpusCase> cases;
  std::ifstream in(dir / "EXPECTED");
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    CorpusCase c{dir / line.substr(0, tab), line.substr(tab + 1)};
    const std::string path = c.file.string();
    for (size_t at = c.expected.find("{}"); at != std::string::npos;
         at = c.expected.find("{}", at + path.size())) {
      c.expected.replace(at, 2, path);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

/// The names of the folder's files that EXPECTED does not list.
inline std::vector<std::string> unlisted_corpus_files(const std::string& reader) {
  std::vector<std::string> unlisted;
  const std::vector<CorpusCase> cases = corpus_cases(reader);
  for (const auto& entry : std::filesystem::directory_iterator(corpus_dir(reader))) {
    const std::string name = entry.path().filename().string();
    if (name == "EXPECTED") continue;
    bool listed = false;
    for (const CorpusCase& c : cases) listed |= c.file.filename() == name;
    if (!listed) unlisted.push_back(name);
  }
  return unlisted;
}

/// The whole file.
inline std::string corpus_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// For INSTANTIATE_TEST_SUITE_P: "header_too_small_safetensors" from the file name.
inline std::string corpus_case_name(const ::testing::TestParamInfo<CorpusCase>& info) {
  std::string name = info.param.file.filename().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace athanor::testing
