// include/athanor/data/dataset.h: Dataset, the interface every data source implements, and
// TensorDataset, examples held in two tensors.
#pragma once

#include <cstdint>

#include <athanor/tensor/tensor.h>

namespace athanor::data {

/// One example: an input and its target (undefined when there is none, e.g. for prediction).
struct Example {
  Tensor input;
  Tensor target;
};

/// A finite, indexable collection of examples. get() must be safe to call from several threads
/// at once (the DataLoader's workers) and return the same example for the same index.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  /// Example i, 0 <= i < size().
  virtual Example get(int64_t i) const = 0;
};

/// Examples along dim 0 of `inputs` [N, ...] and `targets` [N, ...] (or undefined targets).
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor inputs, Tensor targets = Tensor());
  int64_t size() const override;
  Example get(int64_t i) const override;
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_;
  Tensor targets_;
};

}  // namespace athanor::data
