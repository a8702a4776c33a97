// include/athanor/tensor/storage.h: Storage, a reference-counted block of device memory.
#pragma once

#include <cstdint>
#include <memory>

#include <athanor/core/device.h>

namespace athanor {

/// Raw bytes on one device, 64-byte aligned, shared by every tensor that views them.
class Storage {
 public:
  Storage(int64_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  int64_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  int64_t nbytes_ = 0;
  Device device_;
};

}  // namespace athanor
