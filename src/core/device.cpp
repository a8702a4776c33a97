// src/core/device.cpp: device names.
#include <athanor/core/device.h>

namespace athanor {

std::string to_string(Device d) {
  return d.is_cpu() ? std::string("cpu") : fmt::format("cuda:{}", d.index);
}

}  // namespace athanor
