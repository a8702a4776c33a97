// src/metrics/inputs.h: reading a batch's output and target for the metrics: shape and value
// checks, predicted classes, and the shared error messages.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <athanor/metrics/classification.h>
#include <athanor/tensor/tensor.h>

namespace athanor::metrics::detail {

/// A batch of classification results: predicted and true class per example.
struct ClassBatch {
  std::vector<int64_t> predicted;
  std::vector<int64_t> truth;
  int64_t num_classes = 0;  // C of output [N, C], or 2 for binary outputs
};

/// True for binary outputs [N] and [N, 1]; false for class scores [N, C] with C >= 2; throws for
/// any other shape.
bool is_binary_output(std::string_view op, const Tensor& output);

/// Predicted classes (argmax, or threshold for binary outputs) and checked targets.
ClassBatch class_batch(std::string_view op, const Tensor& output, const Tensor& target,
                       const BinaryOptions& binary);

/// The targets of output [N, ...] as class indices in [0, num_classes), checked: shape [N] or
/// [N, 1], whole numbers, in range.
std::vector<int64_t> class_targets(std::string_view op, const Tensor& output, const Tensor& target,
                                   int64_t num_classes);

/// Throws unless both tensors are defined.
void check_defined(std::string_view op, const Tensor& output, const Tensor& target);

/// Throws unless threshold is usable with from_logits (0 < threshold < 1 then).
void check_binary_options(std::string_view op, const BinaryOptions& binary);

/// The error of compute() before any example.
[[noreturn]] void throw_nothing_seen(std::string_view op);

}  // namespace athanor::metrics::detail
