// src/metrics/metric.cpp: MetricList.
#include <athanor/metrics/metric.h>

namespace athanor::metrics {

MetricList::MetricList(const MetricList& other) {
  metrics_.reserve(other.metrics_.size());
  for (const auto& m : other.metrics_) metrics_.push_back(m->clone());
}

MetricList& MetricList::operator=(const MetricList& other) {
  if (this != &other) *this = MetricList(other);
  return *this;
}

void MetricList::push_back(std::unique_ptr<Metric> metric) {
  ATHANOR_CHECK(metric != nullptr, "MetricList::push_back: got a null metric");
  metrics_.push_back(std::move(metric));
}

Metric& MetricList::operator[](size_t i) {
  ATHANOR_CHECK(i < metrics_.size(), "MetricList: index {} is out of range for {} metrics", i,
                metrics_.size());
  return *metrics_[i];
}

const Metric& MetricList::operator[](size_t i) const {
  ATHANOR_CHECK(i < metrics_.size(), "MetricList: index {} is out of range for {} metrics", i,
                metrics_.size());
  return *metrics_[i];
}

void MetricList::update(const Tensor& output, const Tensor& target) {
  for (auto& m : metrics_) m->update(output, target);
}

void MetricList::reset() {
  for (auto& m : metrics_) m->reset();
}

std::vector<std::string> MetricList::names() const {
  std::vector<std::string> names;
  names.reserve(metrics_.size());
  for (const auto& m : metrics_) names.push_back(m->name());
  return names;
}

}  // namespace athanor::metrics
