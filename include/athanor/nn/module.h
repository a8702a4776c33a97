// include/athanor/nn/module.h: Module, the base of every layer: named parameters, buffers and
// submodules, train/eval mode, state dicts with PyTorch's key names, freezing, summaries.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <athanor/core/random.h>
#include <athanor/tensor/tensor.h>
#include <athanor/tensor/tensor_dict.h>

namespace athanor::nn {

/// What a non-strict load_state_dict left out (a strict load throws instead).
struct LoadResult {
  std::vector<std::string> missing_keys;     // in the module, absent from the dict
  std::vector<std::string> unexpected_keys;  // in the dict, absent from the module
};

/// A layer or a model. Subclasses register their parameters, buffers and submodules in the
/// constructor and implement forward(). Copies are shallow, as Python references: a copy shares
/// parameters and submodules with the original (Sequential{a, a} uses one set of weights twice).
/// Parameters are updated in place (optimizers, load_state_dict, to()), so every handle of a
/// parameter stays valid.
class Module {
 public:
  virtual ~Module() = default;

  /// The computation: x -> y. Modules are called through operator(), which summary() observes.
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x);

  /// The class name as PyTorch prints it ("Linear").
  virtual std::string type_name() const = 0;
  /// The options as PyTorch prints them ("in_features=784, out_features=10, bias=True").
  virtual std::string extra_repr() const { return ""; }
  /// The generator this module draws from when it is not the default one (a seeded Dropout), so
  /// that a checkpoint can save and restore its position; nullptr otherwise.
  virtual Generator* own_generator() { return nullptr; }

  // ---- Parameters, buffers, submodules (registration order; names dotted as PyTorch's) ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, Tensor>> named_buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  /// This module (named "") and every descendant, depth first in registration order.
  std::vector<std::pair<std::string, Module*>> named_modules();
  /// Number of parameter elements; only those with requires_grad if `trainable_only`.
  int64_t num_parameters(bool trainable_only = false) const;

  // ---- Mode ----
  /// Sets training mode here and in every descendant (Dropout, BatchNorm behave differently).
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }

  // ---- State ----
  /// Parameters and persistent buffers, keyed as PyTorch's state_dict ("0.weight",
  /// "bn.running_mean"); the tensors share storage with the module.
  TensorDict state_dict() const;
  /// Copies values into the parameters and buffers in place (converting dtype as PyTorch does).
  /// Always throws on a shape mismatch; with `strict`, also on any missing or unexpected key. The
  /// message lists every problem; nothing is copied unless all checks pass.
  LoadResult load_state_dict(const TensorDict& dict, bool strict = true);

  // ---- Fine-tuning and initialization ----
  /// requires_grad = false (freeze) or true (unfreeze) for every parameter, recursively.
  Module& freeze();
  Module& unfreeze();
  /// Calls fn on every descendant, then on this module (PyTorch's order).
  Module& apply(const std::function<void(Module&)>& fn);
  /// Converts every floating parameter and buffer to `dtype` in place (gradients are cleared).
  Module& to(DType dtype);

  /// A Keras-like table: each leaf layer as it runs on a zero input of `input_shape`
  /// (name, type, output shape, parameter count), then total, trainable and frozen counts.
  /// Runs in eval mode without autograd; the mode is restored afterwards.
  std::string summary(const Shape& input_shape, DType dtype = kFloat32);

  /// The PyTorch-style nested printout: "Sequential(\n  (0): Linear(in_features=...)\n)".
  std::string to_string() const;

 protected:
  Module() = default;
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  /// Registers `tensor` as a parameter (requires_grad set unless it was frozen explicitly by
  /// passing `requires_grad = false`); returns the handle to keep as a member.
  Tensor register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  /// Registers a buffer (saved in the state dict if `persistent`, e.g. running_mean).
  Tensor register_buffer(std::string name, Tensor tensor, bool persistent = true);
  /// Registers a submodule; returns it for keeping as a typed member.
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  void add_child(std::string name, std::shared_ptr<Module> module);

 private:
  struct Buffer {
    std::string name;
    Tensor tensor;
    bool persistent;
  };
  void collect_parameters(const std::string& prefix, bool recurse,
                          std::vector<std::pair<std::string, Tensor>>& out) const;
  void collect_buffers(const std::string& prefix, bool recurse, bool persistent_only,
                       std::vector<std::pair<std::string, Tensor>>& out) const;
  void collect_modules(const std::string& prefix,
                       std::vector<std::pair<std::string, Module*>>& out);
  void print(std::string& out, int indent) const;

  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<Buffer> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

/// Holds any module by shared pointer: a module value is copied into a new shared object, a
/// shared_ptr is kept as is (so a layer can be shared between containers).
template <typename M>
std::shared_ptr<Module> make_shared_module(M&& module) {
  using T = std::decay_t<M>;
  if constexpr (requires { typename T::element_type; }) {
    static_assert(std::is_base_of_v<Module, typename T::element_type>,
                  "a container holds nn::Module subclasses");
    return std::shared_ptr<Module>(std::forward<M>(module));
  } else {
    static_assert(std::is_base_of_v<Module, T>, "a container holds nn::Module subclasses");
    return std::make_shared<T>(std::forward<M>(module));
  }
}

}  // namespace athanor::nn
