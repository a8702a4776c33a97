// src/data/dataset.cpp: Dataset's defaults, collate, TensorDataset, Subset, ConcatDataset and
// TransformDataset.
#include <algorithm>

#include <athanor/core/error.h>
#include <athanor/data/dataset.h>
#include <athanor/ops/index.h>
#include <athanor/ops/join.h>

namespace athanor::data {

Batch Dataset::get_batch(std::span<const int64_t> indices) const {
  std::vector<Example> examples;
  examples.reserve(indices.size());
  for (int64_t i : indices) examples.push_back(get(i));
  return collate(examples);
}

void Dataset::set_epoch(int64_t /*epoch*/) const {}

Batch collate(const std::vector<Example>& examples) {
  ATHANOR_CHECK(!examples.empty(), "collate: expected at least one example, got none");
  const Example& first = examples.front();
  ATHANOR_CHECK(first.input.defined(), "collate: example 0 has no input");
  std::vector<Tensor> inputs;
  std::vector<Tensor> targets;
  inputs.reserve(examples.size());
  targets.reserve(examples.size());
  for (size_t k = 0; k < examples.size(); ++k) {
    const Example& e = examples[k];
    ATHANOR_CHECK(e.input.defined() && e.input.shape() == first.input.shape(),
                  "collate: example {} has input shape {} but example 0 has {}; expected every "
                  "input to have one shape",
                  k, e.input.defined() ? to_string(e.input.shape()) : "undefined",
                  first.input.shape());
    ATHANOR_CHECK(e.target.defined() == first.target.defined(),
                  "collate: example {} {} a target but example 0 {}", k,
                  e.target.defined() ? "has" : "has no",
                  first.target.defined() ? "has" : "has none");
    if (e.target.defined()) {
      ATHANOR_CHECK(e.target.shape() == first.target.shape(),
                    "collate: example {} has target shape {} but example 0 has {}; expected "
                    "every target to have one shape",
                    k, e.target.shape(), first.target.shape());
      targets.push_back(e.target.detach());
    }
    inputs.push_back(e.input.detach());
  }
  Batch batch{stack(inputs).contiguous(), Tensor()};
  if (!targets.empty()) batch.target = stack(targets).contiguous();
  return batch;
}

// ---- TensorDataset ----

TensorDataset::TensorDataset(Tensor inputs, Tensor targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  ATHANOR_CHECK(inputs_.defined() && inputs_.dim() >= 1,
                "TensorDataset: inputs must have at least one dimension (the examples)");
  ATHANOR_CHECK(
      !targets_.defined() || (targets_.dim() >= 1 && targets_.shape(0) == inputs_.shape(0)),
      "TensorDataset: inputs {} and targets {} differ in their number of examples", inputs_.shape(),
      targets_.defined() ? to_string(targets_.shape()) : "undefined");
}

int64_t TensorDataset::size() const { return inputs_.shape(0); }

Example TensorDataset::get(int64_t i) const {
  ATHANOR_CHECK(i >= 0 && i < size(), "TensorDataset: index {} is out of range for {} examples", i,
                size());
  return {inputs_.select(0, i), targets_.defined() ? targets_.select(0, i) : Tensor()};
}

Batch TensorDataset::get_batch(std::span<const int64_t> indices) const {
  ATHANOR_CHECK(!indices.empty(), "TensorDataset: get_batch expected at least one index, got none");
  for (int64_t i : indices) {
    ATHANOR_CHECK(i >= 0 && i < size(), "TensorDataset: index {} is out of range for {} examples",
                  i, size());
  }
  const Tensor index = Tensor::from(std::vector<int64_t>(indices.begin(), indices.end()),
                                    Shape{static_cast<int64_t>(indices.size())});
  Batch batch{index_select(inputs_.detach(), 0, index).contiguous(), Tensor()};
  if (targets_.defined()) batch.target = index_select(targets_.detach(), 0, index).contiguous();
  return batch;
}

// ---- Subset ----

Subset::Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  ATHANOR_CHECK(dataset_ != nullptr, "Subset: expected a dataset, got a null pointer");
  const int64_t n = dataset_->size();
  for (size_t k = 0; k < indices_.size(); ++k) {
    ATHANOR_CHECK(indices_[k] >= 0 && indices_[k] < n,
                  "Subset: index {} (position {}) is out of range for a dataset of {} examples",
                  indices_[k], k, n);
  }
}

int64_t Subset::size() const { return static_cast<int64_t>(indices_.size()); }

Example Subset::get(int64_t i) const {
  ATHANOR_CHECK(i >= 0 && i < size(), "Subset: index {} is out of range for {} examples", i,
                size());
  return dataset_->get(indices_[static_cast<size_t>(i)]);
}

Batch Subset::get_batch(std::span<const int64_t> indices) const {
  std::vector<int64_t> mapped;
  mapped.reserve(indices.size());
  for (int64_t i : indices) {
    ATHANOR_CHECK(i >= 0 && i < size(), "Subset: index {} is out of range for {} examples", i,
                  size());
    mapped.push_back(indices_[static_cast<size_t>(i)]);
  }
  return dataset_->get_batch(mapped);
}

void Subset::set_epoch(int64_t epoch) const { dataset_->set_epoch(epoch); }

// ---- ConcatDataset ----

ConcatDataset::ConcatDataset(std::vector<std::shared_ptr<const Dataset>> datasets)
    : datasets_(std::move(datasets)) {
  ATHANOR_CHECK(!datasets_.empty(), "ConcatDataset: expected at least one dataset, got none");
  int64_t end = 0;
  for (size_t k = 0; k < datasets_.size(); ++k) {
    ATHANOR_CHECK(datasets_[k] != nullptr, "ConcatDataset: dataset {} is a null pointer", k);
    end += datasets_[k]->size();
    ends_.push_back(end);
  }
}

int64_t ConcatDataset::size() const { return ends_.back(); }

Example ConcatDataset::get(int64_t i) const {
  ATHANOR_CHECK(i >= 0 && i < size(), "ConcatDataset: index {} is out of range for {} examples", i,
                size());
  const auto k =
      static_cast<size_t>(std::upper_bound(ends_.begin(), ends_.end(), i) - ends_.begin());
  const int64_t start = k == 0 ? 0 : ends_[k - 1];
  return datasets_[k]->get(i - start);
}

void ConcatDataset::set_epoch(int64_t epoch) const {
  for (const auto& d : datasets_) d->set_epoch(epoch);
}

// ---- TransformDataset ----

uint64_t example_seed(uint64_t seed, int64_t epoch, int64_t index) {
  const auto words = philox4x32(seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(index));
  return (static_cast<uint64_t>(words[1]) << 32) | words[0];
}

TransformDataset::TransformDataset(std::shared_ptr<const Dataset> dataset,
                                   Transform input_transform, Transform target_transform,
                                   uint64_t seed)
    : dataset_(std::move(dataset)),
      input_transform_(std::move(input_transform)),
      target_transform_(std::move(target_transform)),
      seed_(seed) {
  ATHANOR_CHECK(dataset_ != nullptr, "TransformDataset: expected a dataset, got a null pointer");
}

int64_t TransformDataset::size() const { return dataset_->size(); }

Example TransformDataset::get(int64_t i) const {
  Example e = dataset_->get(i);
  Generator gen(example_seed(seed_, epoch(), i));
  if (input_transform_) e.input = input_transform_(e.input, gen);
  if (target_transform_ && e.target.defined()) e.target = target_transform_(e.target, gen);
  return e;
}

void TransformDataset::set_epoch(int64_t epoch) const {
  epoch_.store(epoch, std::memory_order_relaxed);
  dataset_->set_epoch(epoch);
}

int64_t TransformDataset::epoch() const { return epoch_.load(std::memory_order_relaxed); }

}  // namespace athanor::data
