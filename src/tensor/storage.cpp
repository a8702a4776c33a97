// src/tensor/storage.cpp: aligned allocation of tensor storage.
#include <cstdlib>
#include <new>

#include <athanor/core/error.h>
#include <athanor/tensor/storage.h>

namespace athanor {

namespace {
constexpr size_t kAlignment = 64;
}

Storage::Storage(int64_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  ATHANOR_CHECK(device.is_cpu(), "storage: cannot allocate on device {}: only the CPU is built",
                device);
  ATHANOR_CHECK(nbytes >= 0, "storage: cannot allocate a negative size ({} bytes)", nbytes);
  const size_t rounded = (static_cast<size_t>(nbytes) + kAlignment - 1) / kAlignment * kAlignment;
  data_ = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (data_ == nullptr) {
    throw Error(fmt::format("storage: out of memory allocating {} bytes", nbytes));
  }
}

Storage::~Storage() { std::free(data_); }

}  // namespace athanor
