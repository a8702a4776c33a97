// src/tensor/cpu_allocator.h: the CPU allocator behind Storage, caching freed blocks by size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace athanor::detail {

/// A 64-byte aligned block of at least `nbytes`; reuses a cached block of the same rounded size
/// when one is free. Throws athanor::Error when memory runs out.
void* cpu_allocate(size_t nbytes);
/// Returns a block from cpu_allocate(nbytes) to the cache (or to the system when the cache is full
/// or disabled).
void cpu_deallocate(void* data, size_t nbytes);
/// Bytes currently held in the cache, and blocks handed back to the system so far (for tests).
size_t cpu_cached_bytes();
/// Frees every cached block.
void cpu_empty_cache();

}  // namespace athanor::detail
