// src/nn/summary.cpp: Module::summary, a Keras-like table of layers, output shapes and parameter
// counts, recorded by running one forward pass on zeros.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/nn/module.h>

#include "nn/summary_recorder.h"

namespace athanor::nn {

namespace detail {
namespace {
thread_local SummaryRecorder* g_recorder = nullptr;
}  // namespace

SummaryRecorder* active_summary_recorder() { return g_recorder; }

}  // namespace detail

namespace {

struct Row {
  std::string layer;
  std::string shape;
  int64_t params;
};

// Rows for leaf modules (those without submodules) in the order they ran; a layer called twice
// gets two rows, its parameters counted on the first.
class TableRecorder : public detail::SummaryRecorder {
 public:
  explicit TableRecorder(std::unordered_map<const Module*, std::string> names)
      : names_(std::move(names)) {}

  void record(Module& module, const Tensor& output) override {
    if (!module.named_children().empty()) return;
    auto it = names_.find(&module);
    const std::string name = it == names_.end() ? "?" : it->second;
    const bool first = counted_.insert(&module).second;
    rows.push_back({fmt::format("{} ({})", name, module.type_name()),
                    fmt::format("{}", output.shape()), first ? module.num_parameters() : 0});
  }

  std::vector<Row> rows;

 private:
  std::unordered_map<const Module*, std::string> names_;
  std::unordered_set<const Module*> counted_;
};

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string Module::summary(const Shape& input_shape, DType dtype) {
  std::unordered_map<const Module*, std::string> names;
  for (auto& [name, m] : named_modules()) names.emplace(m, name.empty() ? type_name() : name);
  TableRecorder recorder(std::move(names));

  const bool was_training = is_training();
  eval();
  ATHANOR_CHECK(detail::g_recorder == nullptr, "summary: already running on this thread");
  detail::g_recorder = &recorder;
  try {
    NoGradGuard no_grad;
    (*this)(zeros(input_shape, dtype));
  } catch (...) {
    detail::g_recorder = nullptr;
    train(was_training);
    throw;
  }
  detail::g_recorder = nullptr;
  train(was_training);

  size_t w_layer = std::string_view("Layer (type)").size();
  size_t w_shape = std::string_view("Output shape").size();
  for (const Row& r : recorder.rows) {
    w_layer = std::max(w_layer, r.layer.size());
    w_shape = std::max(w_shape, r.shape.size());
  }
  const int64_t total = num_parameters();
  const int64_t trainable = num_parameters(true);
  const size_t width = w_layer + w_shape + 4 + std::max<size_t>(7, with_commas(total).size());
  std::string out;
  out += fmt::format("{:<{}}  {:<{}}  {}\n", "Layer (type)", w_layer, "Output shape", w_shape,
                     "Param #");
  out += std::string(width, '=') + "\n";
  for (const Row& r : recorder.rows)
    out += fmt::format("{:<{}}  {:<{}}  {}\n", r.layer, w_layer, r.shape, w_shape,
                       with_commas(r.params));
  out += std::string(width, '=') + "\n";
  out += fmt::format("Total params: {}\n", with_commas(total));
  out += fmt::format("Trainable params: {}\n", with_commas(trainable));
  out += fmt::format("Non-trainable params: {}\n", with_commas(total - trainable));
  return out;
}

}  // namespace athanor::nn
