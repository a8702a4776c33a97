// src/nn/module.cpp: Module: registration, traversal, modes, state dicts, freezing, printing.
#include <unordered_map>
#include <unordered_set>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/nn/module.h>

#include "nn/summary_recorder.h"

namespace athanor::nn {

namespace {

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

void check_name(const std::string& name, const char* what) {
  ATHANOR_CHECK(!name.empty() && name.find('.') == std::string::npos,
                "register_{}: name '{}' must be non-empty and contain no '.'", what, name);
}

}  // namespace

Tensor Module::operator()(const Tensor& x) {
  Tensor y = forward(x);
  if (detail::SummaryRecorder* r = detail::active_summary_recorder()) r->record(*this, y);
  return y;
}

Tensor Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name(name, "parameter");
  for (const auto& [n, _] : parameters_)
    ATHANOR_CHECK(n != name, "register_parameter: '{}' is already registered", name);
  ATHANOR_CHECK(tensor.defined(), "register_parameter: '{}' is undefined", name);
  tensor.set_requires_grad(requires_grad);
  parameters_.emplace_back(std::move(name), tensor);
  return tensor;
}

Tensor Module::register_buffer(std::string name, Tensor tensor, bool persistent) {
  check_name(name, "buffer");
  for (const Buffer& b : buffers_)
    ATHANOR_CHECK(b.name != name, "register_buffer: '{}' is already registered", name);
  buffers_.push_back({std::move(name), tensor, persistent});
  return tensor;
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  check_name(name, "module");
  ATHANOR_CHECK(module != nullptr, "register_module: '{}' is null", name);
  for (const auto& [n, _] : children_)
    ATHANOR_CHECK(n != name, "register_module: '{}' is already registered", name);
  children_.emplace_back(std::move(name), std::move(module));
}

void Module::collect_parameters(const std::string& prefix, bool recurse,
                                std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const auto& [name, p] : parameters_) out.emplace_back(join(prefix, name), p);
  if (!recurse) return;
  for (const auto& [name, child] : children_)
    child->collect_parameters(join(prefix, name), true, out);
}

void Module::collect_buffers(const std::string& prefix, bool recurse, bool persistent_only,
                             std::vector<std::pair<std::string, Tensor>>& out) const {
  for (const Buffer& b : buffers_)
    if (b.persistent || !persistent_only) out.emplace_back(join(prefix, b.name), b.tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_)
    child->collect_buffers(join(prefix, name), true, persistent_only, out);
}

void Module::collect_modules(const std::string& prefix,
                             std::vector<std::pair<std::string, Module*>>& out) {
  out.emplace_back(prefix, this);
  for (const auto& [name, child] : children_) child->collect_modules(join(prefix, name), out);
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect_parameters("", recurse, out);
  // A parameter shared by two submodules is listed once, under its first name (as PyTorch).
  std::unordered_set<const TensorImpl*> seen;
  std::erase_if(out, [&](const auto& e) { return !seen.insert(&e.second.impl()).second; });
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, p] : named_parameters(recurse)) out.push_back(p);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> out;
  collect_buffers("", recurse, false, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [_, b] : named_buffers(recurse)) out.push_back(b);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  collect_modules("", out);
  return out;
}

int64_t Module::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

Module& Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
  return *this;
}

TensorDict Module::state_dict() const {
  std::vector<std::pair<std::string, Tensor>> entries;
  collect_parameters("", true, entries);
  collect_buffers("", true, true, entries);
  TensorDict dict;
  // Shared tensors appear under every name, as in PyTorch's state_dict.
  for (auto& [name, t] : entries) dict.insert(name, t);
  return dict;
}

LoadResult Module::load_state_dict(const TensorDict& dict, bool strict) {
  const TensorDict own = state_dict();
  LoadResult result;
  std::vector<std::string> mismatches;
  for (const auto& [name, t] : own) {
    const Tensor* src = dict.find(name);
    if (src == nullptr) {
      result.missing_keys.push_back(name);
    } else if (src->shape() != t.shape()) {
      mismatches.push_back(
          fmt::format("{}: checkpoint has shape {}, the module {}", name, src->shape(), t.shape()));
    }
  }
  for (const auto& [name, _] : dict)
    if (!own.contains(name)) result.unexpected_keys.push_back(name);

  std::vector<std::string> problems;
  if (strict && !result.missing_keys.empty())
    problems.push_back(fmt::format("missing keys: {}", fmt::join(result.missing_keys, ", ")));
  if (strict && !result.unexpected_keys.empty())
    problems.push_back(fmt::format("unexpected keys: {}", fmt::join(result.unexpected_keys, ", ")));
  if (!mismatches.empty())
    problems.push_back(fmt::format("shape mismatch: {}", fmt::join(mismatches, "; ")));
  ATHANOR_CHECK(problems.empty(), "load_state_dict ({}): {}", type_name(),
                fmt::join(problems, "; "));

  NoGradGuard no_grad;
  for (const auto& [name, t] : own)
    if (const Tensor* src = dict.find(name)) const_cast<Tensor&>(t).copy_(*src);
  return result;
}

Module& Module::freeze() {
  for (Tensor& p : parameters()) p.set_requires_grad(false);
  return *this;
}

Module& Module::unfreeze() {
  for (Tensor& p : parameters())
    if (p.is_floating_point()) p.set_requires_grad(true);
  return *this;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& [_, child] : children_) child->apply(fn);
  fn(*this);
  return *this;
}

Module& Module::to(DType dtype) {
  ATHANOR_CHECK(is_floating(dtype), "Module::to: expected a floating-point dtype, got {}", dtype);
  auto convert = [dtype](const Tensor& t) {
    if (!t.is_floating_point() || t.dtype() == dtype) return;
    t.set_data(t.detach().to(dtype));
    t.set_grad(Tensor());
  };
  for (const Tensor& p : parameters()) convert(p);
  for (const Tensor& b : buffers()) convert(b);
  return *this;
}

void Module::print(std::string& out, int indent) const {
  out += type_name() + "(";
  if (children_.empty()) {
    out += extra_repr() + ")";
    return;
  }
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  if (std::string extra = extra_repr(); !extra.empty()) out += "\n" + pad + extra;
  for (const auto& [name, child] : children_) {
    out += "\n" + pad + "(" + name + "): ";
    child->print(out, indent + 2);
  }
  out += "\n" + std::string(static_cast<size_t>(indent), ' ') + ")";
}

std::string Module::to_string() const {
  std::string out;
  print(out, 0);
  return out;
}

}  // namespace athanor::nn
