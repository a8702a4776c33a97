// src/autograd/anomaly_mode.cpp: the process-wide anomaly detection switch.
#include <atomic>

#include <athanor/autograd/anomaly_mode.h>

namespace athanor {
namespace {
std::atomic<bool> anomaly_enabled{false};
}

bool is_anomaly_enabled() { return anomaly_enabled.load(std::memory_order_relaxed); }
void set_detect_anomaly(bool enabled) { anomaly_enabled.store(enabled, std::memory_order_relaxed); }

}  // namespace athanor
