// include/athanor/io/crc32c.h: CRC-32C, the checksum of TFRecords and of the tensors in athanor's
// checkpoints and model files.
#pragma once

#include <cstdint>
#include <string_view>

namespace athanor::io {

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF);
/// crc32c("123456789") == 0xE3069283. Not zlib's crc32, which uses another polynomial.
uint32_t crc32c(std::string_view bytes);

/// Continues a CRC-32C over more bytes: crc32c_extend(crc32c(a), b) == crc32c(a + b).
uint32_t crc32c_extend(uint32_t crc, std::string_view bytes);

}  // namespace athanor::io
