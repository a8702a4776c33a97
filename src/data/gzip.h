// src/data/gzip.h: reading a whole file into memory, inflating it when it is gzip-compressed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace athanor::data::detail {

/// An allocator whose resize() leaves new bytes uninitialised: buffers about to be overwritten
/// (file reads, inflation) skip a pass of zero-filling tens of megabytes.
template <typename T>
struct DefaultInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  using std::allocator<T>::allocator;
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

/// The bytes of the file at `path`; throws "<what>: cannot open '<path>': <reason>" when it cannot
/// be read.
ByteBuffer read_file(const std::string& path, const char* what);

/// True when `bytes` starts with gzip's magic bytes 1f 8b.
bool is_gzip(const ByteBuffer& bytes);

/// Inflates gzip data (every member, as gunzip does); a truncated or corrupt stream throws an
/// error naming `what` and `path`.
ByteBuffer gunzip(const ByteBuffer& compressed, const std::string& path, const char* what);

/// The file's bytes, inflated when they start with gzip's magic bytes.
ByteBuffer read_maybe_gzip(const std::string& path, const char* what);

}  // namespace athanor::data::detail
