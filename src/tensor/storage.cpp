// src/tensor/storage.cpp: tensor storage on the CPU allocator.
#include <athanor/core/error.h>
#include <athanor/tensor/storage.h>

#include "tensor/cpu_allocator.h"

namespace athanor {

Storage::Storage(int64_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  ATHANOR_CHECK(device.is_cpu(), "storage: cannot allocate on device {}: only the CPU is built",
                device);
  ATHANOR_CHECK(nbytes >= 0, "storage: cannot allocate a negative size ({} bytes)", nbytes);
  data_ = detail::cpu_allocate(static_cast<size_t>(nbytes));
}

Storage::~Storage() { detail::cpu_deallocate(data_, static_cast<size_t>(nbytes_)); }

}  // namespace athanor
