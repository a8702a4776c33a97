// src/optim/sequential_lr.cpp: SequentialLR, ChainedScheduler and with_warmup, as PyTorch 1.13's.
#include <algorithm>
#include <string>

#include <athanor/optim/sequential_lr.h>

namespace athanor::optim {
namespace {

void check_schedulers(const char* name, const Optimizer& optimizer,
                      const std::vector<std::shared_ptr<LRScheduler>>& schedulers) {
  ATHANOR_CHECK(!schedulers.empty(), "{}: got no schedulers; expected at least one", name);
  for (size_t i = 0; i < schedulers.size(); ++i) {
    ATHANOR_CHECK(schedulers[i] != nullptr, "{}: scheduler {} is null", name, i);
    ATHANOR_CHECK(&schedulers[i]->optimizer() == &optimizer,
                  "{}: scheduler {} ({}) drives another optimizer; expected all to drive the same "
                  "one",
                  name, i, schedulers[i]->name());
  }
}

Optimizer& first_optimizer(const std::vector<std::shared_ptr<LRScheduler>>& schedulers) {
  ATHANOR_CHECK(!schedulers.empty() && schedulers.front() != nullptr,
                "ChainedScheduler: got no schedulers; expected at least one");
  return schedulers.front()->optimizer();
}

// Each schedule's keys under "_schedulers.<i>.".
void save_children(ScalarDict& out, const std::vector<std::shared_ptr<LRScheduler>>& schedulers) {
  for (size_t i = 0; i < schedulers.size(); ++i) {
    const std::string prefix = "_schedulers." + std::to_string(i) + ".";
    for (const auto& [key, value] : schedulers[i]->state_dict()) out[prefix + key] = value;
  }
}

void load_children(const ScalarDict& state,
                   const std::vector<std::shared_ptr<LRScheduler>>& schedulers) {
  for (size_t i = 0; i < schedulers.size(); ++i) {
    const std::string prefix = "_schedulers." + std::to_string(i) + ".";
    ScalarDict child;
    for (auto it = state.lower_bound(prefix); it != state.end() && it->first.starts_with(prefix);
         ++it) {
      child[it->first.substr(prefix.size())] = it->second;
    }
    schedulers[i]->load_state_dict(child);
  }
}

}  // namespace

// ---- SequentialLR ----

SequentialLR::SequentialLR(Optimizer& optimizer,
                           std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler("SequentialLR", optimizer),
      schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  check_schedulers("SequentialLR", optimizer, schedulers_);
  ATHANOR_CHECK(milestones_.size() + 1 == schedulers_.size(),
                "SequentialLR: got {} schedulers and {} milestones; expected one milestone fewer "
                "than schedulers",
                schedulers_.size(), milestones_.size());
  ATHANOR_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()),
                "SequentialLR: the milestones are not in increasing order; expected the step at "
                "which each schedule after the first starts");
  last_epoch_ = 0;
  // Undo the constructors' steps: back to the initial lrs, and every schedule one step back, so
  // that the first restarts at step 0 and the others start at their milestone.
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) {
    optimizer.set_lr(g, *optimizer.initial_lr(g));
  }
  for (const auto& s : schedulers_) s->last_epoch_ -= 1;
  schedulers_.front()->initial_step();
  last_lr_ = schedulers_.front()->get_last_lr();
}

void SequentialLR::step() {
  check_groups();
  ++last_epoch_;
  const auto idx = static_cast<size_t>(
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin());
  LRScheduler& scheduler = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_) {
    scheduler.step_to(0);
  } else {
    scheduler.step();
  }
  last_lr_ = scheduler.get_last_lr();
}

double SequentialLR::get_lr(size_t group) { return optimizer_.lr(group); }

ScalarDict SequentialLR::state_dict() const {
  ScalarDict out;
  out["last_epoch"] = static_cast<double>(last_epoch_);
  for (size_t g = 0; g < last_lr_.size(); ++g) out["_last_lr." + std::to_string(g)] = last_lr_[g];
  save_children(out, schedulers_);
  return out;
}

void SequentialLR::load_state_dict(const ScalarDict& state) {
  const auto last_epoch = static_cast<int64_t>(read(state, "last_epoch"));
  std::vector<double> last_lr;
  for (size_t g = 0; g < last_lr_.size(); ++g) {
    last_lr.push_back(read(state, "_last_lr." + std::to_string(g)));
  }
  load_children(state, schedulers_);
  last_epoch_ = last_epoch;
  last_lr_ = std::move(last_lr);
}

// ---- ChainedScheduler ----

ChainedScheduler::ChainedScheduler(std::vector<std::shared_ptr<LRScheduler>> schedulers)
    : LRScheduler("ChainedScheduler", first_optimizer(schedulers)),
      schedulers_(std::move(schedulers)) {
  check_schedulers("ChainedScheduler", optimizer_, schedulers_);
  for (size_t g = 0; g < last_lr_.size(); ++g) last_lr_[g] = optimizer_.lr(g);
}

void ChainedScheduler::step() {
  check_groups();
  for (const auto& s : schedulers_) s->step();
  for (size_t g = 0; g < last_lr_.size(); ++g) last_lr_[g] = optimizer_.lr(g);
}

double ChainedScheduler::get_lr(size_t group) { return optimizer_.lr(group); }

ScalarDict ChainedScheduler::state_dict() const {
  ScalarDict out;
  for (size_t g = 0; g < last_lr_.size(); ++g) out["_last_lr." + std::to_string(g)] = last_lr_[g];
  save_children(out, schedulers_);
  return out;
}

void ChainedScheduler::load_state_dict(const ScalarDict& state) {
  std::vector<double> last_lr;
  for (size_t g = 0; g < last_lr_.size(); ++g) {
    last_lr.push_back(read(state, "_last_lr." + std::to_string(g)));
  }
  load_children(state, schedulers_);
  last_lr_ = std::move(last_lr);
}

// ---- with_warmup ----

std::shared_ptr<SequentialLR> with_warmup(std::shared_ptr<LRScheduler> schedule,
                                          int64_t warmup_steps, double start_factor) {
  ATHANOR_CHECK(schedule != nullptr, "with_warmup: the schedule is null");
  ATHANOR_CHECK(warmup_steps > 0, "with_warmup: warmup_steps is {}; expected a positive number",
                warmup_steps);
  Optimizer& optimizer = schedule->optimizer();
  auto warmup = std::make_shared<LinearLR>(optimizer, start_factor, 1.0, warmup_steps);
  return std::make_shared<SequentialLR>(
      optimizer, std::vector<std::shared_ptr<LRScheduler>>{warmup, std::move(schedule)},
      std::vector<int64_t>{warmup_steps});
}

}  // namespace athanor::optim
