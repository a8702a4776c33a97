// src/optim/lr_scheduler.cpp: the LRScheduler base and the schedules computed from the step count,
// ported formula by formula from PyTorch 1.13 (same operation order, so the same values).
#include <algorithm>
#include <cmath>
#include <numbers>

#include <athanor/optim/lr_scheduler.h>

namespace athanor::optim {

// ---- LRScheduler ----

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer)
    : optimizer_(optimizer), name_(std::move(name)) {
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) {
    if (!optimizer.initial_lr(g)) optimizer.set_initial_lr(g, optimizer.lr(g));
    base_lrs_.push_back(*optimizer.initial_lr(g));
  }
  last_lr_.resize(base_lrs_.size());
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  check_groups();
  ++step_count_;
  ++last_epoch_;
  apply([this](size_t g) { return get_lr(g); });
}

void LRScheduler::step_to(int64_t epoch) {
  check_groups();
  ++step_count_;
  last_epoch_ = epoch;
  apply([this](size_t g) { return closed_form_lr(g).value_or(get_lr(g)); });
}

void LRScheduler::apply(const std::function<double(size_t)>& lr_of) {
  // PyTorch computes every group's lr before setting any; each depends on its own group only,
  // so setting them one at a time gives the same values.
  for (size_t g = 0; g < base_lrs_.size(); ++g) optimizer_.set_lr(g, lr_of(g));
  for (size_t g = 0; g < base_lrs_.size(); ++g) last_lr_[g] = optimizer_.lr(g);
}

void LRScheduler::check_groups() const {
  ATHANOR_CHECK(optimizer_.num_param_groups() == base_lrs_.size(),
                "{}: the optimizer has {} parameter group(s), but the schedule was made for {}; "
                "make a new schedule after add_param_group",
                name_, optimizer_.num_param_groups(), base_lrs_.size());
}

double LRScheduler::read(const ScalarDict& state, const std::string& key) const {
  const auto it = state.find(key);
  ATHANOR_CHECK(it != state.end(),
                "{}.load_state_dict: missing key '{}'; expected a state saved by {} over an "
                "optimizer with {} parameter group(s)",
                name_, key, name_, base_lrs_.size());
  return it->second;
}

ScalarDict LRScheduler::state_dict() const {
  ScalarDict out;
  out["last_epoch"] = static_cast<double>(last_epoch_);
  out["_step_count"] = static_cast<double>(step_count_);
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    out["base_lrs." + std::to_string(g)] = base_lrs_[g];
    out["_last_lr." + std::to_string(g)] = last_lr_[g];
  }
  return out;
}

void LRScheduler::load_state_dict(const ScalarDict& state) {
  const auto last_epoch = static_cast<int64_t>(read(state, "last_epoch"));
  const auto step_count = static_cast<int64_t>(read(state, "_step_count"));
  std::vector<double> base_lrs, last_lr;
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    base_lrs.push_back(read(state, "base_lrs." + std::to_string(g)));
    last_lr.push_back(read(state, "_last_lr." + std::to_string(g)));
  }
  last_epoch_ = last_epoch;
  step_count_ = step_count;
  base_lrs_ = std::move(base_lrs);
  last_lr_ = std::move(last_lr);
}

namespace {

std::vector<LRLambda> one_per_group(const char* name, const Optimizer& optimizer,
                                    std::vector<LRLambda> lambdas) {
  ATHANOR_CHECK(lambdas.size() == optimizer.num_param_groups(),
                "{}: got {} lr_lambdas for {} parameter group(s); expected one per group", name,
                lambdas.size(), optimizer.num_param_groups());
  for (size_t g = 0; g < lambdas.size(); ++g) {
    ATHANOR_CHECK(static_cast<bool>(lambdas[g]), "{}: lr_lambda {} is empty", name, g);
  }
  return lambdas;
}

void check_positive(const char* name, const char* what, int64_t value) {
  ATHANOR_CHECK(value > 0, "{}: {} is {}; expected a positive number of steps", name, what, value);
}

}  // namespace

// ---- LambdaLR, MultiplicativeLR ----

LambdaLR::LambdaLR(Optimizer& optimizer, LRLambda lr_lambda)
    : LambdaLR(optimizer, std::vector<LRLambda>(optimizer.num_param_groups(), lr_lambda)) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<LRLambda> lr_lambdas)
    : LRScheduler("LambdaLR", optimizer),
      lr_lambdas_(one_per_group("LambdaLR", optimizer, std::move(lr_lambdas))) {
  initial_step();
}

double LambdaLR::get_lr(size_t group) { return base_lrs_[group] * lr_lambdas_[group](last_epoch_); }

MultiplicativeLR::MultiplicativeLR(Optimizer& optimizer, LRLambda lr_lambda)
    : MultiplicativeLR(optimizer, std::vector<LRLambda>(optimizer.num_param_groups(), lr_lambda)) {}

MultiplicativeLR::MultiplicativeLR(Optimizer& optimizer, std::vector<LRLambda> lr_lambdas)
    : LRScheduler("MultiplicativeLR", optimizer),
      lr_lambdas_(one_per_group("MultiplicativeLR", optimizer, std::move(lr_lambdas))) {
  initial_step();
}

double MultiplicativeLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  return last_epoch_ > 0 ? lr * lr_lambdas_[group](last_epoch_) : lr;
}

// ---- StepLR, MultiStepLR ----

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler("StepLR", optimizer), step_size_(step_size), gamma_(gamma) {
  check_positive("StepLR", "step_size", step_size);
  initial_step();
}

double StepLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  return (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) ? lr : lr * gamma_;
}

std::optional<double> StepLR::closed_form_lr(size_t group) const {
  return base_lrs_[group] * std::pow(gamma_, static_cast<double>(last_epoch_ / step_size_));
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler("MultiStepLR", optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}

double MultiStepLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  // A milestone listed k times multiplies by gamma^k (PyTorch counts them with a Counter).
  const auto count = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  return count == 0 ? lr : lr * std::pow(gamma_, static_cast<double>(count));
}

std::optional<double> MultiStepLR::closed_form_lr(size_t group) const {
  const auto passed =
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  return base_lrs_[group] * std::pow(gamma_, static_cast<double>(passed));
}

// ---- ConstantLR, LinearLR ----

ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters)
    : LRScheduler("ConstantLR", optimizer), factor_(factor), total_iters_(total_iters) {
  // PyTorch allows 0, but its recursive form then divides by it when the phase ends.
  ATHANOR_CHECK(factor > 0 && factor <= 1, "ConstantLR: factor is {}; expected 0 < factor <= 1",
                factor);
  ATHANOR_CHECK(total_iters >= 0, "ConstantLR: total_iters is {}; expected total_iters >= 0",
                total_iters);
  initial_step();
}

double ConstantLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  if (last_epoch_ == 0) return lr * factor_;
  if (last_epoch_ != total_iters_) return lr;
  return lr * (1.0 / factor_);
}

std::optional<double> ConstantLR::closed_form_lr(size_t group) const {
  return base_lrs_[group] *
         (factor_ + static_cast<double>(last_epoch_ >= total_iters_) * (1 - factor_));
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   int64_t total_iters)
    : LRScheduler("LinearLR", optimizer),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  // A start_factor of 0 makes the recursive form divide by zero at the first step (as in PyTorch
  // 2, which rejects it).
  ATHANOR_CHECK(start_factor > 0 && start_factor <= 1,
                "LinearLR: start_factor is {}; expected 0 < start_factor <= 1", start_factor);
  ATHANOR_CHECK(end_factor >= 0 && end_factor <= 1,
                "LinearLR: end_factor is {}; expected 0 <= end_factor <= 1", end_factor);
  check_positive("LinearLR", "total_iters", total_iters);
  initial_step();
}

double LinearLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  if (last_epoch_ == 0) return lr * start_factor_;
  if (last_epoch_ > total_iters_) return lr;
  // The ratio of consecutive factors start + (end - start) e / n and start + (end - start)(e-1)/n.
  return lr * (1. + (end_factor_ - start_factor_) /
                        (static_cast<double>(total_iters_) * start_factor_ +
                         static_cast<double>(last_epoch_ - 1) * (end_factor_ - start_factor_)));
}

std::optional<double> LinearLR::closed_form_lr(size_t group) const {
  return base_lrs_[group] *
         (start_factor_ + (end_factor_ - start_factor_) *
                              static_cast<double>(std::min(total_iters_, last_epoch_)) /
                              static_cast<double>(total_iters_));
}

// ---- ExponentialLR, PolynomialLR ----

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler("ExponentialLR", optimizer), gamma_(gamma) {
  initial_step();
}

double ExponentialLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  return last_epoch_ == 0 ? lr : lr * gamma_;
}

std::optional<double> ExponentialLR::closed_form_lr(size_t group) const {
  return base_lrs_[group] * std::pow(gamma_, static_cast<double>(last_epoch_));
}

PolynomialLR::PolynomialLR(Optimizer& optimizer, int64_t total_iters, double power)
    : LRScheduler("PolynomialLR", optimizer), total_iters_(total_iters), power_(power) {
  check_positive("PolynomialLR", "total_iters", total_iters);
  initial_step();
}

double PolynomialLR::get_lr(size_t group) {
  const double lr = optimizer_.lr(group);
  if (last_epoch_ == 0 || last_epoch_ > total_iters_) return lr;
  const auto n = static_cast<double>(total_iters_);
  const double decay_factor = std::pow((1.0 - static_cast<double>(last_epoch_) / n) /
                                           (1.0 - static_cast<double>(last_epoch_ - 1) / n),
                                       power_);
  return lr * decay_factor;
}

std::optional<double> PolynomialLR::closed_form_lr(size_t group) const {
  const auto n = static_cast<double>(total_iters_);
  return base_lrs_[group] *
         std::pow(1.0 - static_cast<double>(std::min(total_iters_, last_epoch_)) / n, power_);
}

// ---- CosineAnnealingLR ----

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t t_max, double eta_min)
    : LRScheduler("CosineAnnealingLR", optimizer), t_max_(t_max), eta_min_(eta_min) {
  check_positive("CosineAnnealingLR", "T_max", t_max);
  initial_step();
}

double CosineAnnealingLR::get_lr(size_t group) {
  constexpr double kPi = std::numbers::pi;
  const double lr = optimizer_.lr(group);
  const double base_lr = base_lrs_[group];
  const auto e = static_cast<double>(last_epoch_);
  const auto t_max = static_cast<double>(t_max_);
  if (last_epoch_ == 0) return lr;
  if (step_count_ == 1 && last_epoch_ > 0) {
    return eta_min_ + (base_lr - eta_min_) * (1 + std::cos(e * kPi / t_max)) / 2;
  }
  if ((last_epoch_ - 1 - t_max_) % (2 * t_max_) == 0) {
    // The recursive ratio below is 0/0 at the bottom of the cosine (step T_max + 1 of each
    // period); PyTorch adds the first step of the rise instead.
    return lr + (base_lr - eta_min_) * (1 - std::cos(kPi / t_max)) / 2;
  }
  // cos-form(e) / cos-form(e - 1), applied to the current lr: chainable with other schedules.
  return (1 + std::cos(kPi * e / t_max)) / (1 + std::cos(kPi * (e - 1) / t_max)) * (lr - eta_min_) +
         eta_min_;
}

std::optional<double> CosineAnnealingLR::closed_form_lr(size_t group) const {
  constexpr double kPi = std::numbers::pi;
  return eta_min_ +
         (base_lrs_[group] - eta_min_) *
             (1 + std::cos(kPi * static_cast<double>(last_epoch_) / static_cast<double>(t_max_))) /
             2;
}

// ---- CosineAnnealingWarmRestarts ----

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t t_0,
                                                         int64_t t_mult, double eta_min)
    : LRScheduler("CosineAnnealingWarmRestarts", optimizer),
      t_0_(t_0),
      t_mult_(t_mult),
      eta_min_(eta_min),
      t_i_(static_cast<double>(t_0)),
      t_cur_(-1) {
  check_positive("CosineAnnealingWarmRestarts", "T_0", t_0);
  ATHANOR_CHECK(t_mult >= 1, "CosineAnnealingWarmRestarts: T_mult is {}; expected T_mult >= 1",
                t_mult);
  initial_step();
}

double CosineAnnealingWarmRestarts::get_lr(size_t group) {
  return eta_min_ +
         (base_lrs_[group] - eta_min_) * (1 + std::cos(std::numbers::pi * t_cur_ / t_i_)) / 2;
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) {
    step(0.0);
    return;
  }
  check_groups();
  last_epoch_ += 1;
  t_cur_ += 1;
  if (t_cur_ >= t_i_) {
    t_cur_ -= t_i_;
    t_i_ *= static_cast<double>(t_mult_);
  }
  apply([this](size_t g) { return get_lr(g); });
}

void CosineAnnealingWarmRestarts::step(double epoch) {
  ATHANOR_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: epoch is {}; expected epoch >= 0", epoch);
  check_groups();
  const auto t_0 = static_cast<double>(t_0_);
  if (epoch >= t_0) {
    if (t_mult_ == 1) {
      t_cur_ = std::fmod(epoch, t_0);
    } else {
      // The index n of the current period: T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch.
      const auto m = static_cast<double>(t_mult_);
      const auto n = static_cast<int64_t>(std::log(epoch / t_0 * (m - 1) + 1) / std::log(m));
      const double m_n = std::pow(m, static_cast<double>(n));
      t_cur_ = epoch - t_0 * (m_n - 1) / (m - 1);
      t_i_ = t_0 * m_n;
    }
  } else {
    t_i_ = t_0;
    t_cur_ = epoch;
  }
  last_epoch_ = static_cast<int64_t>(std::floor(epoch));
  apply([this](size_t g) { return get_lr(g); });
}

void CosineAnnealingWarmRestarts::step_to(int64_t epoch) { step(static_cast<double>(epoch)); }

ScalarDict CosineAnnealingWarmRestarts::state_dict() const {
  ScalarDict out = LRScheduler::state_dict();
  out["T_i"] = t_i_;
  out["T_cur"] = t_cur_;
  return out;
}

void CosineAnnealingWarmRestarts::load_state_dict(const ScalarDict& state) {
  const double t_i = read(state, "T_i"), t_cur = read(state, "T_cur");
  LRScheduler::load_state_dict(state);
  t_i_ = t_i;
  t_cur_ = t_cur;
}

}  // namespace athanor::optim
