// src/optim/reduce_lr_on_plateau.cpp: ReduceLROnPlateau, as PyTorch 1.13's.
#include <algorithm>
#include <limits>
#include <string>

#include <athanor/optim/reduce_lr_on_plateau.h>

namespace athanor::optim {

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  const ReduceLROnPlateauOptions& o = options_;
  ATHANOR_CHECK(o.factor >= 0 && o.factor < 1,
                "ReduceLROnPlateau: factor is {}; expected 0 <= factor < 1", o.factor);
  ATHANOR_CHECK(o.patience >= 0, "ReduceLROnPlateau: patience is {}; expected patience >= 0",
                o.patience);
  ATHANOR_CHECK(o.cooldown >= 0, "ReduceLROnPlateau: cooldown is {}; expected cooldown >= 0",
                o.cooldown);
  const size_t groups = optimizer.num_param_groups();
  ATHANOR_CHECK(o.min_lr.size() == 1 || o.min_lr.size() == groups,
                "ReduceLROnPlateau: got {} min_lr values for {} parameter group(s); expected one, "
                "or one per group",
                o.min_lr.size(), groups);
  min_lrs_ = o.min_lr.size() == 1 ? std::vector<double>(groups, o.min_lr[0]) : o.min_lr;
  best_ = o.mode == PlateauMode::kMin ? std::numeric_limits<double>::infinity()
                                      : -std::numeric_limits<double>::infinity();
  for (size_t g = 0; g < groups; ++g) last_lr_.push_back(optimizer.lr(g));
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const ReduceLROnPlateauOptions& o = options_;
  if (o.mode == PlateauMode::kMin) {
    return o.threshold_mode == ThresholdMode::kRel ? a < best * (1. - o.threshold)
                                                   : a < best - o.threshold;
  }
  return o.threshold_mode == ThresholdMode::kRel ? a > best * (o.threshold + 1.)
                                                 : a > best + o.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ATHANOR_CHECK(optimizer_.num_param_groups() == min_lrs_.size(),
                "ReduceLROnPlateau: the optimizer has {} parameter group(s), but the schedule was "
                "made for {}; make a new schedule after add_param_group",
                optimizer_.num_param_groups(), min_lrs_.size());
  last_epoch_ += 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (in_cooldown()) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;  // bad steps during the cooldown do not count
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < min_lrs_.size(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * options_.factor, min_lrs_[g]);
      if (old_lr - new_lr > options_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  for (size_t g = 0; g < min_lrs_.size(); ++g) last_lr_[g] = optimizer_.lr(g);
}

ScalarDict ReduceLROnPlateau::state_dict() const {
  ScalarDict out;
  out["best"] = best_;
  out["num_bad_epochs"] = static_cast<double>(num_bad_epochs_);
  out["cooldown_counter"] = static_cast<double>(cooldown_counter_);
  out["last_epoch"] = static_cast<double>(last_epoch_);
  for (size_t g = 0; g < last_lr_.size(); ++g) out["_last_lr." + std::to_string(g)] = last_lr_[g];
  return out;
}

void ReduceLROnPlateau::load_state_dict(const ScalarDict& state) {
  auto read = [&](const std::string& key) {
    const auto it = state.find(key);
    ATHANOR_CHECK(it != state.end(),
                  "ReduceLROnPlateau.load_state_dict: missing key '{}'; expected a state saved by "
                  "ReduceLROnPlateau over an optimizer with {} parameter group(s)",
                  key, last_lr_.size());
    return it->second;
  };
  const double best = read("best");
  const auto num_bad_epochs = static_cast<int64_t>(read("num_bad_epochs"));
  const auto cooldown_counter = static_cast<int64_t>(read("cooldown_counter"));
  const auto last_epoch = static_cast<int64_t>(read("last_epoch"));
  std::vector<double> last_lr;
  for (size_t g = 0; g < last_lr_.size(); ++g)
    last_lr.push_back(read("_last_lr." + std::to_string(g)));
  best_ = best;
  num_bad_epochs_ = num_bad_epochs;
  cooldown_counter_ = cooldown_counter;
  last_epoch_ = last_epoch;
  last_lr_ = std::move(last_lr);
}

}  // namespace athanor::optim
