// include/athanor/data/idx.h: reading IDX files (the MNIST format), raw or gzip-compressed.
#pragma once

#include <string>
#include <string_view>

#include <athanor/tensor/tensor.h>

namespace athanor::data {

/// The array stored in an IDX file at `path` (gzip-compressed files are detected by their magic
/// bytes 1f 8b and inflated), as a tensor of the stored shape [d0, d1, ...]. Element types:
/// unsigned byte (0x08) -> uint8, float (0x0D) -> float32, double (0x0E) -> float64, and the
/// signed byte, short and int types (0x09, 0x0B, 0x0C) -> int64. The magic number, the dimension
/// count and the data size implied by the dimensions are validated against the file; a wrong
/// magic, a truncated file or trailing bytes throw an error naming the path.
Tensor read_idx(const std::string& path);

/// read_idx of an (uncompressed) IDX file held in memory; errors name `source_name`. Allocates
/// nothing before the header is validated against the size of `bytes`.
Tensor idx_from_bytes(std::string_view bytes, const std::string& source_name = "<memory>");

}  // namespace athanor::data
