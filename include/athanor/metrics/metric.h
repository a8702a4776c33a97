// include/athanor/metrics/metric.h: Metric, the streaming-metric interface (update, compute,
// reset), and MetricList, metrics held by value in a brace list.
#pragma once

#include <concepts>
#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor::metrics {

/// A streaming metric: update() with each batch, compute() over everything since reset().
///
///   metrics::Accuracy acc;
///   for (auto& [x, y] : loader) acc.update(model(x), y);
///   double a = acc.compute();  // over every batch since construction or reset()
///
/// Metrics read their inputs' values only (no autograd is recorded, whatever the grad mode) and
/// accumulate in double, so updating in several batches gives the same value as one update with
/// everything, whatever the split. compute() leaves the state unchanged.
class Metric {
 public:
  virtual ~Metric() = default;
  /// output: the model's output for a batch (class scores/logits/probabilities [N, C], binary
  /// scores [N] or [N, 1], or regression values of target's shape); target: int64 class indices
  /// [N] (or float 0/1 for binary), or float regression targets. No autograd is recorded.
  virtual void update(const Tensor& output, const Tensor& target) = 0;
  /// The metric over every example since reset(); throws if nothing was seen.
  virtual double compute() const = 0;
  /// Forgets every example seen (options are kept).
  virtual void reset() = 0;
  /// The key used in logs and History, Keras-like: "accuracy", "top_5_accuracy", "precision",
  /// "recall", "f1", "auc", "mse", "rmse", "mae", "r2", or the `name` option when set.
  virtual std::string name() const = 0;
  /// True if larger is better (for checkpoint/early-stopping defaults).
  virtual bool higher_is_better() const = 0;
  /// A fresh, reset copy with the same options (the Trainer keeps separate train/val copies).
  virtual std::unique_ptr<Metric> clone() const = 0;
};

namespace detail {
/// A metric passed by value (copied or moved into the list) or already owned.
template <typename M>
concept MetricArgument = std::derived_from<std::remove_cvref_t<M>, Metric> ||
    std::convertible_to<M, std::unique_ptr<Metric>>;
}  // namespace detail

/// Metrics by value in a brace list: `MetricList{Accuracy(), F1({.average = Average::Macro})}`.
/// A function taking a MetricList accepts `{Accuracy(), MSE()}` (the constructor is deliberately
/// not explicit). Copies hold fresh clones (Metric::clone(): same options, nothing seen); moves
/// keep the metrics and their state. Iterating gives Metric&.
class MetricList {
 public:
  MetricList() = default;
  template <detail::MetricArgument... Ms>
  requires(sizeof...(Ms) > 0)
      MetricList(Ms&&... metrics) {  // NOLINT(google-explicit-constructor): brace lists by design
    metrics_.reserve(sizeof...(Ms));
    (push_back(std::forward<Ms>(metrics)), ...);
  }
  MetricList(const MetricList& other);
  MetricList& operator=(const MetricList& other);
  MetricList(MetricList&&) noexcept = default;
  MetricList& operator=(MetricList&&) noexcept = default;
  ~MetricList() = default;

  /// Appends a copy of (or moves in) a concrete metric; a Metric seen only through its base
  /// class is appended as its clone() (fresh).
  template <typename M>
  requires std::derived_from<std::remove_cvref_t<M>, Metric>
  void push_back(M&& metric) {
    using T = std::remove_cvref_t<M>;
    if constexpr (std::is_abstract_v<T>) {
      metrics_.push_back(metric.clone());
    } else {
      metrics_.push_back(std::make_unique<T>(std::forward<M>(metric)));
    }
  }
  /// Takes ownership; throws on a null pointer.
  void push_back(std::unique_ptr<Metric> metric);

  size_t size() const { return metrics_.size(); }
  bool empty() const { return metrics_.empty(); }
  /// The i-th metric; throws when i >= size().
  Metric& operator[](size_t i);
  const Metric& operator[](size_t i) const;

  /// update() on every metric with the same batch.
  void update(const Tensor& output, const Tensor& target);
  /// reset() on every metric.
  void reset();
  /// Every metric's name(), in order.
  std::vector<std::string> names() const;

  template <bool Const>
  class Iterator {
   public:
    using Inner = std::conditional_t<Const, std::vector<std::unique_ptr<Metric>>::const_iterator,
                                     std::vector<std::unique_ptr<Metric>>::iterator>;
    using iterator_category = std::forward_iterator_tag;
    using value_type = Metric;
    using difference_type = std::ptrdiff_t;
    using reference = std::conditional_t<Const, const Metric&, Metric&>;
    using pointer = std::conditional_t<Const, const Metric*, Metric*>;

    Iterator() = default;
    explicit Iterator(Inner it) : it_(it) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return it_->get(); }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++it_;
      return old;
    }
    bool operator==(const Iterator& other) const { return it_ == other.it_; }

   private:
    Inner it_{};
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  iterator begin() { return iterator(metrics_.begin()); }
  iterator end() { return iterator(metrics_.end()); }
  const_iterator begin() const { return const_iterator(metrics_.cbegin()); }
  const_iterator end() const { return const_iterator(metrics_.cend()); }

 private:
  std::vector<std::unique_ptr<Metric>> metrics_;
};

}  // namespace athanor::metrics
