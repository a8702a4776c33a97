// include/athanor/nn/containers.h: Sequential, ModuleList and Residual, the modules that hold
// other modules.
#pragma once

#include <memory>
#include <vector>

#include <athanor/nn/module.h>

namespace athanor::nn {

/// Runs its modules one after another; they are named "0", "1", ... as in PyTorch, so
/// state-dict keys read "0.weight". Built from modules (copied into shared ownership) or
/// shared_ptrs: Sequential model{Flatten(), Linear(784, 10)}. Two rewrites keep the values and
/// gradients bit for bit (not under summary()): a ReLU directly followed by a MaxPool2d runs after
/// it, on the pooled tensor; a Conv2d followed by a MaxPool2d runs as conv2d_max_pool2d.
class Sequential : public Module {
 public:
  Sequential() = default;
  template <typename... M>
  requires(sizeof...(M) > 0 &&
           !(sizeof...(M) == 1 && (std::is_base_of_v<Sequential, std::decay_t<M>> &&
                                   ...))) explicit(false) Sequential(M&&... modules) {
    (push_back(make_shared_module(std::forward<M>(modules))), ...);
  }
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);

  /// Appends a module (named by its position).
  template <typename M>
  Sequential& push_back(M&& module) {
    append(make_shared_module(std::forward<M>(module)));
    return *this;
  }

  size_t size() const { return modules_.size(); }
  Module& operator[](size_t i) const;
  /// The module at position i as its concrete type; throws if it is not an M.
  template <typename M>
  M& at(size_t i) const {
    auto* m = dynamic_cast<M*>(&(*this)[i]);
    ATHANOR_CHECK(m != nullptr, "Sequential::at: module {} is a {}", i, (*this)[i].type_name());
    return *m;
  }

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }

 private:
  void append(std::shared_ptr<Module> module);
  std::vector<std::shared_ptr<Module>> modules_;
};

/// A list of modules registered as "0", "1", ...; it has no forward of its own (iterate and call).
class ModuleList : public Module {
 public:
  ModuleList() = default;
  explicit ModuleList(std::vector<std::shared_ptr<Module>> modules);

  template <typename M>
  ModuleList& push_back(M&& module) {
    append(make_shared_module(std::forward<M>(module)));
    return *this;
  }
  size_t size() const { return modules_.size(); }
  Module& operator[](size_t i) const;
  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

  /// Throws: a ModuleList is a container, not a layer.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ModuleList"; }

 private:
  void append(std::shared_ptr<Module> module);
  std::vector<std::shared_ptr<Module>> modules_;
};

/// y = body(x) + shortcut(x), the shortcut being the identity unless given (a 1x1 convolution
/// with batch norm when the shape changes). Submodules "body" and "shortcut".
class Residual : public Module {
 public:
  template <typename B>
  requires(!std::is_base_of_v<Residual, std::decay_t<B>>) explicit Residual(B&& body)
      : body_(make_shared_module(std::forward<B>(body))) {
    add_child("body", body_);
  }
  template <typename B, typename S>
  Residual(B&& body, S&& shortcut)
      : body_(make_shared_module(std::forward<B>(body))),
        shortcut_(make_shared_module(std::forward<S>(shortcut))) {
    add_child("body", body_);
    add_child("shortcut", shortcut_);
  }

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Residual"; }

 private:
  std::shared_ptr<Module> body_;
  std::shared_ptr<Module> shortcut_;  // null: identity
};

/// ResNet's basic block (He et al., 2016): conv3x3(stride) - BN - ReLU - conv3x3 - BN, plus the
/// input (through conv1x1(stride) - BN when the stride or channel count changes), then ReLU.
Sequential basic_block(int64_t in_channels, int64_t out_channels, int64_t stride = 1);

}  // namespace athanor::nn
