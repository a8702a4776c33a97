// src/io/tfrecord.cpp: TFRecord framing.
#include <bit>
#include <cstring>

#include <athanor/core/error.h>
#include <athanor/io/file.h>
#include <athanor/io/tfrecord.h>

namespace athanor::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "TFRecord I/O assumes a little-endian machine");

uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

template <typename T>
T load_le(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

template <typename T>
void append_le(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

uint32_t masked_crc32c(std::string_view bytes) { return mask(crc32c(bytes)); }

std::string tfrecord(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  append_le<uint64_t>(out, data.size());
  append_le<uint32_t>(out, masked_crc32c(out));
  out += data;
  append_le<uint32_t>(out, masked_crc32c(data));
  return out;
}

std::vector<std::string> read_tfrecords(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  const std::string name = path.string();
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t index = records.size();
    const size_t left = bytes.size() - pos;
    ATHANOR_CHECK(
        left >= 12,
        "read_tfrecords: '{}': record {} at byte {} is truncated: {} bytes left, expected "
        "at least 12 (length and its CRC)",
        name, index, pos, left);
    const uint64_t length = load_le<uint64_t>(bytes.data() + pos);
    const uint32_t length_crc = load_le<uint32_t>(bytes.data() + pos + 8);
    ATHANOR_CHECK(
        length_crc == masked_crc32c(std::string_view(bytes).substr(pos, 8)),
        "read_tfrecords: '{}': record {} at byte {} has a bad length CRC (stored 0x{:08x}, "
        "computed 0x{:08x}); the file is corrupt",
        name, index, pos, length_crc, masked_crc32c(std::string_view(bytes).substr(pos, 8)));
    ATHANOR_CHECK(length <= left - 12 && left - 12 - length >= 4,
                  "read_tfrecords: '{}': record {} at byte {} is truncated: it declares {} data "
                  "bytes + 4 CRC bytes, but only {} bytes follow",
                  name, index, pos, length, left - 12);
    const std::string_view data = std::string_view(bytes).substr(pos + 12, length);
    const uint32_t data_crc = load_le<uint32_t>(bytes.data() + pos + 12 + length);
    ATHANOR_CHECK(data_crc == masked_crc32c(data),
                  "read_tfrecords: '{}': record {} at byte {} has a bad data CRC (stored 0x{:08x}, "
                  "computed 0x{:08x}); the file is corrupt",
                  name, index, pos, data_crc, masked_crc32c(data));
    records.emplace_back(data);
    pos += 12 + length + 4;
  }
  return records;
}

}  // namespace athanor::io
