// src/data/idx_internal.h: a validated IDX file before decoding, for readers that convert its
// bytes straight into another type (mnist_split's float images) instead of copying them first.
#pragma once

#include <cstdint>
#include <string>

#include <athanor/core/dtype.h>
#include <athanor/core/shape.h>

#include "data/gzip.h"

namespace athanor::data::detail {

struct IdxContents {
  ByteBuffer bytes;    // the whole (inflated) file
  size_t data_offset;  // where the elements start
  uint8_t type_code;   // 0x08 unsigned byte, ...
  Shape shape;         // the stored dimensions
  DType dtype;         // the dtype read_idx returns for this type
};

/// Reads and validates an IDX file as read_idx does (same errors), without decoding it.
IdxContents read_idx_contents(const std::string& path);

}  // namespace athanor::data::detail
