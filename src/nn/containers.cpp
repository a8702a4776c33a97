// src/nn/containers.cpp: Sequential, ModuleList, Residual and ResNet's basic block.
#include <string>
#include <typeinfo>

#include <athanor/core/error.h>
#include <athanor/nn/activation.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/conv.h>
#include <athanor/nn/linear.h>
#include <athanor/nn/normalization.h>
#include <athanor/nn/pooling.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/conv.h>

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
  // Two rewrites, each giving the same bits as the modules one after another, and neither
  // while summary() records each layer's output shape:
  // - ReLU then MaxPool2d runs as MaxPool2d then ReLU: max(relu(S)) = relu(max(S)) for any
  //   window S, and both orders send a window's gradient to the same element (its first
  //   maximum, scaled by 1 where that maximum is positive, else 0), NaN included. The ReLU and
  //   its backward pass then touch a quarter of the elements (2x2 windows).
  // - Conv2d then MaxPool2d (a ReLU between them moved after the pool) runs as one op,
  //   conv2d_max_pool2d, which on the CPU never stores a first layer's convolution output.
  // - Linear then ReLU runs as linear_relu: the ReLU in place on the product's output, and its
  //   mask applied in the same backward node.
  const bool rewrite = detail::active_summary_recorder() == nullptr;
  const size_t n = modules_.size();
  auto is_at = [&]<typename M>(size_t i) { return i < n && is_exactly<M>(*modules_[i]); };
  Tensor y = x;
  for (size_t i = 0; i < n; ++i) {
    if (rewrite && is_at.template operator()<Conv2d>(i)) {
      const bool relu = is_at.template operator()<ReLU>(i + 1);
      const size_t pool_at = relu ? i + 2 : i + 1;
      if (is_at.template operator()<MaxPool2d>(pool_at)) {
        const auto& conv = static_cast<const Conv2d&>(*modules_[i]);
        const auto& pool = static_cast<const MaxPool2d&>(*modules_[pool_at]);
        const Conv2dOptions& c = conv.options();
        const MaxPool2dOptions& m = pool.options();
        y = conv2d_max_pool2d(y, conv.weight, conv.bias, c.stride.array(), c.padding.array(),
                              c.dilation.array(), c.groups, pool.kernel_size().array(),
                              m.stride.array(), m.padding.array(), m.dilation.array(), m.ceil_mode);
        if (relu) y = (*modules_[i + 1])(y);
        i = pool_at;
        continue;
      }
    }
    if (rewrite && is_at.template operator()<Linear>(i) && is_at.template operator()<ReLU>(i + 1)) {
      y = static_cast<Linear&>(*modules_[i]).forward_relu(y);
      ++i;
      continue;
    }
    if (rewrite && is_at.template operator()<ReLU>(i) &&
        is_at.template operator()<MaxPool2d>(i + 1)) {
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
