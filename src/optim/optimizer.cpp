// src/optim/optimizer.cpp: the Optimizer base (zero_grad, closures, initial lrs) and the
// state-dict plumbing shared by every OptimizerBase.
#include <algorithm>
#include <charconv>
#include <set>

#include <athanor/autograd/node.h>
#include <athanor/optim/optimizer.h>

namespace athanor::optim {

Tensor Optimizer::step(const std::function<Tensor()>& closure) {
  Tensor loss;
  {
    // The closure computes gradients even when the caller runs the step under NoGradGuard.
    const bool previous = is_grad_enabled();
    set_grad_enabled(true);
    try {
      loss = closure();
    } catch (...) {
      set_grad_enabled(previous);
      throw;
    }
    set_grad_enabled(previous);
  }
  step();
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (size_t g = 0; g < num_param_groups(); ++g) {
    for (const Tensor& p : params(g)) {
      if (set_to_none) {
        p.set_grad(Tensor());
      } else if (const Tensor grad = p.grad(); grad.defined()) {
        Tensor(grad).zero_();
      }
    }
  }
}

double Optimizer::momentum(size_t /*group*/) const {
  ATHANOR_CHECK(false, "{}: has no momentum option (no momentum and no betas) to read", name_);
  return 0;  // unreachable
}

void Optimizer::set_momentum(size_t /*group*/, double momentum) {
  ATHANOR_CHECK(false, "{}: has no momentum option (no momentum and no betas) to set to {}", name_,
                momentum);
}

std::optional<double> Optimizer::initial_lr(size_t group) const {
  check_group(group, "initial_lr");
  return group < initial_lrs_.size() ? initial_lrs_[group] : std::nullopt;
}

void Optimizer::set_initial_lr(size_t group, double lr) {
  check_group(group, "set_initial_lr");
  if (initial_lrs_.size() <= group) initial_lrs_.resize(group + 1);
  initial_lrs_[group] = lr;
}

void Optimizer::check_group(size_t group, const char* what) const {
  ATHANOR_CHECK(group < num_param_groups(),
                "{}.{}: parameter group {} does not exist; the optimizer has {} group(s)", name_,
                what, group, num_param_groups());
}

namespace detail {

void put_field(ScalarDict& out, const std::string& key, double value) { out[key] = value; }

void put_field(ScalarDict& out, const std::string& key, bool value) { out[key] = value ? 1 : 0; }

void put_field(ScalarDict& out, const std::string& key, const std::pair<double, double>& value) {
  out[key + ".0"] = value.first;
  out[key + ".1"] = value.second;
}

void put_state(OptimizerState& out, const std::string& key, double value) {
  out.scalars[key] = value;
}

void put_state(OptimizerState& out, const std::string& key, const Tensor& value) {
  if (value.defined()) out.tensors.insert(key, value.detach().clone());
}

namespace {

// The parameter index of a "state.<i>.<name>" key, if it is one.
std::optional<size_t> state_index(const std::string& key) {
  constexpr std::string_view kPrefix = "state.";
  if (!key.starts_with(kPrefix)) return std::nullopt;
  const char* begin = key.data() + kPrefix.size();
  const char* end = key.data() + key.size();
  size_t index = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, index);
  if (ec != std::errc() || ptr == begin || ptr == end || *ptr != '.') return std::nullopt;
  return index;
}

std::string join(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace

StateReader::StateReader(const std::string& optimizer, const OptimizerState& state)
    : optimizer_(optimizer), state_(state) {
  std::set<size_t> with_state;
  auto note = [&](const std::string& key) {
    used_.emplace(key, false);
    if (const auto index = state_index(key)) with_state.insert(*index);
  };
  for (const auto& [key, value] : state.scalars) note(key);
  for (const auto& [key, value] : state.tensors) note(key);
  with_state_.assign(with_state.begin(), with_state.end());
}

void StateReader::read(const std::string& key, double& value) {
  const auto it = state_.scalars.find(key);
  if (it == state_.scalars.end()) {
    missing_.push_back(key);
    return;
  }
  used_[key] = true;
  value = it->second;
}

void StateReader::read(const std::string& key, bool& value) {
  double number = 0;
  const auto it = state_.scalars.find(key);
  if (it == state_.scalars.end()) {
    missing_.push_back(key);
    return;
  }
  used_[key] = true;
  number = it->second;
  if (number != 0 && number != 1) {
    problems_.push_back(fmt::format("'{}' is {}; expected a flag, 0 or 1", key, number));
    return;
  }
  value = number == 1;
}

void StateReader::read(const std::string& key, std::pair<double, double>& value) {
  read(key + ".0", value.first);
  read(key + ".1", value.second);
}

std::optional<double> StateReader::read_optional(const std::string& key) {
  const auto it = state_.scalars.find(key);
  if (it == state_.scalars.end()) return std::nullopt;
  used_[key] = true;
  return it->second;
}

bool StateReader::has_state(size_t index) const {
  return std::binary_search(with_state_.begin(), with_state_.end(), index);
}

void StateReader::read_state(const std::string& key, double& value, const Tensor& /*param*/) {
  read(key, value);
}

void StateReader::read_state(const std::string& key, Tensor& value, const Tensor& param) {
  const Tensor* saved = state_.tensors.find(key);
  if (saved == nullptr) return;  // buffers are optional (created at the next step)
  used_[key] = true;
  if (!saved->defined() || saved->shape() != param.shape()) {
    problems_.push_back(fmt::format("'{}' has shape {}, but its parameter has shape {}", key,
                                    saved->defined() ? to_string(saved->shape()) : "undefined",
                                    param.shape()));
    return;
  }
  if (!saved->is_floating_point()) {
    problems_.push_back(
        fmt::format("'{}' is {}; expected a floating-point tensor", key, saved->dtype()));
    return;
  }
  value = empty(param.shape(), param.dtype());
  value.copy_(*saved);
}

void StateReader::expect_count(const std::string& key, size_t count, size_t group) {
  double saved = 0;
  const auto it = state_.scalars.find(key);
  if (it == state_.scalars.end()) {
    missing_.push_back(key);
    return;
  }
  used_[key] = true;
  saved = it->second;
  if (saved != static_cast<double>(count)) {
    problems_.push_back(fmt::format("'{}' is {}, but group {} of the optimizer has {} parameters",
                                    key, saved, group, count));
  }
}

void StateReader::finish() const {
  std::vector<std::string> unexpected;
  for (const auto& [key, used] : used_) {
    if (!used) unexpected.push_back(key);
  }
  if (missing_.empty() && unexpected.empty() && problems_.empty()) return;
  std::vector<std::string> parts;
  if (!missing_.empty()) parts.push_back("missing keys: " + join(missing_));
  if (!unexpected.empty()) parts.push_back("unexpected keys: " + join(unexpected));
  parts.insert(parts.end(), problems_.begin(), problems_.end());
  ATHANOR_CHECK(false,
                "{}.load_state_dict: the state does not fit this optimizer: {}; expected a state "
                "saved by {} over parameters of the same shapes in groups of the same sizes",
                optimizer_, fmt::join(parts, "; "), optimizer_);
}

void check_new_params(const std::string& optimizer, const std::vector<Tensor>& params,
                      const std::vector<const std::vector<Tensor>*>& existing) {
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    ATHANOR_CHECK(p.defined(), "{}: parameter {} of the new group is an undefined tensor",
                  optimizer, i);
    ATHANOR_CHECK(p.is_floating_point(),
                  "{}: parameter {} of the new group is {}; expected a floating-point tensor",
                  optimizer, i, p.dtype());
    ATHANOR_CHECK(p.device().is_cpu(),
                  "{}: parameter {} of the new group is on {}; expected a CPU tensor", optimizer, i,
                  p.device());
    ATHANOR_CHECK(p.is_leaf(),
                  "{}: parameter {} of the new group is not a leaf (it was computed by '{}'); "
                  "optimize the leaf tensors it came from",
                  optimizer, i, p.grad_fn() ? p.grad_fn()->name() : "");
    for (size_t j = 0; j < i; ++j) {
      ATHANOR_CHECK(
          !params[j].is_same(p),
          "{}: parameter {} of the new group is the same tensor as parameter {}; expected "
          "each parameter once",
          optimizer, i, j);
    }
    for (size_t g = 0; g < existing.size(); ++g) {
      for (const Tensor& q : *existing[g]) {
        ATHANOR_CHECK(!q.is_same(p),
                      "{}: parameter {} of the new group is already in parameter group {}; "
                      "expected each parameter in one group only",
                      optimizer, i, g);
      }
    }
  }
}

void check_not_empty(const std::string& optimizer, size_t total) {
  ATHANOR_CHECK(total > 0, "{}: got an empty parameter list; expected at least one parameter",
                optimizer);
}

void check_buffer(const std::string& optimizer, const char* name, const Tensor& buffer,
                  const Tensor& param) {
  ATHANOR_CHECK(buffer.shape() == param.shape() && buffer.dtype() == param.dtype(),
                "{}.step: the state buffer '{}' has shape {} ({}), but its parameter now has shape "
                "{} ({}); a parameter replaced by one of another shape or dtype needs a new "
                "optimizer",
                optimizer, name, buffer.shape(), buffer.dtype(), param.shape(), param.dtype());
}

}  // namespace detail
}  // namespace athanor::optim
