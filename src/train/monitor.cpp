// src/train/monitor.cpp: Monitor.
#include <cmath>
#include <limits>

#include <athanor/core/error.h>
#include <athanor/train/monitor.h>

namespace athanor::train {

Monitor::Monitor(std::string name, Mode mode, double min_delta)
    : name_(std::move(name)), min_delta_(std::abs(min_delta)) {
  ATHANOR_CHECK(!name_.empty(), "Monitor: expected the name of a logged value, got ''");
  if (mode == Mode::kAuto) {
    higher_ = false;
    for (const char* hint : {"acc", "auc", "f1", "precision", "recall", "r2"}) {
      higher_ |= name_.find(hint) != std::string::npos;
    }
  } else {
    higher_ = mode == Mode::kMax;
  }
}

double Monitor::worst() const {
  const double inf = std::numeric_limits<double>::infinity();
  return higher_ ? -inf : inf;
}

bool Monitor::improves(double current, double best) const {
  if (std::isnan(current)) return false;
  return higher_ ? current - min_delta_ > best : current + min_delta_ < best;
}

double Monitor::read(const Logs& logs, std::string_view who) const {
  const std::optional<double> value = logs.get(name_);
  ATHANOR_CHECK(value.has_value(),
                "{}: monitor '{}' is not in the logs (have: {}); a val_ value needs validation "
                "data",
                who, name_, logs.names());
  return *value;
}

}  // namespace athanor::train
