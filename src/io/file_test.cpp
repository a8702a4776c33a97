// src/io/file_test.cpp: write_file_atomic and read_file, including failures that must leave the
// old file intact and no temporary behind.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include <athanor/io/file.h>

#include "io/io_test_util.h"
#include "testing/expect_error.h"

namespace athanor::io {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

std::string temp_name_of(const fs::path& p) {
  return p.string() + ".tmp." + std::to_string(::getpid());
}

TEST(WriteFileAtomic, WritesReplacesAndLeavesNoTemporary) {
  TempDir dir;
  const fs::path p = dir.path("model.bin");
  const std::string binary("a\0b\xff\n", 5);
  write_file_atomic(p, binary);
  EXPECT_EQ(read_file(p), binary);
  write_file_atomic(p, "second, longer contents");
  EXPECT_EQ(read_file(p), "second, longer contents");
  write_file_atomic(p, "");
  EXPECT_EQ(read_file(p), "");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.bin"});
}

TEST(WriteFileAtomic, WritesARelativePathInTheCurrentDirectory) {
  TempDir dir;
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir.root());
  write_file_atomic("plain.txt", "x");
  fs::current_path(old_cwd);
  EXPECT_EQ(read_file(dir.path("plain.txt")), "x");
}

TEST(WriteFileAtomic, FailsWhenTheParentDirectoryIsMissing) {
  TempDir dir;
  const fs::path p = dir.path("missing/model.bin");
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(p, "x"), p.string());
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(p, "x"), "No such file or directory");
  EXPECT_TRUE(dir.list().empty());
}

TEST(WriteFileAtomic, FailsWhenTheParentIsAFile) {
  TempDir dir;
  write_file_atomic(dir.path("not_a_dir"), "file");
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(dir.path("not_a_dir/model.bin"), "x"),
                            "Not a directory");
  EXPECT_EQ(read_file(dir.path("not_a_dir")), "file");
}

TEST(WriteFileAtomic, KeepsTheOldFileWhenTheTemporaryCannotBeCreated) {
  TempDir dir;
  const fs::path p = dir.path("model.bin");
  write_file_atomic(p, "old");
  // A non-empty directory where the temporary would go: neither removable nor openable.
  fs::create_directories(temp_name_of(p) + "/inside");
  EXPECT_THROW_WITH_MESSAGE(
      write_file_atomic(p, "new"),
      fmt::format("write_file_atomic: cannot create the temporary file '{}' for '{}': File exists",
                  temp_name_of(p), p.string()));
  EXPECT_EQ(read_file(p), "old");
  EXPECT_TRUE(fs::is_directory(temp_name_of(p) + "/inside"));  // not ours: left alone
}

TEST(WriteFileAtomic, RemovesTheTemporaryWhenTheRenameFails) {
  TempDir dir;
  // rename() cannot replace a non-empty directory by a file.
  const fs::path p = dir.path("checkpoint");
  fs::create_directories(p / "keep");
  EXPECT_THROW_WITH_MESSAGE(write_file_atomic(p, "new"),
                            fmt::format("write_file_atomic: cannot write '{}': rename failed: Is a "
                                        "directory",
                                        p.string()));
  EXPECT_EQ(dir.list(), std::vector<std::string>{"checkpoint"});
  EXPECT_TRUE(fs::is_directory(p / "keep"));
}

TEST(WriteFileAtomic, ReplacesAStaleTemporaryOfTheSamePid) {
  TempDir dir;
  const fs::path p = dir.path("model.bin");
  std::ofstream(temp_name_of(p)) << "left by a crashed process";
  write_file_atomic(p, "fresh");
  EXPECT_EQ(read_file(p), "fresh");
  EXPECT_EQ(dir.list(), std::vector<std::string>{"model.bin"});
}

TEST(ReadFile, NamesThePathWhenItCannotRead) {
  TempDir dir;
  EXPECT_THROW_WITH_MESSAGE(read_file(dir.path("absent.bin")),
                            fmt::format("read_file: cannot open '{}': No such file or directory",
                                        dir.path("absent.bin").string()));
  EXPECT_THROW_WITH_MESSAGE(read_file(dir.root()), fmt::format("read_file: cannot read '{}': it is "
                                                               "a directory",
                                                               dir.root().string()));
}

TEST(ReadFile, ReadsALargeFileWhole) {
  TempDir dir;
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  write_file_atomic(dir.path("big"), big);
  EXPECT_EQ(read_file(dir.path("big")), big);
}

}  // namespace
}  // namespace athanor::io
