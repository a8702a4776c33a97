// src/data/idx_test.cpp: the IDX reader on files written here, raw and gzip'd, good and broken.
#include <cstring>

#include <gtest/gtest.h>
#include <zlib.h>

#include <athanor/data/idx.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::data {
namespace {

using testing::TempDir;

// An IDX file: magic 00 00 type ndim, big-endian uint32 sizes, then `data` as given.
std::vector<uint8_t> idx_bytes(uint8_t type, const std::vector<uint32_t>& dims,
                               const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(d >> shift));
  }
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> gzip_bytes(const std::vector<uint8_t>& raw) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::vector<uint8_t> out(deflateBound(&stream, raw.size()) + 32);
  stream.next_in = const_cast<Bytef*>(raw.data());
  stream.avail_in = static_cast<uInt>(raw.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::vector<uint8_t> iota_bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7);
  return v;
}

TEST(ReadIdx, ReadsUnsignedBytesRawAndGzipped) {
  TempDir dir;
  const std::vector<uint8_t> raw = idx_bytes(0x08, {2, 3, 4}, iota_bytes(24));
  for (const std::string& path :
       {dir.write("a-idx3-ubyte", raw), dir.write("a-idx3-ubyte.gz", gzip_bytes(raw))}) {
    const Tensor t = read_idx(path);
    EXPECT_EQ(t.shape(), Shape({2, 3, 4}));
    EXPECT_EQ(t.dtype(), kUInt8);
    EXPECT_EQ(t.to_vector<uint8_t>(), iota_bytes(24));
  }
}

TEST(ReadIdx, DecodesBigEndianSignedAndFloatingTypes) {
  TempDir dir;
  EXPECT_EQ(read_idx(dir.write("s8", idx_bytes(0x09, {2}, {0xff, 0x05}))).to_vector<int64_t>(),
            (std::vector<int64_t>{-1, 5}));
  EXPECT_EQ(read_idx(dir.write("i16", idx_bytes(0x0B, {2}, {0xff, 0xfe, 0x01, 0x00})))
                .to_vector<int64_t>(),
            (std::vector<int64_t>{-2, 256}));
  const Tensor i32 = read_idx(dir.write("i32", idx_bytes(0x0C, {1}, {0x80, 0, 0, 1})));
  EXPECT_EQ(i32.dtype(), kInt64);
  EXPECT_EQ(i32.item<int64_t>(), -2147483647);
  // 1.5f is 0x3fc00000; -0.25 (double) is 0xbfd0000000000000.
  const Tensor f32 = read_idx(dir.write("f32", idx_bytes(0x0D, {1, 1}, {0x3f, 0xc0, 0, 0})));
  EXPECT_EQ(f32.dtype(), kFloat32);
  EXPECT_EQ(f32.item<float>(), 1.5f);
  const Tensor f64 =
      read_idx(dir.write("f64", idx_bytes(0x0E, {1}, {0xbf, 0xd0, 0, 0, 0, 0, 0, 0})));
  EXPECT_EQ(f64.dtype(), kFloat64);
  EXPECT_EQ(f64.item<double>(), -0.25);
}

TEST(ReadIdx, RejectsWrongMagic) {
  TempDir dir;
  std::vector<uint8_t> bytes = idx_bytes(0x08, {2}, {1, 2});
  bytes[1] = 0x01;
  const std::string path = dir.write("bad", bytes);
  EXPECT_THROW_WITH_MESSAGE(read_idx(path), "read_idx: '" + path +
                                                "' is not an IDX file: magic number 00 01 08 01; "
                                                "expected 00 00 <type> <dimension count>");
  const std::string type = dir.write("type", idx_bytes(0x07, {2}, {1, 2}));
  EXPECT_THROW_WITH_MESSAGE(read_idx(type), "read_idx: '" + type +
                                                "' has an unknown IDX element type 0x07; expected "
                                                "0x08 (unsigned byte)");
  const std::string tiny = dir.write("tiny", std::vector<uint8_t>{0, 0});
  EXPECT_THROW_WITH_MESSAGE(read_idx(tiny), "read_idx: '" + tiny +
                                                "' is truncated: 2 bytes, shorter than the 4-byte "
                                                "IDX magic number");
}

TEST(ReadIdx, RejectsWrongDimensions) {
  TempDir dir;
  const std::string zero = dir.write("zero", std::vector<uint8_t>{0, 0, 8, 0, 1, 2});
  EXPECT_THROW_WITH_MESSAGE(read_idx(zero),
                            "read_idx: '" + zero + "' declares 0 dimensions; expected 1 to 8");
  const std::string nine = dir.write("nine", std::vector<uint8_t>{0, 0, 8, 9});
  EXPECT_THROW_WITH_MESSAGE(read_idx(nine),
                            "read_idx: '" + nine + "' declares 9 dimensions; expected 1 to 8");
  // Three dimensions declared, but only two sizes and no data follow.
  const std::string header =
      dir.write("header", std::vector<uint8_t>{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2});
  EXPECT_THROW_WITH_MESSAGE(read_idx(header), "read_idx: '" + header +
                                                  "' is truncated: 12 bytes, shorter than its "
                                                  "16-byte header (3 dimensions)");
  // Sizes whose product does not fit: reported as truncated, not overflowed.
  const std::string huge =
      dir.write("huge", idx_bytes(0x0E, {0xffffffff, 0xffffffff, 0xffffffff}, {1, 2, 3}));
  EXPECT_THROW_WITH_MESSAGE(read_idx(huge), "too many bytes of data), but only 3 bytes follow");
}

TEST(ReadIdx, RejectsTruncatedAndOverlongData) {
  TempDir dir;
  const std::vector<uint8_t> raw = idx_bytes(0x08, {2, 3, 4}, iota_bytes(23));
  const std::string path = dir.write("short", raw);
  EXPECT_THROW_WITH_MESSAGE(read_idx(path), "read_idx: '" + path +
                                                "' is truncated: its header declares shape [2, "
                                                "3, 4] of unsigned byte (24 bytes of data), but "
                                                "only 23 bytes follow the header");
  const std::string longer = dir.write("long", idx_bytes(0x0D, {2}, iota_bytes(9)));
  EXPECT_THROW_WITH_MESSAGE(read_idx(longer), "read_idx: '" + longer +
                                                  "' is corrupt: its header declares shape [2] "
                                                  "of float (8 bytes of data), but 9 bytes "
                                                  "follow the header; expected exactly 8");
}

TEST(ReadIdx, RejectsTruncatedOrCorruptGzip) {
  TempDir dir;
  const std::vector<uint8_t> gz = gzip_bytes(idx_bytes(0x08, {1000}, iota_bytes(1000)));
  const std::string cut =
      dir.write("cut.gz", std::vector<uint8_t>(gz.begin(), gz.begin() + gz.size() / 2));
  EXPECT_THROW_WITH_MESSAGE(read_idx(cut), "read_idx: '" + cut +
                                               "' is truncated: the gzip "
                                               "stream ends after");
  std::vector<uint8_t> flipped = gz;
  flipped[gz.size() - 6] ^= 0xff;  // inside the CRC-32 trailer
  const std::string crc = dir.write("crc.gz", flipped);
  EXPECT_THROW_WITH_MESSAGE(read_idx(crc), "read_idx: '" + crc + "' is corrupt: gzip data error");
  std::vector<uint8_t> trailing = gz;
  trailing.push_back(0);
  const std::string extra = dir.write("extra.gz", trailing);
  EXPECT_THROW_WITH_MESSAGE(read_idx(extra), "read_idx: '" + extra +
                                                 "' is corrupt: 1 unexpected bytes after the "
                                                 "end of the gzip data");
}

TEST(ReadIdx, ReadsConcatenatedGzipMembersAsOneFile) {
  TempDir dir;
  const std::vector<uint8_t> raw = idx_bytes(0x08, {6}, iota_bytes(6));
  std::vector<uint8_t> gz = gzip_bytes(std::vector<uint8_t>(raw.begin(), raw.begin() + 7));
  const std::vector<uint8_t> rest = gzip_bytes(std::vector<uint8_t>(raw.begin() + 7, raw.end()));
  gz.insert(gz.end(), rest.begin(), rest.end());
  EXPECT_EQ(read_idx(dir.write("two.gz", gz)).to_vector<uint8_t>(), iota_bytes(6));
}

TEST(ReadIdx, RejectsMissingFile) {
  TempDir dir;
  EXPECT_THROW_WITH_MESSAGE(read_idx(dir.path("none")),
                            "read_idx: cannot open '" + dir.path("none") + "'");
}

}  // namespace
}  // namespace athanor::data
