// src/tensor/tensor_dict.cpp: TensorDict.
#include <athanor/core/error.h>
#include <athanor/tensor/tensor_dict.h>

namespace athanor {

TensorDict::TensorDict(std::initializer_list<Entry> entries) {
  for (const auto& [name, tensor] : entries) insert(name, tensor);
}

void TensorDict::insert(std::string name, Tensor tensor) {
  ATHANOR_CHECK(!index_.contains(name), "TensorDict: duplicate name '{}'", name);
  index_.emplace(name, entries_.size());
  entries_.emplace_back(std::move(name), std::move(tensor));
}

void TensorDict::set(std::string name, Tensor tensor) {
  if (auto it = index_.find(name); it != index_.end()) {
    entries_[it->second].second = std::move(tensor);
    return;
  }
  insert(std::move(name), std::move(tensor));
}

bool TensorDict::erase(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

bool TensorDict::contains(std::string_view name) const {
  return index_.contains(std::string(name));
}

const Tensor* TensorDict::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

const Tensor& TensorDict::at(std::string_view name) const {
  const Tensor* t = find(name);
  ATHANOR_CHECK(t != nullptr, "TensorDict: no tensor named '{}' ({} entries)", name,
                entries_.size());
  return *t;
}

Tensor& TensorDict::at(std::string_view name) {
  return const_cast<Tensor&>(std::as_const(*this).at(name));
}

std::vector<std::string> TensorDict::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

}  // namespace athanor
