// src/optim/one_cycle_lr.cpp: OneCycleLR, as PyTorch 1.13's.
#include <cmath>
#include <numbers>

#include <athanor/optim/one_cycle_lr.h>

namespace athanor::optim {

OneCycleLR::OneCycleLR(Optimizer& optimizer, OneCycleLROptions options)
    : LRScheduler("OneCycleLR", optimizer), options_(std::move(options)) {
  const OneCycleLROptions& o = options_;
  if (o.total_steps > 0) {
    total_steps_ = o.total_steps;
  } else {
    ATHANOR_CHECK(o.total_steps == 0 && o.epochs > 0 && o.steps_per_epoch > 0,
                  "OneCycleLR: total_steps is {}, epochs {} and steps_per_epoch {}; expected a "
                  "positive total_steps, or positive epochs and steps_per_epoch",
                  o.total_steps, o.epochs, o.steps_per_epoch);
    total_steps_ = o.epochs * o.steps_per_epoch;
  }
  ATHANOR_CHECK(o.pct_start >= 0 && o.pct_start <= 1,
                "OneCycleLR: pct_start is {}; expected 0 <= pct_start <= 1", o.pct_start);
  const size_t groups = optimizer.num_param_groups();
  ATHANOR_CHECK(o.max_lr.size() == 1 || o.max_lr.size() == groups,
                "OneCycleLR: got {} max_lr values for {} parameter group(s); expected one, or one "
                "per group",
                o.max_lr.size(), groups);
  ATHANOR_CHECK(!o.cycle_momentum || optimizer.has_momentum(),
                "OneCycleLR: cycle_momentum needs an optimizer with a momentum or betas option, "
                "and {} has neither; set cycle_momentum = false",
                optimizer.name());

  const auto total = static_cast<double>(total_steps_);
  const double last = static_cast<double>(total_steps_ - 1);
  if (o.three_phase) {
    phases_ = {
        {o.pct_start * total - 1, Value::kInitialLr, Value::kMaxLr, Value::kMaxMomentum,
         Value::kBaseMomentum},
        {2 * o.pct_start * total - 2, Value::kMaxLr, Value::kInitialLr, Value::kBaseMomentum,
         Value::kMaxMomentum},
        {last, Value::kInitialLr, Value::kMinLr, Value::kMaxMomentum, Value::kMaxMomentum},
    };
  } else {
    phases_ = {
        {o.pct_start * total - 1, Value::kInitialLr, Value::kMaxLr, Value::kMaxMomentum,
         Value::kBaseMomentum},
        {last, Value::kMaxLr, Value::kMinLr, Value::kBaseMomentum, Value::kMaxMomentum},
    };
  }
  for (size_t g = 0; g < groups; ++g) {
    const double max_lr = o.max_lr.size() == 1 ? o.max_lr[0] : o.max_lr[g];
    max_lrs_.push_back(max_lr);
    initial_lrs_.push_back(max_lr / o.div_factor);
    min_lrs_.push_back(initial_lrs_.back() / o.final_div_factor);
    // The cycle's start is the groups' initial lr, for schedules composed with this one.
    optimizer.set_initial_lr(g, initial_lrs_.back());
    base_lrs_[g] = initial_lrs_.back();
    if (o.cycle_momentum) optimizer.set_momentum(g, o.max_momentum);
  }
  initial_step();
}

double OneCycleLR::value(size_t group, Value which) const {
  switch (which) {
    case Value::kInitialLr:
      return initial_lrs_[group];
    case Value::kMaxLr:
      return max_lrs_[group];
    case Value::kMinLr:
      return min_lrs_[group];
    case Value::kMaxMomentum:
      return options_.max_momentum;
    case Value::kBaseMomentum:
      break;
  }
  return options_.base_momentum;
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy == AnnealStrategy::kLinear) return (end - start) * pct + start;
  const double cos_out = std::cos(std::numbers::pi * pct) + 1;
  return end + (start - end) / 2.0 * cos_out;
}

void OneCycleLR::step() {
  // Checked before anything moves, so the schedule stays usable (PyTorch checks in get_lr).
  ATHANOR_CHECK(last_epoch_ + 1 <= total_steps_,
                "OneCycleLR: tried to step {} times; the cycle has total_steps = {}",
                last_epoch_ + 2, total_steps_);
  LRScheduler::step();
}

double OneCycleLR::get_lr(size_t group) {
  const auto step_num = static_cast<double>(last_epoch_);
  double start_step = 0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& phase = phases_[i];
    if (step_num <= phase.end_step || i + 1 == phases_.size()) {
      const double pct = (step_num - start_step) / (phase.end_step - start_step);
      if (options_.cycle_momentum) {
        optimizer_.set_momentum(group, anneal(value(group, phase.start_momentum),
                                              value(group, phase.end_momentum), pct));
      }
      return anneal(value(group, phase.start_lr), value(group, phase.end_lr), pct);
    }
    start_step = phase.end_step;
  }
  return optimizer_.lr(group);  // unreachable: the last phase always matches
}

}  // namespace athanor::optim
