// src/io/safetensors.cpp: the safetensors writer and the validating reader.
//
// Layout: bytes [0, 8) hold N (uint64, little-endian); bytes [8, 8 + N) a UTF-8 JSON object
// {"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...};
// the rest is the data area, in which each tensor's row-major bytes sit at [begin, end).
#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <tuple>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include <athanor/core/error.h>
#include <athanor/io/crc32c.h>
#include <athanor/io/file.h>
#include <athanor/io/safetensors.h>

namespace athanor::io {
namespace {

// The data is copied byte for byte, so this machine's byte order must be the file's.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian machine");

using nlohmann::json;

constexpr size_t kLengthBytes = 8;
constexpr const char* kMetadataKey = "__metadata__";

std::string_view dtype_tag(DType t) {
  switch (t) {
    case kBool:
      return "BOOL";
    case kUInt8:
      return "U8";
    case kInt64:
      return "I64";
    case kFloat32:
      return "F32";
    case kFloat64:
      return "F64";
  }
  return "?";
}

std::optional<DType> dtype_from_tag(std::string_view tag) {
  for (DType t : {kBool, kUInt8, kInt64, kFloat32, kFloat64}) {
    if (dtype_tag(t) == tag) return t;
  }
  return std::nullopt;
}

// ---- Writing ----

std::string dump_header(const nlohmann::ordered_json& header) {
  try {
    return header.dump();
  } catch (const json::type_error& e) {  // a name or metadata string that is not UTF-8
    throw Error(
        fmt::format("to_safetensors: cannot write the header: {}; expected UTF-8 tensor "
                    "names and metadata",
                    e.what()));
  }
}

// ---- Reading ----

// The error prefix: the operation and the file (or "<memory>").
struct Source {
  std::string_view op;
  std::string_view name;
  uint64_t data_start = 0;  // the data area's offset in the file, once known
};

template <typename... Args>
[[noreturn]] void fail(const Source& src, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format("{}: '{}': {}", src.op, src.name,
                          fmt::format(format, std::forward<Args>(args)...)));
}

// The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points over
// U+10FFFF included), or nullopt when `s` is valid.
std::optional<size_t> first_invalid_utf8(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = byte(i);
    size_t n = 0;
    uint32_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // over U+10FFFF
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;  // cut short by the end
    if (byte(i + 1) < lo || byte(i + 1) > hi) return i;
    for (size_t k = 2; k <= n; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
    }
    i += n + 1;
  }
  return std::nullopt;
}

// One header entry, checked.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin;
  uint64_t end;
  size_t file_order;  // position in the header: orders zero-size tensors sharing an offset
};

std::string shape_json(const json& value) { return value.dump(); }

Entry parse_entry(const Source& src, const std::string& name, const json& value,
                  size_t file_order) {
  if (name.empty()) fail(src, "a tensor has an empty name; expected a non-empty name");
  if (!value.is_object()) {
    fail(src,
         "tensor '{}': the entry is a JSON {}; expected an object with dtype, shape and "
         "data_offsets",
         name, value.type_name());
  }
  for (const auto& [key, unused] : value.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      fail(src, "tensor '{}': unexpected key '{}'; expected only dtype, shape and data_offsets",
           name, key);
    }
  }
  Entry e{
      .name = name, .dtype = kFloat32, .shape = {}, .begin = 0, .end = 0, .file_order = file_order};

  const auto dtype = value.find("dtype");
  if (dtype == value.end()) fail(src, "tensor '{}': no \"dtype\"", name);
  const std::optional<DType> parsed =
      dtype->is_string() ? dtype_from_tag(dtype->get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    fail(src,
         "tensor '{}': dtype {} is not supported; expected one of \"F32\", \"F64\", \"I64\", "
         "\"U8\", \"BOOL\"",
         name, dtype->dump());
  }
  e.dtype = *parsed;

  const auto shape = value.find("shape");
  if (shape == value.end()) fail(src, "tensor '{}': no \"shape\"", name);
  if (!shape->is_array()) {
    fail(src, "tensor '{}': shape {} is not an array; expected an array of non-negative integers",
         name, shape_json(*shape));
  }
  if (shape->size() > static_cast<size_t>(Shape::kMaxDims)) {
    fail(src, "tensor '{}': shape {} has {} dimensions; at most {} are supported", name,
         shape_json(*shape), shape->size(), Shape::kMaxDims);
  }
  // Bytes needed, overflow-checked; dimensions of size 0 count as 1 here so that the row-major
  // strides of a zero-size tensor cannot overflow either.
  uint64_t nbytes = static_cast<uint64_t>(itemsize(e.dtype));
  uint64_t bound = nbytes;
  bool overflow = false;
  for (size_t i = 0; i < shape->size(); ++i) {
    const json& d = (*shape)[i];
    if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t{INT64_MAX}) {
      fail(src, "tensor '{}': shape {} has dimension {} = {}; expected a non-negative integer",
           name, shape_json(*shape), i, d.dump());
    }
    const uint64_t n = d.get<uint64_t>();
    e.shape.push_back(static_cast<int64_t>(n));
    overflow |= __builtin_mul_overflow(nbytes, n, &nbytes);
    overflow |= __builtin_mul_overflow(bound, std::max<uint64_t>(n, 1), &bound);
  }
  if (overflow || bound > uint64_t{INT64_MAX}) {
    fail(src, "tensor '{}': shape {} of dtype {} is too large: its byte count overflows 64 bits",
         name, shape_json(*shape), dtype_tag(e.dtype));
  }

  const auto offsets = value.find("data_offsets");
  if (offsets == value.end()) fail(src, "tensor '{}': no \"data_offsets\"", name);
  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    fail(src, "tensor '{}': data_offsets {} is not [begin, end] with non-negative integers", name,
         offsets->dump());
  }
  e.begin = (*offsets)[0].get<uint64_t>();
  e.end = (*offsets)[1].get<uint64_t>();
  if (e.begin > e.end) {
    fail(src, "tensor '{}': data_offsets [{}, {}] has begin > end; expected begin <= end", name,
         e.begin, e.end);
  }
  if (e.end - e.begin != nbytes) {
    fail(src,
         "tensor '{}': data_offsets [{}, {}] hold {} bytes, but shape {} of dtype {} needs {} "
         "({} elements of {} bytes)",
         name, e.begin, e.end, e.end - e.begin, shape_json(*shape), dtype_tag(e.dtype), nbytes,
         nbytes / itemsize(e.dtype), itemsize(e.dtype));
  }
  return e;
}

// Copies the tensor's bytes out of the data area into fresh (aligned) storage.
Tensor read_tensor(const Source& src, const Entry& e, const char* data) {
  Tensor t = empty(e.shape, e.dtype);
  const size_t nbytes = static_cast<size_t>(e.end - e.begin);
  if (nbytes == 0) return t;
  const char* from = data + e.begin;
  if (e.dtype == kBool) {
    // Any byte but 0 and 1 would be an invalid C++ bool; numpy and PyTorch write only 0 and 1.
    for (size_t i = 0; i < nbytes; ++i) {
      const auto b = static_cast<uint8_t>(from[i]);
      if (b > 1) {
        fail(src, "tensor '{}': BOOL element {} has the byte value {}; expected 0 or 1", e.name, i,
             b);
      }
    }
  }
  std::memcpy(t.raw_data(), from, nbytes);
  return t;
}

std::string checksum_text(uint32_t crc) { return fmt::format("{:08x}", crc); }

// Every tensor's bytes against its "crc32c:<name>" entry, when the file has checksums at all.
void verify_checksums(const Source& src, const std::vector<Entry>& entries,
                      const Metadata& metadata, std::string_view data) {
  std::unordered_set<std::string_view> names;
  for (const Entry& e : entries) names.insert(e.name);
  size_t checksums = 0;
  for (const auto& [key, value] : metadata) {
    if (!key.starts_with(kChecksumPrefix)) continue;
    ++checksums;
    const std::string_view name = std::string_view(key).substr(kChecksumPrefix.size());
    if (!names.contains(name)) {
      fail(src,
           "\"__metadata__\" has the checksum '{}' for tensor '{}', which the file does not "
           "hold (a corrupt name?)",
           key, name);
    }
  }
  if (checksums == 0) return;  // written without checksums: nothing to verify
  for (const Entry& e : entries) {
    const std::string key = std::string(kChecksumPrefix) + e.name;
    const auto it = metadata.find(key);
    if (it == metadata.end()) {
      fail(src,
           "tensor '{}' has no checksum \"{}\" though the other tensors have; expected one "
           "per tensor",
           e.name, key);
    }
    const std::string actual = checksum_text(
        crc32c(data.substr(static_cast<size_t>(e.begin), static_cast<size_t>(e.end - e.begin))));
    if (it->second != actual) {
      fail(src,
           "tensor '{}': the CRC32C of its bytes [{}, {}) (file offsets [{}, {})) is {}, but the "
           "metadata records {}; the file is corrupt",
           e.name, e.begin, e.end, e.begin + (src.data_start), e.end + src.data_start, actual,
           it->second);
    }
  }
}

SafetensorsFile parse(std::string_view bytes, Source src, const SafetensorsLimits& limits) {
  if (bytes.size() < kLengthBytes) {
    fail(src, "the file has {} bytes; expected at least 8 (the header length)", bytes.size());
  }
  uint64_t header_bytes = 0;
  std::memcpy(&header_bytes, bytes.data(), kLengthBytes);  // little-endian, as this machine
  const uint64_t available = bytes.size() - kLengthBytes;
  if (header_bytes == 0) fail(src, "the header length is 0; expected a JSON object");
  if (header_bytes > limits.max_header_bytes) {
    fail(src, "the header length {} exceeds the limit of {} bytes", header_bytes,
         limits.max_header_bytes);
  }
  if (header_bytes > available) {
    fail(src, "the header length {} exceeds the {} bytes after the length field (truncated file?)",
         header_bytes, available);
  }
  const std::string_view header_text = bytes.substr(kLengthBytes, header_bytes);
  const std::string_view data = bytes.substr(kLengthBytes + header_bytes);
  src.data_start = kLengthBytes + header_bytes;

  if (const auto bad = first_invalid_utf8(header_text)) {
    fail(src, "the header is not valid UTF-8 (byte 0x{:02x} at header offset {})",
         static_cast<uint8_t>(header_text[*bad]), *bad);
  }
  // The callback sees each top-level key in file order: keeps that order and catches duplicates,
  // which the parsed object would silently merge.
  std::vector<std::string> keys;
  std::unordered_set<std::string> seen;
  std::optional<std::string> duplicate;
  const json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1) {
      std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second && !duplicate) duplicate = key;
      keys.push_back(std::move(key));
    }
    return true;
  };
  json header;
  try {
    header = json::parse(header_text.begin(), header_text.end(), on_event);
  } catch (const json::exception& e) {
    fail(src, "the header is not valid JSON: {}", e.what());
  }
  if (!header.is_object())
    fail(src, "the header is a JSON {}; expected an object", header.type_name());
  if (duplicate) fail(src, "the header names '{}' twice; expected unique names", *duplicate);

  std::vector<Entry> entries;
  for (const std::string& key : keys) {
    if (key == kMetadataKey) continue;
    entries.push_back(parse_entry(src, key, header.at(key), entries.size()));
  }
  for (const Entry& e : entries) {
    if (e.end > data.size()) {
      fail(src,
           "tensor '{}': data_offsets [{}, {}] end beyond the data area of {} bytes "
           "(truncated file?)",
           e.name, e.begin, e.end, data.size());
    }
  }
  // Sorted by offset the tensors must tile the data area: no gap, no overlap, nothing after.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.file_order) < std::tie(b.begin, b.end, b.file_order);
  });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : entries) {
    if (e.begin > covered) {
      fail(src,
           "bytes [{}, {}) of the data area, before tensor '{}', belong to no tensor; "
           "expected the tensors to cover the data area without holes",
           covered, e.begin, e.name);
    }
    if (e.begin < covered) {
      fail(src,
           "tensor '{}' at data_offsets [{}, {}] overlaps tensor '{}' at [{}, {}]; expected "
           "disjoint offsets",
           e.name, e.begin, e.end, previous->name, previous->begin, previous->end);
    }
    covered = e.end;
    previous = &e;
  }
  if (covered != data.size()) {
    fail(src,
         "the data area has {} bytes but the tensors cover only [0, {}); expected no trailing "
         "bytes",
         data.size(), covered);
  }

  SafetensorsFile file;
  if (const auto meta = header.find(kMetadataKey); meta != header.end()) {
    if (!meta->is_object()) {
      fail(src, "\"__metadata__\" is a JSON {}; expected an object of strings", meta->type_name());
    }
    for (const auto& [key, value] : meta->items()) {
      if (!value.is_string()) {
        fail(src, "\"__metadata__\" key '{}' has a {} value {}; expected a string", key,
             value.type_name(), value.dump());
      }
      file.metadata.emplace(key, value.get<std::string>());
    }
  }
  verify_checksums(src, entries, file.metadata, data);
  for (const Entry& e : entries) file.tensors.insert(e.name, read_tensor(src, e, data.data()));
  return file;
}

}  // namespace

std::string to_safetensors(const TensorDict& tensors, const Metadata& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header[kMetadataKey] = std::move(meta);
  }
  std::vector<Tensor> contiguous;
  contiguous.reserve(tensors.size());
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    ATHANOR_CHECK(!name.empty() && name != kMetadataKey,
                  "to_safetensors: cannot write a tensor named '{}'; expected a non-empty name "
                  "other than \"__metadata__\"",
                  name);
    ATHANOR_CHECK(tensor.defined(), "to_safetensors: tensor '{}' is undefined", name);
    ATHANOR_CHECK(tensor.device().is_cpu(),
                  "to_safetensors: tensor '{}' is on {}; expected a CPU tensor", name,
                  tensor.device());
    // detach(): a copy for writing must not enter the autograd graph.
    Tensor t = tensor.is_contiguous() ? tensor : tensor.detach().contiguous();
    const uint64_t nbytes = static_cast<uint64_t>(t.numel() * itemsize(t.dtype()));
    header[name] = {{"dtype", dtype_tag(t.dtype())},
                    {"shape", t.shape().to_vector()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    contiguous.push_back(std::move(t));
  }
  std::string text = dump_header(header);
  // Spaces after the JSON make the data start 8-byte aligned, as the reference writer does.
  text.append((kLengthBytes - text.size() % kLengthBytes) % kLengthBytes, ' ');

  std::string out;
  out.reserve(kLengthBytes + text.size() + offset);
  const uint64_t header_bytes = text.size();
  out.append(reinterpret_cast<const char*>(&header_bytes), kLengthBytes);
  out += text;
  for (const Tensor& t : contiguous) {
    const auto nbytes = static_cast<size_t>(t.numel() * itemsize(t.dtype()));
    if (nbytes > 0) out.append(static_cast<const char*>(t.raw_data()), nbytes);
  }
  return out;
}

SafetensorsFile from_safetensors(std::string_view bytes, std::string_view source_name,
                                 SafetensorsLimits limits) {
  return parse(bytes, {"from_safetensors", source_name}, limits);
}

Metadata with_checksums(const TensorDict& tensors, Metadata metadata) {
  for (const auto& [name, tensor] : tensors) {
    ATHANOR_CHECK(tensor.defined() && tensor.device().is_cpu(),
                  "with_checksums: tensor '{}' is undefined or not on the CPU", name);
    const Tensor t = tensor.is_contiguous() ? tensor : tensor.detach().contiguous();
    const auto nbytes = static_cast<size_t>(t.numel() * itemsize(t.dtype()));
    const std::string_view bytes =
        nbytes == 0 ? std::string_view()
                    : std::string_view(static_cast<const char*>(t.raw_data()), nbytes);
    metadata[std::string(kChecksumPrefix) + name] = checksum_text(crc32c(bytes));
  }
  return metadata;
}

void save_safetensors(const std::filesystem::path& path, const TensorDict& tensors,
                      const Metadata& metadata) {
  write_file_atomic(path, to_safetensors(tensors, metadata));
}

SafetensorsFile load_safetensors(const std::filesystem::path& path, SafetensorsLimits limits) {
  const std::string bytes = read_file(path);
  const std::string name = path.string();
  return parse(bytes, {"load_safetensors", name}, limits);
}

}  // namespace athanor::io
