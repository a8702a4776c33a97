// include/athanor/core/device.h: where a tensor's storage lives.
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace athanor {

enum class DeviceType : uint8_t { kCPU, kCUDA };

/// A device: the CPU, or a CUDA GPU by index (reserved: no CUDA kernels exist yet, and any op on a
/// CUDA tensor throws "<op>: no kernel for device cuda:0").
struct Device {
  DeviceType type = DeviceType::kCPU;
  int index = 0;

  static constexpr Device cpu() { return {DeviceType::kCPU, 0}; }
  static constexpr Device cuda(int index = 0) { return {DeviceType::kCUDA, index}; }
  constexpr bool is_cpu() const { return type == DeviceType::kCPU; }
  friend constexpr bool operator==(Device, Device) = default;
};

inline constexpr Device kCPU = Device::cpu();

/// "cpu" or "cuda:0".
std::string to_string(Device d);

}  // namespace athanor

template <>
struct fmt::formatter<athanor::Device> : fmt::formatter<std::string> {
  auto format(athanor::Device d, format_context& ctx) const {
    return fmt::formatter<std::string>::format(athanor::to_string(d), ctx);
  }
};
