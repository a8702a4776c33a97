// src/train/early_stopping.cpp: EarlyStopping.
#include <athanor/core/error.h>
#include <athanor/train/early_stopping.h>
#include <athanor/train/trainer.h>

namespace athanor::train {
namespace {

TensorDict copy_of(const TensorDict& state) {
  TensorDict out;
  for (const auto& [name, tensor] : state) out.insert(name, tensor.detach().clone());
  return out;
}

}  // namespace

EarlyStopping::EarlyStopping(EarlyStoppingOptions options)
    : options_(std::move(options)), monitor_(options_.monitor, options_.mode, options_.min_delta) {
  ATHANOR_CHECK(options_.patience >= 0, "EarlyStopping: patience must be >= 0, got {}",
                options_.patience);
  best_ = monitor_.worst();
}

void EarlyStopping::on_train_begin(Trainer& /*trainer*/) {
  wait_ = 0;
  best_ = monitor_.worst();
  best_epoch_ = -1;
  stopped_epoch_ = -1;
  best_weights_ = {};
}

void EarlyStopping::on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) {
  const double current = monitor_.read(logs, "EarlyStopping");
  // As Keras: without any improvement, the weights to restore are those of the first epoch.
  if (options_.restore_best_weights && best_weights_.empty()) {
    best_weights_ = copy_of(trainer.model().state_dict());
  }
  ++wait_;
  if (monitor_.improves(current, best_)) {
    best_ = current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = copy_of(trainer.model().state_dict());
    if (!options_.baseline || monitor_.improves(current, *options_.baseline)) {
      wait_ = 0;
      return;
    }
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    trainer.stop_training();
    if (options_.restore_best_weights && !best_weights_.empty()) {
      trainer.model().load_state_dict(best_weights_);
    }
  }
}

optim::ScalarDict EarlyStopping::state_dict() const {
  return {{"wait", static_cast<double>(wait_)},
          {"best", best_},
          {"best_epoch", static_cast<double>(best_epoch_)},
          {"stopped_epoch", static_cast<double>(stopped_epoch_)}};
}

void EarlyStopping::load_state_dict(const optim::ScalarDict& state) {
  auto read = [&](const char* key) {
    const auto it = state.find(key);
    ATHANOR_CHECK(it != state.end(), "EarlyStopping: saved state has no '{}'", key);
    return it->second;
  };
  wait_ = static_cast<int64_t>(read("wait"));
  best_ = read("best");
  best_epoch_ = static_cast<int64_t>(read("best_epoch"));
  stopped_epoch_ = static_cast<int64_t>(read("stopped_epoch"));
}

}  // namespace athanor::train
