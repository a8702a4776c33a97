// src/metrics/inputs.cpp: reading a batch's output and target for the metrics.
#include "metrics/inputs.h"

#include <cmath>

namespace athanor::metrics::detail {

void check_defined(std::string_view op, const Tensor& output, const Tensor& target) {
  ATHANOR_CHECK(output.defined() && target.defined(),
                "{}: got an undefined {} tensor; expected the batch's output and target", op,
                output.defined() ? "target" : "output");
}

void check_binary_options(std::string_view op, const BinaryOptions& binary) {
  ATHANOR_CHECK(!binary.from_logits || (binary.threshold > 0 && binary.threshold < 1),
                "{}: threshold {} with from_logits; expected a probability 0 < threshold < 1", op,
                binary.threshold);
  ATHANOR_CHECK(!std::isnan(binary.threshold), "{}: threshold is NaN; expected a number", op);
}

[[noreturn]] void throw_nothing_seen(std::string_view op) {
  throw Error(fmt::format(
      "{}: compute() called with no examples seen since reset(); call update() first", op));
}

bool is_binary_output(std::string_view op, const Tensor& output) {
  const int rank = output.dim();
  ATHANOR_CHECK(rank == 1 || rank == 2,
                "{}: output has shape {}; expected class scores [N, C] or binary scores [N] or "
                "[N, 1]",
                op, output.shape());
  return rank == 1 || output.shape(1) == 1;
}

std::vector<int64_t> class_targets(std::string_view op, const Tensor& output, const Tensor& target,
                                   int64_t num_classes) {
  const int64_t n = output.shape(0);
  const bool shape_ok = (target.dim() == 1 && target.shape(0) == n) ||
                        (target.dim() == 2 && target.shape(0) == n && target.shape(1) == 1);
  ATHANOR_CHECK(shape_ok,
                "{}: output has shape {} and target has shape {}; expected target of shape [{}] "
                "(one class index per example)",
                op, output.shape(), target.shape(), n);
  std::vector<int64_t> classes;
  if (target.is_floating_point()) {
    const std::vector<double> values = target.to_vector<double>();
    classes.reserve(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      ATHANOR_CHECK(std::isfinite(values[i]) && values[i] == std::floor(values[i]),
                    "{}: target holds {} at index {}; expected class indices (whole numbers)", op,
                    values[i], i);
      ATHANOR_CHECK(values[i] >= 0 && values[i] < static_cast<double>(num_classes),
                    "{}: target class {} at index {} is out of range for {} classes (output "
                    "shape {}); expected 0 <= target < {}",
                    op, values[i], i, num_classes, output.shape(), num_classes);
      classes.push_back(static_cast<int64_t>(values[i]));
    }
  } else {
    classes = target.to_vector<int64_t>();
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    ATHANOR_CHECK(classes[i] >= 0 && classes[i] < num_classes,
                  "{}: target class {} at index {} is out of range for {} classes (output shape "
                  "{}); expected 0 <= target < {}",
                  op, classes[i], i, num_classes, output.shape(), num_classes);
  }
  return classes;
}

ClassBatch class_batch(std::string_view op, const Tensor& output, const Tensor& target,
                       const BinaryOptions& binary) {
  check_defined(op, output, target);
  ClassBatch batch;
  const bool binary_output = is_binary_output(op, output);
  const std::vector<double> scores = output.to_vector<double>();
  if (binary_output) {
    batch.num_classes = 2;
    // sigmoid(x) >= t  <=>  x >= log(t / (1 - t)), exactly (0 for t = 0.5), without rounding
    // sigmoid(x) to 1 for large x.
    const double cut =
        binary.from_logits ? std::log(binary.threshold / (1 - binary.threshold)) : binary.threshold;
    batch.predicted.reserve(scores.size());
    for (const double s : scores) batch.predicted.push_back(s >= cut ? 1 : 0);
  } else {
    const int64_t n = output.shape(0);
    const int64_t c = output.shape(1);
    batch.num_classes = c;
    batch.predicted.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const double* row = scores.data() + i * c;
      int64_t best = 0;  // the first maximum, as argmax in NumPy and PyTorch
      for (int64_t j = 1; j < c; ++j) {
        if (row[j] > row[best]) best = j;
      }
      batch.predicted[static_cast<size_t>(i)] = best;
    }
  }
  batch.truth = class_targets(op, output, target, batch.num_classes);
  return batch;
}

}  // namespace athanor::metrics::detail
