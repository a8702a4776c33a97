// include/athanor/train/callback.h: Callback, the hooks Trainer::fit calls, and CallbackList.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <athanor/optim/optimizer.h>
#include <athanor/train/logs.h>

namespace athanor::train {

class Trainer;

/// Hooks into Trainer::fit, as Keras's callbacks. The trainer is passed to every hook: read its
/// model, optimizer, epoch and step, ask it to stop (stop_training) or to save a checkpoint.
/// Callbacks run in list order. A callback with state that must survive a resume (EarlyStopping's
/// best value and patience count) returns it from state_dict(); checkpoints save it.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Trainer& /*trainer*/) {}
  virtual void on_epoch_begin(Trainer& /*trainer*/, int64_t /*epoch*/) {}
  virtual void on_batch_begin(Trainer& /*trainer*/, int64_t /*batch*/) {}
  /// After the batch's backward and, when it completes an accumulation, the optimizer step.
  /// logs: "loss" (mean over the epoch so far) and "batch_loss" (this batch).
  virtual void on_batch_end(Trainer& /*trainer*/, int64_t /*batch*/, const Logs& /*logs*/) {}
  /// After validation. logs: loss, metrics, val_loss, validation metrics, lr, seconds; the entry
  /// is already in the trainer's History, and what a callback adds to it stays there.
  virtual void on_epoch_end(Trainer& /*trainer*/, int64_t /*epoch*/, Logs& /*logs*/) {}
  /// Also after fit throws, so files are closed; `history` holds the epochs that finished.
  virtual void on_train_end(Trainer& /*trainer*/) {}

  /// The class name, used to match saved state to callbacks and in messages.
  virtual std::string name() const = 0;
  virtual optim::ScalarDict state_dict() const { return {}; }
  virtual void load_state_dict(const optim::ScalarDict& /*state*/) {}
};

/// Callbacks in a brace list, by value or shared_ptr (keep a shared_ptr to inspect a callback
/// after fit): `.callbacks = {train::EarlyStopping({.patience = 3}), my_checkpoint_ptr}`.
class CallbackList {
 public:
  CallbackList() = default;
  template <typename... C>
  requires(sizeof...(C) > 0 &&
           !(sizeof...(C) == 1 && (std::is_same_v<CallbackList, std::decay_t<C>> &&
                                   ...))) explicit(false) CallbackList(C&&... callbacks) {
    (push_back(std::forward<C>(callbacks)), ...);
  }

  template <typename C>
  void push_back(C&& callback) {
    using T = std::decay_t<C>;
    if constexpr (requires { typename T::element_type; }) {
      static_assert(std::is_base_of_v<Callback, typename T::element_type>);
      items_.push_back(std::shared_ptr<Callback>(std::forward<C>(callback)));
    } else {
      static_assert(std::is_base_of_v<Callback, T>, "a CallbackList holds train::Callback values");
      items_.push_back(std::make_shared<T>(std::forward<C>(callback)));
    }
  }
  void insert_front(std::shared_ptr<Callback> callback) {
    items_.insert(items_.begin(), std::move(callback));
  }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  Callback& operator[](size_t i) const { return *items_[i]; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::shared_ptr<Callback>> items_;
};

}  // namespace athanor::train
