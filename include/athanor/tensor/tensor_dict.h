// include/athanor/tensor/tensor_dict.h: TensorDict, an insertion-ordered map from names to tensors
// (state dicts of modules and optimizers, checkpoint contents).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <athanor/tensor/tensor.h>

namespace athanor {

/// Names to tensors, iterated in insertion order (as PyTorch's OrderedDict state dicts).
/// Tensors are handles: the dict shares storage with whatever it was filled from.
class TensorDict {
 public:
  using Entry = std::pair<std::string, Tensor>;

  TensorDict() = default;
  TensorDict(std::initializer_list<Entry> entries);

  /// Adds a new entry; throws if `name` is already present.
  void insert(std::string name, Tensor tensor);
  /// Adds or replaces (keeping the original position when replacing).
  void set(std::string name, Tensor tensor);
  /// Removes `name` if present; returns whether it was.
  bool erase(std::string_view name);

  bool contains(std::string_view name) const;
  /// Throws "TensorDict: no tensor named 'x' (N entries)" when absent.
  const Tensor& at(std::string_view name) const;
  Tensor& at(std::string_view name);
  /// nullptr when absent.
  const Tensor* find(std::string_view name) const;

  std::vector<std::string> keys() const;
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Entry>::const_iterator end() const { return entries_.end(); }

 private:
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in entries_
};

}  // namespace athanor
