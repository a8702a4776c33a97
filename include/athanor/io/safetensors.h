// include/athanor/io/safetensors.h: reading and writing safetensors files (Hugging Face's format:
// an 8-byte little-endian header length, a JSON header, then the raw little-endian tensor data).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <athanor/tensor/tensor_dict.h>

namespace athanor::io {

/// The file's "__metadata__": string keys to string values (e.g. {"format": "pt"}).
using Metadata = std::map<std::string, std::string>;

/// What a safetensors file holds: the tensors in the order of their data, and the metadata.
struct SafetensorsFile {
  TensorDict tensors;
  Metadata metadata;
};

/// Bounds the reader enforces before it parses anything.
struct SafetensorsLimits {
  /// The JSON header's largest accepted size in bytes (the reference reader's cap is 100 MB).
  uint64_t max_header_bytes = uint64_t{100} << 20;
};

/// The bytes of a safetensors file holding `tensors` (dtypes float32, float64, int64, uint8, bool
/// as F32, F64, I64, U8, BOOL; any shape, including [] and zero-size; non-contiguous tensors are
/// written in row-major order) in insertion order, and `metadata` as "__metadata__" (omitted when
/// empty). The header is compact JSON padded with spaces so that the data starts 8-byte aligned.
/// Throws for CPU-less tensors, undefined tensors, empty names and the name "__metadata__".
std::string to_safetensors(const TensorDict& tensors, const Metadata& metadata = {});

/// Parses a safetensors file held in memory. Everything is validated before any tensor data is
/// read: sizes, UTF-8 and JSON, each entry's dtype, shape and data_offsets, their sizes and bounds,
/// and that the sorted offsets cover the data area exactly (no gap, overlap or trailing bytes).
/// When the metadata holds checksums (with_checksums), every tensor must have one and its bytes
/// must match it, so truncation and bit flips in the data are caught; files without checksums
/// (older athanor files, other writers) load unverified. Nothing is allocated before the header
/// is validated, and no allocation exceeds the input's size plus the tensors' alignment. Errors
/// name `source_name` (a path, or "<memory>") and the tensor. Tensors come back in the order
/// of their data, each with its own (64-byte aligned) storage.
SafetensorsFile from_safetensors(std::string_view bytes, std::string_view source_name = "<memory>",
                                 SafetensorsLimits limits = {});

/// The prefix of the metadata keys holding per-tensor checksums: "crc32c:<name>" = the CRC32C of
/// tensor <name>'s bytes in the file, as 8 lowercase hex digits (metadata values must be strings).
inline constexpr std::string_view kChecksumPrefix = "crc32c:";

/// `metadata` plus one "crc32c:<name>" entry for every tensor. from_safetensors verifies them.
Metadata with_checksums(const TensorDict& tensors, Metadata metadata = {});

/// to_safetensors, written with write_file_atomic (temporary file, fsync, rename).
void save_safetensors(const std::filesystem::path& path, const TensorDict& tensors,
                      const Metadata& metadata = {});

/// read_file then from_safetensors, naming `path` in errors.
SafetensorsFile load_safetensors(const std::filesystem::path& path, SafetensorsLimits limits = {});

}  // namespace athanor::io
