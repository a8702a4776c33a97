// src/nn/summary_recorder.h: the hook through which Module::operator() reports each layer's
// output while summary() runs a forward pass.
#pragma once

#include <athanor/nn/module.h>

namespace athanor::nn::detail {

class SummaryRecorder {
 public:
  virtual ~SummaryRecorder() = default;
  virtual void record(Module& module, const Tensor& output) = 0;
};

/// The recorder of the summary running on this thread, or null.
SummaryRecorder* active_summary_recorder();

}  // namespace athanor::nn::detail
