// src/data/gzip.cpp: whole-file reads and gzip inflation through zlib.
#include "data/gzip.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <zlib.h>

#include <athanor/core/error.h>

namespace athanor::data::detail {

ByteBuffer read_file(const std::string& path, const char* what) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  ATHANOR_CHECK(file != nullptr, "{}: cannot open '{}': {}", what, path, std::strerror(errno));
  ByteBuffer bytes;
  // Read straight into a buffer of the file's size, then keep reading in case it grew.
  if (std::fseek(file.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(file.get());
    if (size > 0) bytes.resize(static_cast<size_t>(size));
    std::rewind(file.get());
  }
  size_t filled = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), file.get());
  bytes.resize(filled);
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + n);
    filled += n;
  }
  ATHANOR_CHECK(!std::ferror(file.get()), "{}: cannot read '{}': {}", what, path,
                std::strerror(errno));
  return bytes;
}

bool is_gzip(const ByteBuffer& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

ByteBuffer gunzip(const ByteBuffer& compressed, const std::string& path, const char* what) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (and check its CRC-32).
  ATHANOR_CHECK(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK, "{}: zlib failed to initialise",
                what);
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&stream, &inflateEnd);
  ByteBuffer out;
  // A gzip member's last 4 bytes hold its uncompressed size modulo 2^32: a good first guess,
  // capped by deflate's best ratio (about 1032:1) and 256 MiB so that a truncated file's garbage
  // cannot ask for gigabytes; the buffer doubles when the guess is short.
  size_t guess = 1024;
  if (compressed.size() >= 18) {
    const size_t n = compressed.size();
    const uint32_t isize = uint32_t{compressed[n - 4]} | uint32_t{compressed[n - 3]} << 8 |
                           uint32_t{compressed[n - 2]} << 16 | uint32_t{compressed[n - 1]} << 24;
    guess = std::clamp<size_t>(isize, 1024, std::clamp<size_t>(n * 1032, 1024, size_t{1} << 28));
  }
  out.resize(guess);
  size_t in_pos = 0;
  size_t out_pos = 0;
  constexpr size_t kChunk = std::numeric_limits<uInt>::max() / 2;
  while (true) {
    if (out_pos == out.size()) out.resize(out.size() * 2);
    const size_t in_left = compressed.size() - in_pos;
    const size_t out_left = out.size() - out_pos;
    stream.next_in = const_cast<Bytef*>(compressed.data() + in_pos);
    stream.avail_in = static_cast<uInt>(std::min(in_left, kChunk));
    stream.next_out = out.data() + out_pos;
    stream.avail_out = static_cast<uInt>(std::min(out_left, kChunk));
    const uInt avail_in = stream.avail_in;
    const uInt avail_out = stream.avail_out;
    const int status = inflate(&stream, Z_NO_FLUSH);
    in_pos += avail_in - stream.avail_in;
    out_pos += avail_out - stream.avail_out;
    if (status == Z_STREAM_END) {
      // Concatenated members form one file (gzip's rule); anything else after the end is an error.
      if (in_pos == compressed.size()) break;
      ATHANOR_CHECK(compressed.size() - in_pos >= 2 && compressed[in_pos] == 0x1f &&
                        compressed[in_pos + 1] == 0x8b,
                    "{}: '{}' is corrupt: {} unexpected bytes after the end of the gzip data", what,
                    path, compressed.size() - in_pos);
      ATHANOR_CHECK(inflateReset(&stream) == Z_OK, "{}: zlib failed to reset", what);
      continue;
    }
    ATHANOR_CHECK(status == Z_OK || status == Z_BUF_ERROR,
                  "{}: '{}' is corrupt: gzip data error at compressed byte {} ({})", what, path,
                  in_pos, stream.msg != nullptr ? stream.msg : zError(status));
    // No progress with input left means the output is full (grow it); with no input left the
    // stream ended before its end marker.
    ATHANOR_CHECK(in_pos < compressed.size() || out_pos == out.size(),
                  "{}: '{}' is truncated: the gzip stream ends after {} compressed bytes ({} "
                  "inflated) without its end marker",
                  what, path, compressed.size(), out_pos);
  }
  out.resize(out_pos);
  return out;
}

ByteBuffer read_maybe_gzip(const std::string& path, const char* what) {
  ByteBuffer bytes = read_file(path, what);
  return is_gzip(bytes) ? gunzip(bytes, path, what) : bytes;
}

}  // namespace athanor::data::detail
