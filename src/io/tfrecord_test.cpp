// src/io/tfrecord_test.cpp: CRC32C against published check values, TFRecord framing byte for byte,
// and the reader's CRC and truncation checks.
#include <string>

#include <gtest/gtest.h>

#include <athanor/io/file.h>
#include <athanor/io/tfrecord.h>

#include "io/io_test_util.h"
#include "testing/expect_error.h"

namespace athanor::io {
namespace {

using testing::TempDir;

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(Crc32c, MatchesTheCheckValueAndRfc3720Vectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  // RFC 3720 (iSCSI), appendix B.4: 32 zero bytes, 32 0xFF bytes, bytes 0..31.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, MaskedValues) {
  // ((crc >> 15) | (crc << 17)) + 0xa282ead8, computed by hand from the CRCs above.
  EXPECT_EQ(masked_crc32c(""), 0xA282EAD8u);
  EXPECT_EQ(masked_crc32c("123456789"), 0xC78AB0E5u);
  EXPECT_EQ(masked_crc32c(std::string(32, '\0')), 0x0FD7FFFAu);
  EXPECT_EQ(masked_crc32c(std::string(32, '\xff')), 0xF909B029u);
}

TEST(TfRecord, FramesLengthCrcDataCrc) {
  // Reference bytes from an independent bitwise CRC32C in Python.
  EXPECT_EQ(tfrecord("abc"), bytes_of({0x03, 0, 0, 0, 0, 0, 0, 0, 0xb0, 0x99, 0x49, 0x0e, 'a', 'b',
                                       'c', 0x6e, 0x57, 0xf1, 0x21}));
  EXPECT_EQ(tfrecord("").size(), 16u);
}

TEST(TfRecord, ReadsBackRecords) {
  TempDir dir;
  const std::string big(100000, 'z');
  write_file_atomic(dir.path("r"), tfrecord("first") + tfrecord("") + tfrecord(big));
  EXPECT_EQ(read_tfrecords(dir.path("r")), (std::vector<std::string>{"first", "", big}));
  write_file_atomic(dir.path("empty"), "");
  EXPECT_TRUE(read_tfrecords(dir.path("empty")).empty());
}

TEST(TfRecord, DetectsEveryFlippedByte) {
  TempDir dir;
  const std::string good = tfrecord("first") + tfrecord("second record");
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    dir.write("r", bad);
    EXPECT_THROW(read_tfrecords(dir.path("r")), Error) << "flipped byte " << i;
  }
  const std::string path = dir.path("r").string();
  std::string bad = good;
  bad[21 + 13] ^= 1;  // inside the data of record 1, which starts at byte 21
  write_file_atomic(path, bad);
  EXPECT_THROW_WITH_MESSAGE(read_tfrecords(path),
                            fmt::format("read_tfrecords: '{}': record 1 at byte 21 has a bad data "
                                        "CRC",
                                        path));
  bad = good;
  bad[21 + 2] ^= 1;  // the length of record 1
  write_file_atomic(path, bad);
  EXPECT_THROW_WITH_MESSAGE(
      read_tfrecords(path),
      fmt::format("read_tfrecords: '{}': record 1 at byte 21 has a bad length "
                  "CRC",
                  path));
}

TEST(TfRecord, DetectsTruncation) {
  TempDir dir;
  const std::string path = dir.path("r").string();
  const std::string good = tfrecord("first") + tfrecord("second record");
  for (size_t n = 1; n < good.size(); ++n) {
    if (n == 21) continue;  // a whole first record is a valid file
    dir.write("r", good.substr(0, n));
    EXPECT_THROW(read_tfrecords(path), Error) << "truncated to " << n;
  }
  write_file_atomic(path, good.substr(0, 40));
  EXPECT_THROW_WITH_MESSAGE(
      read_tfrecords(path),
      fmt::format("read_tfrecords: '{}': record 1 at byte 21 is truncated: it "
                  "declares 13 data bytes + 4 CRC bytes, but only 7 bytes "
                  "follow",
                  path));
  write_file_atomic(path, good.substr(0, 25));
  EXPECT_THROW_WITH_MESSAGE(read_tfrecords(path),
                            fmt::format("read_tfrecords: '{}': record 1 at byte 21 is truncated: 4 "
                                        "bytes left, expected at least 12",
                                        path));
}

}  // namespace
}  // namespace athanor::io
