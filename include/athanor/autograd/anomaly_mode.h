// include/athanor/autograd/anomaly_mode.h: anomaly detection, PyTorch's detect_anomaly: backward
// checks every gradient it computes and names the op whose backward first produced NaN or inf.
#pragma once

namespace athanor {

/// Whether backward checks each gradient for NaN and infinity (off by default: it reads every
/// gradient once more). Process-wide, as PyTorch's.
bool is_anomaly_enabled();
void set_detect_anomaly(bool enabled);

/// Turns anomaly detection on for its lifetime, restoring the previous setting on exit.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard() : previous_(is_anomaly_enabled()) { set_detect_anomaly(true); }
  ~DetectAnomalyGuard() { set_detect_anomaly(previous_); }
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace athanor
