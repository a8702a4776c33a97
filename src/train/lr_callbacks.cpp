// src/train/lr_callbacks.cpp: LearningRateScheduler and ReduceLROnPlateau callbacks.
#include <cmath>

#include <athanor/core/error.h>
#include <athanor/train/lr_callbacks.h>
#include <athanor/train/monitor.h>
#include <athanor/train/trainer.h>

namespace athanor::train {

LearningRateScheduler::LearningRateScheduler(std::function<double(int64_t, double)> schedule)
    : schedule_(std::move(schedule)) {
  ATHANOR_CHECK(schedule_ != nullptr, "LearningRateScheduler: expected a schedule function");
}

void LearningRateScheduler::on_epoch_begin(Trainer& trainer, int64_t epoch) {
  optim::Optimizer& opt = trainer.optimizer();
  for (size_t g = 0; g < opt.num_param_groups(); ++g) {
    const double lr = schedule_(epoch, opt.lr(g));
    ATHANOR_CHECK(std::isfinite(lr) && lr >= 0,
                  "LearningRateScheduler: the schedule gave lr {} for epoch {} (group {}); "
                  "expected a finite value >= 0",
                  lr, epoch, g);
    opt.set_lr(g, lr);
  }
}

ReduceLROnPlateau::ReduceLROnPlateau(ReduceLROnPlateauCallbackOptions options)
    : options_(std::move(options)) {
  if (options_.mode_from_name) {
    options_.plateau.mode = Monitor(options_.monitor).higher_is_better() ? optim::PlateauMode::kMax
                                                                         : optim::PlateauMode::kMin;
  }
}

void ReduceLROnPlateau::on_train_begin(Trainer& trainer) {
  plateau_ = std::make_shared<optim::ReduceLROnPlateau>(trainer.optimizer(), options_.plateau);
}

void ReduceLROnPlateau::on_epoch_end(Trainer& /*trainer*/, int64_t /*epoch*/, Logs& logs) {
  plateau_->step(Monitor(options_.monitor).read(logs, "ReduceLROnPlateau"));
}

optim::ScalarDict ReduceLROnPlateau::state_dict() const {
  return plateau_ ? plateau_->state_dict() : optim::ScalarDict{};
}

void ReduceLROnPlateau::load_state_dict(const optim::ScalarDict& state) {
  ATHANOR_CHECK(plateau_ != nullptr, "ReduceLROnPlateau: load_state_dict before training began");
  plateau_->load_state_dict(state);
}

}  // namespace athanor::train
