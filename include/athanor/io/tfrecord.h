// include/athanor/io/tfrecord.h: TFRecord framing (the container of TensorBoard event files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <athanor/io/crc32c.h>

namespace athanor::io {

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8 of crc32c(bytes).
uint32_t masked_crc32c(std::string_view bytes);

/// One TFRecord: uint64 length (little-endian), masked CRC of those 8 bytes, the data, masked CRC
/// of the data (each CRC a little-endian uint32).
std::string tfrecord(std::string_view data);

/// The data of every record of a TFRecord file, verifying both CRCs of each. Throws Error naming
/// the file, the record index and its byte offset on a bad CRC or a truncated record.
std::vector<std::string> read_tfrecords(const std::filesystem::path& path);

}  // namespace athanor::io
