// src/data/idx.cpp: the IDX reader. Layout (big-endian): 2 zero bytes, a type byte, a dimension
// count byte, one uint32 per dimension, then the elements in row-major order.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include <athanor/core/error.h>
#include <athanor/data/idx.h>

#include "data/idx_internal.h"

namespace athanor::data {
namespace {

constexpr const char* kWhat = "read_idx";

uint32_t read_be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

struct IdxType {
  const char* name;
  int64_t itemsize;
  DType dtype;
};

IdxType idx_type(uint8_t code, const std::string& path) {
  switch (code) {
    case 0x08:
      return {"unsigned byte", 1, kUInt8};
    case 0x09:
      return {"signed byte", 1, kInt64};
    case 0x0B:
      return {"short", 2, kInt64};
    case 0x0C:
      return {"int", 4, kInt64};
    case 0x0D:
      return {"float", 4, kFloat32};
    case 0x0E:
      return {"double", 8, kFloat64};
    default:
      throw Error(fmt::format(
          "{}: '{}' has an unknown IDX element type 0x{:02x}; expected 0x08 (unsigned byte), 0x09, "
          "0x0B, 0x0C, 0x0D or 0x0E",
          kWhat, path, code));
  }
}

// Converts big-endian elements of the given type code into `out` (of the type's dtype).
void decode(uint8_t code, const uint8_t* src, int64_t n, const Tensor& out) {
  switch (code) {
    case 0x08:
      std::memcpy(out.data_ptr<uint8_t>(), src, static_cast<size_t>(n));
      return;
    case 0x09: {
      int64_t* dst = out.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int8_t>(src[i]);
      return;
    }
    case 0x0B: {
      int64_t* dst = out.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        dst[i] = static_cast<int16_t>(static_cast<uint16_t>(src[2 * i] << 8 | src[2 * i + 1]));
      }
      return;
    }
    case 0x0C: {
      int64_t* dst = out.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int32_t>(read_be32(src + 4 * i));
      return;
    }
    case 0x0D: {
      float* dst = out.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) {
        const uint32_t bits = read_be32(src + 4 * i);
        std::memcpy(&dst[i], &bits, 4);
      }
      return;
    }
    case 0x0E: {
      double* dst = out.data_ptr<double>();
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t bits = uint64_t{read_be32(src + 8 * i)} << 32 | read_be32(src + 8 * i + 4);
        std::memcpy(&dst[i], &bits, 8);
      }
      return;
    }
    default:
      ATHANOR_ASSERT(false);
  }
}

// The header of an IDX file in memory, validated against its size.
struct IdxHeader {
  size_t data_offset;
  uint8_t type_code;
  Shape shape;
  DType dtype;
};

IdxHeader validate(const uint8_t* bytes, size_t size, const std::string& path) {
  ATHANOR_CHECK(size >= 4,
                "{}: '{}' is truncated: {} bytes, shorter than the 4-byte IDX magic number", kWhat,
                path, size);
  ATHANOR_CHECK(bytes[0] == 0 && bytes[1] == 0,
                "{}: '{}' is not an IDX file: magic number {:02x} {:02x} {:02x} {:02x}; expected "
                "00 00 <type> <dimension count>",
                kWhat, path, bytes[0], bytes[1], bytes[2], bytes[3]);
  const IdxType type = idx_type(bytes[2], path);
  const int ndim = bytes[3];
  ATHANOR_CHECK(ndim >= 1 && ndim <= Shape::kMaxDims,
                "{}: '{}' declares {} dimensions; expected 1 to {}", kWhat, path, ndim,
                Shape::kMaxDims);
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  ATHANOR_CHECK(size >= header,
                "{}: '{}' is truncated: {} bytes, shorter than its {}-byte header ({} dimensions)",
                kWhat, path, size, header, ndim);
  Shape shape;
  // The product of up to eight uint32 sizes can overflow; bound it by the bytes present instead.
  // Sizes of 0 count as 1 in `bound` so that a zero-size array's strides cannot overflow either.
  const uint64_t data_bytes = size - header;
  uint64_t count = 1;
  uint64_t bound = 1;
  bool too_big = false;
  for (int d = 0; d < ndim; ++d) {
    const uint32_t dim = read_be32(bytes + 4 + 4 * d);
    shape.push_back(dim);
    const uint64_t at_least_1 = std::max<uint32_t>(dim, 1);
    if (bound > std::numeric_limits<uint64_t>::max() / 16 / at_least_1) too_big = true;
    bound *= at_least_1;
    count *= dim;
  }
  too_big = too_big || bound > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 16);
  const uint64_t expected = count * static_cast<uint64_t>(type.itemsize);
  ATHANOR_CHECK(!too_big && expected <= data_bytes,
                "{}: '{}' is truncated: its header declares shape {} of {} ({} bytes of data), but "
                "only {} bytes follow the header",
                kWhat, path, to_string(shape), type.name,
                too_big ? "too many" : std::to_string(expected), data_bytes);
  ATHANOR_CHECK(expected == data_bytes,
                "{}: '{}' is corrupt: its header declares shape {} of {} ({} bytes of data), but "
                "{} bytes follow the header; expected exactly {}",
                kWhat, path, to_string(shape), type.name, expected, data_bytes, expected);
  return {header, bytes[2], shape, type.dtype};
}

}  // namespace

namespace detail {

IdxContents read_idx_contents(const std::string& path) {
  ByteBuffer bytes = read_maybe_gzip(path, kWhat);
  const IdxHeader h = validate(bytes.data(), bytes.size(), path);
  return {std::move(bytes), h.data_offset, h.type_code, h.shape, h.dtype};
}

}  // namespace detail

Tensor idx_from_bytes(std::string_view bytes, const std::string& source_name) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const IdxHeader h = validate(data, bytes.size(), source_name);
  Tensor out = empty(h.shape, h.dtype);
  decode(h.type_code, data + h.data_offset, h.shape.numel(), out);
  return out;
}

Tensor read_idx(const std::string& path) {
  const detail::IdxContents idx = detail::read_idx_contents(path);
  Tensor out = empty(idx.shape, idx.dtype);
  decode(idx.type_code, idx.bytes.data() + idx.data_offset, idx.shape.numel(), out);
  return out;
}

}  // namespace athanor::data
