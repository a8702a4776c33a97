// include/athanor/data/dataset.h: Dataset, the interface every data source implements; Batch;
// TensorDataset (examples held in two tensors) and the decorators Subset, ConcatDataset and
// TransformDataset.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>

namespace athanor::data {

/// One example: an input and its target (undefined when there is none, e.g. for prediction).
struct Example {
  Tensor input;
  Tensor target;
};

/// Examples stacked along a new dim 0: input [B, ...], target [B, ...] (or undefined), both
/// contiguous.
struct Batch {
  Tensor input;
  Tensor target;
};

/// A finite, indexable collection of examples. get() and get_batch() must be safe to call from
/// several threads at once (the DataLoader's workers) and return the same example for the same
/// index (and epoch, see set_epoch).
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  /// Example i, 0 <= i < size().
  virtual Example get(int64_t i) const = 0;
  /// The examples `indices`, stacked. The default stacks get(i); datasets that can gather a batch
  /// at once (TensorDataset: one index_select) override it.
  virtual Batch get_batch(std::span<const int64_t> indices) const;
  /// Tells datasets whose examples vary by epoch (random augmentation) which epoch is running;
  /// decorators pass it on to the datasets they wrap. The DataLoader calls it before an epoch's
  /// first get(), never while workers are reading. A no-op by default. It is const because the
  /// epoch is iteration state, not content: the loader holds its dataset as const.
  virtual void set_epoch(int64_t epoch) const;
};

/// Stacks examples into a Batch (contiguous; targets undefined if the examples have none).
/// Throws, naming the first example that differs, when shapes or target presence differ.
Batch collate(const std::vector<Example>& examples);

/// Examples along dim 0 of `inputs` [N, ...] and `targets` [N, ...] (or undefined targets).
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor inputs, Tensor targets = Tensor());
  int64_t size() const override;
  Example get(int64_t i) const override;
  /// One index_select per tensor instead of stacking examples one by one.
  Batch get_batch(std::span<const int64_t> indices) const override;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_;
  Tensor targets_;
};

/// The examples `indices` of `dataset`, in that order (indices may repeat).
class Subset : public Dataset {
 public:
  Subset(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices);
  int64_t size() const override;
  Example get(int64_t i) const override;
  /// Maps the indices and asks the wrapped dataset for the whole batch (keeps its fast path).
  Batch get_batch(std::span<const int64_t> indices) const override;
  void set_epoch(int64_t epoch) const override;
  const std::vector<int64_t>& indices() const { return indices_; }
  const std::shared_ptr<const Dataset>& dataset() const { return dataset_; }

 private:
  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> indices_;
};

/// The datasets one after another: example i of the whole is example i - offset of the dataset
/// holding it.
class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<std::shared_ptr<const Dataset>> datasets);
  int64_t size() const override;
  Example get(int64_t i) const override;
  void set_epoch(int64_t epoch) const override;

 private:
  std::vector<std::shared_ptr<const Dataset>> datasets_;
  std::vector<int64_t> ends_;  // ends_[k]: one past the last global index of datasets_[k]
};

/// A transform of one input or target. `gen` is seeded from (seed, epoch, index) of the example
/// (see TransformDataset), so random augmentation is reproducible; deterministic transforms
/// ignore it.
using Transform = std::function<Tensor(const Tensor& x, Generator& gen)>;

/// Seed of the generator for example `index` in epoch `epoch`: a Philox hash of the three, so
/// streams for different (seed, epoch, index) do not overlap in any simple way.
uint64_t example_seed(uint64_t seed, int64_t epoch, int64_t index);

/// Applies `input_transform` to inputs and `target_transform` to targets (either may be empty:
/// identity) of `dataset`'s examples, as they are read (Flashlight's TransformDataset). Each get(i)
/// gives both transforms one Generator seeded with example_seed(seed, epoch, i) (input first),
/// so the same (seed, epoch, index) always gives the same example, whatever thread reads it.
class TransformDataset : public Dataset {
 public:
  TransformDataset(std::shared_ptr<const Dataset> dataset, Transform input_transform,
                   Transform target_transform = nullptr, uint64_t seed = 0);
  int64_t size() const override;
  Example get(int64_t i) const override;
  /// Records the epoch for the generators and passes it on.
  void set_epoch(int64_t epoch) const override;
  int64_t epoch() const;

 private:
  std::shared_ptr<const Dataset> dataset_;
  Transform input_transform_;
  Transform target_transform_;
  uint64_t seed_;
  mutable std::atomic<int64_t> epoch_{0};
};

}  // namespace athanor::data
