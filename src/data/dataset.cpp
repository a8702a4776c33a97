// src/data/dataset.cpp: TensorDataset.
#include <athanor/core/error.h>
#include <athanor/data/dataset.h>

namespace athanor::data {

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

}  // namespace athanor::data
