// include/athanor/train/logs.h: Logs (named values of one batch or epoch, in insertion order) and
// History (the Logs of every epoch of a fit).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace athanor::train {

/// Named numbers in the order they were first set, as Keras's logs dict: "loss", the metrics,
/// "val_loss", the validation metrics, "lr", "seconds". Printed and written in this order.
class Logs {
 public:
  using Entry = std::pair<std::string, double>;

  Logs() = default;
  Logs(std::initializer_list<Entry> entries);

  /// Sets `name` (appending it when new, keeping its position otherwise).
  void set(std::string_view name, double value);
  bool contains(std::string_view name) const;
  std::optional<double> get(std::string_view name) const;
  /// Throws "Logs: no value named 'x' (have: loss, accuracy)" when absent.
  double at(std::string_view name) const;
  /// The names, in order, joined by ", " (for error messages).
  std::string names() const;

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
};

/// What fit returns: one Logs per epoch run (epoch numbers counted from 0, as Trainer::epoch()).
struct History {
  std::vector<int64_t> epochs;
  std::vector<Logs> logs;

  /// The value of `name` for every epoch, e.g. history["val_loss"]. Throws naming the key and the
  /// keys present when an epoch lacks it.
  std::vector<double> operator[](std::string_view name) const;
  size_t size() const { return logs.size(); }
  bool empty() const { return logs.empty(); }
};

}  // namespace athanor::train
