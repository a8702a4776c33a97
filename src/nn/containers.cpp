// src/nn/containers.cpp: Sequential, ModuleList, Residual and ResNet's basic block.
#include <string>
#include <typeinfo>

#include <athanor/core/error.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/normalization.h>
#include <athanor/nn/pooling.h>
#include <athanor/ops/binary.h>

#include "nn/summary_recorder.h"

namespace athanor::nn {

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) append(std::move(m));
}

void Sequential::append(std::shared_ptr<Module> module) {
  add_child(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Module& Sequential::operator[](size_t i) const {
  ATHANOR_CHECK(i < modules_.size(), "Sequential: index {} is out of range for {} modules", i,
                modules_.size());
  return *modules_[i];
}

namespace {

// Whether the module is exactly an M (not a subclass, which may compute something else).
template <typename M>
bool is_exactly(const Module& m) {
  return typeid(m) == typeid(M);
}

}  // namespace

Tensor Sequential::forward(const Tensor& x) {
  // ReLU then MaxPool2d runs as MaxPool2d then ReLU: max(relu(S)) = relu(max(S)) for any window
  // S, and both orders send a window's gradient to the same element (its first maximum, scaled
  // by 1 where that maximum is positive, else 0), NaN included. So the values and gradients are
  // the same bits, while the ReLU and its backward pass touch a quarter of the elements (2x2
  // windows). Not while summary() records each layer's output shape.
  const bool reorder = detail::active_summary_recorder() == nullptr;
  Tensor y = x;
  for (size_t i = 0; i < modules_.size(); ++i) {
    if (reorder && i + 1 < modules_.size() && is_exactly<ReLU>(*modules_[i]) &&
        is_exactly<MaxPool2d>(*modules_[i + 1])) {
      y = (*modules_[i])((*modules_[i + 1])(y));
      ++i;
    } else {
      y = (*modules_[i])(y);
    }
  }
  return y;
}

ModuleList::ModuleList(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) append(std::move(m));
}

void ModuleList::append(std::shared_ptr<Module> module) {
  add_child(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Module& ModuleList::operator[](size_t i) const {
  ATHANOR_CHECK(i < modules_.size(), "ModuleList: index {} is out of range for {} modules", i,
                modules_.size());
  return *modules_[i];
}

Tensor ModuleList::forward(const Tensor&) {
  ATHANOR_CHECK(false, "ModuleList has no forward: call its modules in your own module's forward");
  return {};
}

Tensor Residual::forward(const Tensor& x) {
  Tensor y = (*body_)(x);
  Tensor s = shortcut_ ? (*shortcut_)(x) : x;
  ATHANOR_CHECK(y.shape() == s.shape(),
                "Residual: the body's output {} and the shortcut's {} differ; give a shortcut "
                "that maps the input to the body's output shape",
                y.shape(), s.shape());
  return y + s;
}

Sequential basic_block(int64_t in_channels, int64_t out_channels, int64_t stride) {
  Sequential body{
      Conv2d(in_channels, out_channels, 3, {.stride = stride, .padding = 1, .bias = false}),
      BatchNorm2d(out_channels), ReLU(),
      Conv2d(out_channels, out_channels, 3, {.padding = 1, .bias = false}),
      BatchNorm2d(out_channels)};
  if (stride == 1 && in_channels == out_channels) return Sequential{Residual(body), ReLU()};
  Sequential shortcut{Conv2d(in_channels, out_channels, 1, {.stride = stride, .bias = false}),
                      BatchNorm2d(out_channels)};
  return Sequential{Residual(body, shortcut), ReLU()};
}

}  // namespace athanor::nn
