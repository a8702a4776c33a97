// include/athanor/optim/optimizer.h: Optimizer, the base of every optimizer (parameter groups with
// their own options, zero_grad, step, state dicts with PyTorch's key names), and OptimizerBase,
// which implements all of it for an algorithm given its options and per-parameter state.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <athanor/autograd/grad_mode.h>
#include <athanor/optim/update_queue.h>
#include <athanor/tensor/tensor.h>
#include <athanor/tensor/tensor_dict.h>

namespace athanor::optim {

/// Scalars by name (step counts, per-group options, scheduler counters), sorted by name. Flags are
/// 0 or 1; a pair such as betas is two entries, "betas.0" and "betas.1".
using ScalarDict = std::map<std::string, double>;

/// An optimizer's state dict, keyed as PyTorch's once flattened: per-parameter buffers in
/// `tensors` ("state.0.exp_avg"), everything else in `scalars` ("state.0.step",
/// "param_groups.0.lr", "param_groups.0.num_params"). Parameters are numbered across the groups
/// in order, as PyTorch numbers them; a parameter that was never updated has no "state.<i>" keys.
/// The tensors are copies: the optimizer's later steps do not change a saved state.
struct OptimizerState {
  TensorDict tensors;
  ScalarDict scalars;
};

/// Parameters that share one set of options. The options are complete: an option left out of the
/// designated initializer takes the algorithm's default (PyTorch's), not the optimizer's.
template <typename Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

/// The interface every optimizer offers, whatever its options: what schedulers, clipping and the
/// trainer use. Parameters are leaf tensors, updated in place (every handle sees the update).
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every parameter that has a gradient; parameters whose grad() is undefined are
  /// skipped (their state and step count do not advance). Runs without autograd recording and in
  /// place; a parameter's state buffers are allocated at its first update only. On x86 a result
  /// of the update that would be subnormal (below 2^-126 in float32) is flushed to zero: a moment
  /// decaying towards zero reaches 0 instead of costing ~100 cycles per operation on the way (see
  /// src/optim/flush_subnormals.h); PyTorch keeps such values.
  virtual void step() = 0;
  /// Calls `closure` (which clears the gradients, recomputes the loss and calls backward) with
  /// gradient recording on, then steps; returns the closure's loss.
  Tensor step(const std::function<Tensor()>& closure);
  /// Clears every parameter's gradient: makes it undefined (the default, as PyTorch 2), or zeroes
  /// it in place, keeping its storage.
  void zero_grad(bool set_to_none = true);

  /// The algorithm's name ("Adam"), used in error messages.
  const std::string& name() const { return name_; }
  virtual size_t num_param_groups() const = 0;
  virtual const std::vector<Tensor>& params(size_t group) const = 0;
  virtual double lr(size_t group) const = 0;
  virtual void set_lr(size_t group, double lr) = 0;
  /// Whether the groups have a momentum a schedule can cycle (OneCycleLR): `momentum` for SGD and
  /// RMSprop, betas.0 for the Adam family and Lion.
  virtual bool has_momentum() const { return false; }
  virtual double momentum(size_t group) const;
  virtual void set_momentum(size_t group, double momentum);
  /// The lr of a group when the first schedule was attached to it (PyTorch's
  /// group['initial_lr']): later schedules start from it. Saved in the state dict.
  std::optional<double> initial_lr(size_t group) const;
  void set_initial_lr(size_t group, double lr);

  virtual OptimizerState state_dict() const = 0;
  /// Restores the options and the state saved by state_dict(), so that training continues bit
  /// for bit as if it had never stopped. The optimizer must hold parameters of the same shapes in
  /// groups of the same sizes. Every key is checked first (missing, unexpected, wrong shape) and
  /// all problems are reported together; nothing changes unless all checks pass.
  virtual void load_state_dict(const OptimizerState& state) = 0;

 protected:
  explicit Optimizer(std::string name) : name_(std::move(name)) {}
  /// Throws unless `group` < num_param_groups().
  void check_group(size_t group, const char* what) const;

 private:
  std::string name_;
  std::vector<std::optional<double>> initial_lrs_;
};

namespace detail {

// State-dict plumbing shared by every OptimizerBase (optimizer.cpp).
void put_field(ScalarDict& out, const std::string& key, double value);
void put_field(ScalarDict& out, const std::string& key, bool value);
void put_field(ScalarDict& out, const std::string& key, const std::pair<double, double>& value);
void put_state(OptimizerState& out, const std::string& key, double value);
void put_state(OptimizerState& out, const std::string& key, const Tensor& value);

/// Reads a state dict for load_state_dict, collecting every problem instead of stopping at the
/// first; finish() throws them all, together with the keys nothing asked for.
class StateReader {
 public:
  StateReader(const std::string& optimizer, const OptimizerState& state);
  void read(const std::string& key, double& value);
  void read(const std::string& key, bool& value);
  void read(const std::string& key, std::pair<double, double>& value);
  std::optional<double> read_optional(const std::string& key);
  /// Whether parameter `index` has any "state.<index>." key.
  bool has_state(size_t index) const;
  /// A required scalar of a parameter's state.
  void read_state(const std::string& key, double& value, const Tensor& param);
  /// An optional buffer: a copy converted to the parameter's dtype, which it must match in shape.
  void read_state(const std::string& key, Tensor& value, const Tensor& param);
  void expect_count(const std::string& key, size_t count, size_t group);
  void finish() const;

 private:
  const std::string& optimizer_;
  const OptimizerState& state_;
  std::map<std::string, bool> used_;  // every key of the dict -> whether something read it
  std::vector<size_t> with_state_;    // parameter indices with "state.<i>." keys, sorted
  std::vector<std::string> missing_;
  std::vector<std::string> problems_;
};

/// Throws unless every parameter is a floating-point leaf on the CPU and none is already in
/// `existing` (or twice in `params`).
void check_new_params(const std::string& optimizer, const std::vector<Tensor>& params,
                      const std::vector<const std::vector<Tensor>*>& existing);
/// Throws unless `total` > 0 (an optimizer over nothing is a mistake).
void check_not_empty(const std::string& optimizer, size_t total);
/// Throws unless a state buffer still matches its parameter's shape and dtype.
void check_buffer(const std::string& optimizer, const char* name, const Tensor& buffer,
                  const Tensor& param);

}  // namespace detail

/// The machinery of an algorithm with options `Options` and per-parameter state `State`:
/// groups, state dicts, and the loop over parameters with gradients.
///
/// `Options` is an aggregate with a `double lr` and, for schedules that cycle momentum, a
/// `double momentum` or a `std::pair<double, double> betas`; `State` is an aggregate of doubles
/// and parameter-shaped tensors. Both list their fields for the state dict in
/// `template <typename F> void visit_fields(F&& f)`, calling f(name, field) for each.
template <typename Options, typename State>
class OptimizerBase : public Optimizer {
 public:
  using Group = ParamGroup<Options>;

  /// The groups, with mutable options (a schedule's lr, a hand-tuned weight_decay). Parameters may
  /// be replaced by others of the same shape; add groups with add_param_group.
  std::span<Group> param_groups() { return groups_; }
  std::span<const Group> param_groups() const { return groups_; }
  /// The options the optimizer was built with (what add_param_group(params) uses).
  const Options& defaults() const { return defaults_; }
  /// Adds a group (e.g. unfrozen layers while fine-tuning). Throws if its options are invalid or a
  /// parameter is already optimized.
  void add_param_group(Group group);
  void add_param_group(std::vector<Tensor> params) {
    add_param_group(Group{std::move(params), defaults_});
  }
  /// The state of parameter `index` of `group`, or nullptr before its first update.
  const State* state(size_t group, size_t index) const {
    check_group(group, "state");
    const auto& states = state_[group];
    return index < states.size() && states[index] ? &*states[index] : nullptr;
  }

  size_t num_param_groups() const override { return groups_.size(); }
  const std::vector<Tensor>& params(size_t group) const override {
    check_group(group, "params");
    return groups_[group].params;
  }
  double lr(size_t group) const override {
    check_group(group, "lr");
    return groups_[group].options.lr;
  }
  void set_lr(size_t group, double lr) override {
    check_group(group, "set_lr");
    groups_[group].options.lr = lr;
  }
  bool has_momentum() const override { return kHasMomentum; }
  double momentum(size_t group) const override;
  void set_momentum(size_t group, double momentum) override;

  OptimizerState state_dict() const override;
  void load_state_dict(const OptimizerState& state) override;

 protected:
  OptimizerBase(std::string name, Options defaults)
      : Optimizer(std::move(name)), defaults_(defaults) {}
  /// Adds the constructor's groups; called from the derived constructor, so that check_options
  /// dispatches to it.
  void init(std::vector<Group> groups);
  /// Throws when an option is out of range, naming it, its value and the valid range.
  virtual void check_options(const Options& options) const = 0;
  /// Calls update(param, grad, options, state, queue) for each parameter with a gradient, under
  /// NoGradGuard, then runs what the updates queued. param and grad are contiguous (a
  /// non-contiguous one is worked on through a contiguous copy, written back after the queue
  /// ran); state starts value-initialized, so an update creates its buffers when it finds them
  /// undefined.
  template <typename Update>
  void for_each_param_with_grad(Update&& update);

 private:
  static constexpr bool kHasMomentum = requires(Options o) { o.momentum; }
  || requires(Options o) { o.betas; };

  Options defaults_;
  std::vector<Group> groups_;
  std::vector<std::vector<std::optional<State>>> state_;  // [group][param]
  detail::UpdateQueue queue_;                             // kept between steps for its capacity
};

// ---- Template definitions ----

template <typename Options, typename State>
void OptimizerBase<Options, State>::add_param_group(Group group) {
  std::vector<const std::vector<Tensor>*> existing;
  for (const Group& g : groups_) existing.push_back(&g.params);
  detail::check_new_params(name(), group.params, existing);
  check_options(group.options);
  state_.emplace_back(group.params.size());
  groups_.push_back(std::move(group));
}

template <typename Options, typename State>
void OptimizerBase<Options, State>::init(std::vector<Group> groups) {
  size_t total = 0;
  for (const Group& g : groups) total += g.params.size();
  detail::check_not_empty(name(), total);
  for (Group& g : groups) add_param_group(std::move(g));
}

template <typename Options, typename State>
double OptimizerBase<Options, State>::momentum(size_t group) const {
  check_group(group, "momentum");
  const Options& o = groups_[group].options;
  if constexpr (requires { o.momentum; }) {
    return o.momentum;
  } else if constexpr (requires { o.betas; }) {
    return o.betas.first;
  } else {
    return Optimizer::momentum(group);
  }
}

template <typename Options, typename State>
void OptimizerBase<Options, State>::set_momentum(size_t group, double momentum) {
  check_group(group, "set_momentum");
  Options& o = groups_[group].options;
  if constexpr (requires { o.momentum; }) {
    o.momentum = momentum;
  } else if constexpr (requires { o.betas; }) {
    o.betas.first = momentum;
  } else {
    Optimizer::set_momentum(group, momentum);
  }
}

template <typename Options, typename State>
template <typename Update>
void OptimizerBase<Options, State>::for_each_param_with_grad(Update&& update) {
  NoGradGuard no_grad;
  // Every state buffer is checked before anything changes, so that a mismatch (a parameter
  // replaced by one of another shape) leaves no step half done.
  for (size_t g = 0; g < groups_.size(); ++g) {
    const auto& params = groups_[g].params;
    for (size_t i = 0; i < params.size() && i < state_[g].size(); ++i) {
      if (!state_[g][i] || !params[i].grad().defined()) continue;
      state_[g][i]->visit_fields([&](const char* field, auto& value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Tensor>) {
          if (value.defined()) detail::check_buffer(name(), field, value, params[i]);
        }
      });
    }
  }
  std::vector<std::pair<Tensor, Tensor>> written_back;  // (non-contiguous param, its copy)
  std::vector<Tensor> grad_copies;                      // alive until the queue has run
  try {
    for (size_t g = 0; g < groups_.size(); ++g) {
      Group& group = groups_[g];
      auto& states = state_[g];
      if (states.size() < group.params.size()) states.resize(group.params.size());
      for (size_t i = 0; i < group.params.size(); ++i) {
        const Tensor& param = group.params[i];
        const Tensor grad = param.grad();
        if (!grad.defined()) continue;
        State& state = states[i] ? *states[i] : states[i].emplace();
        Tensor p = param.is_contiguous() ? param : param.contiguous();
        const Tensor dp = grad.is_contiguous() ? grad : grad.contiguous();
        update(p, dp, group.options, state, queue_);
        if (!p.is_same(param)) written_back.emplace_back(param, p);
        if (!dp.is_same(grad)) grad_copies.push_back(dp);
      }
    }
  } catch (...) {
    queue_.clear();  // out of memory creating a buffer: nothing queued may outlive this step
    throw;
  }
  queue_.run();
  for (auto& [param, copy] : written_back) param.copy_(copy);
}

template <typename Options, typename State>
OptimizerState OptimizerBase<Options, State>::state_dict() const {
  NoGradGuard no_grad;
  OptimizerState out;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    Options options = groups_[g].options;
    options.visit_fields(
        [&](const char* key, auto& value) { detail::put_field(out.scalars, prefix + key, value); });
    out.scalars[prefix + "num_params"] = static_cast<double>(groups_[g].params.size());
    if (const auto initial = initial_lr(g)) out.scalars[prefix + "initial_lr"] = *initial;
    for (size_t i = 0; i < groups_[g].params.size(); ++i, ++index) {
      if (i >= state_[g].size() || !state_[g][i]) continue;
      State state = *state_[g][i];
      const std::string state_prefix = "state." + std::to_string(index) + ".";
      state.visit_fields(
          [&](const char* key, auto& value) { detail::put_state(out, state_prefix + key, value); });
    }
  }
  return out;
}

template <typename Options, typename State>
void OptimizerBase<Options, State>::load_state_dict(const OptimizerState& saved) {
  NoGradGuard no_grad;
  detail::StateReader reader(name(), saved);
  std::vector<Options> options;
  std::vector<std::optional<double>> initial;
  std::vector<std::vector<std::optional<State>>> states(groups_.size());
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string prefix = "param_groups." + std::to_string(g) + ".";
    const std::vector<Tensor>& params = groups_[g].params;
    reader.expect_count(prefix + "num_params", params.size(), g);
    options.push_back(groups_[g].options);
    options.back().visit_fields(
        [&](const char* key, auto& value) { reader.read(prefix + key, value); });
    initial.push_back(reader.read_optional(prefix + "initial_lr"));
    states[g].resize(params.size());
    for (size_t i = 0; i < params.size(); ++i, ++index) {
      if (!reader.has_state(index)) continue;
      State& state = states[g][i].emplace();
      const std::string state_prefix = "state." + std::to_string(index) + ".";
      state.visit_fields([&](const char* key, auto& value) {
        reader.read_state(state_prefix + key, value, params[i]);
      });
    }
  }
  reader.finish();
  for (const Options& o : options) check_options(o);
  for (size_t g = 0; g < groups_.size(); ++g) {
    groups_[g].options = options[g];
    if (initial[g]) set_initial_lr(g, *initial[g]);
  }
  state_ = std::move(states);
}

}  // namespace athanor::optim
