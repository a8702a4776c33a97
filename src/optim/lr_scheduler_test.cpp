// src/optim/lr_scheduler_test.cpp: every schedule fixture of tests/golden/optim (PyTorch 1.13's
// learning rates, and OneCycleLR's momentum, over 100 steps on two parameter groups), resuming a
// schedule from its state dict, fractional epochs of warm restarts, and the errors.
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/optim/optim.h>

#include "testing/golden.h"
#include "testing/matchers.h"

namespace athanor::optim {
namespace {

using athanor::testing::Golden;
using athanor::testing::golden_files;

constexpr int kSteps = 100;

// What a case steps: a schedule, or a ReduceLROnPlateau (fed the fixture's metric), plus a
// warm-up stepped after it when given.
struct Schedule {
  std::shared_ptr<LRScheduler> scheduler;
  std::shared_ptr<ReduceLROnPlateau> plateau;
  std::shared_ptr<LRScheduler> warmup;

  void step(double metric) const {
    if (plateau) {
      plateau->step(metric);
    } else {
      scheduler->step();
    }
    if (warmup) warmup->step();
  }
  ScalarDict state_dict() const {
    ScalarDict out;
    const ScalarDict own = plateau ? plateau->state_dict() : scheduler->state_dict();
    for (const auto& [k, v] : own) out["main." + k] = v;
    if (warmup) {
      for (const auto& [k, v] : warmup->state_dict()) out["warmup." + k] = v;
    }
    return out;
  }
  void load_state_dict(const ScalarDict& state) const {
    ScalarDict own, warm;
    for (const auto& [k, v] : state) {
      if (k.starts_with("main.")) own[k.substr(5)] = v;
      if (k.starts_with("warmup.")) warm[k.substr(7)] = v;
    }
    if (plateau) {
      plateau->load_state_dict(own);
    } else {
      scheduler->load_state_dict(own);
    }
    if (warmup) warmup->load_state_dict(warm);
  }
};

template <typename S, typename... Args>
Schedule make(Optimizer& opt, Args&&... args) {
  return {std::make_shared<S>(opt, std::forward<Args>(args)...), nullptr, nullptr};
}

// The same schedules as tests/golden/make_optim.py, by case name.
const std::map<std::string, std::function<Schedule(Optimizer&)>>& cases() {
  static const std::map<std::string, std::function<Schedule(Optimizer&)>> table = {
      {"constant", [](Optimizer& o) { return make<ConstantLR>(o, 0.5, 10); }},
      {"constant_default", [](Optimizer& o) { return make<ConstantLR>(o); }},
      {"step", [](Optimizer& o) { return make<StepLR>(o, 30, 0.1); }},
      {"multi_step",
       [](Optimizer& o) {
         return make<MultiStepLR>(o, std::vector<int64_t>{20, 50, 50, 80}, 0.5);
       }},
      {"exponential", [](Optimizer& o) { return make<ExponentialLR>(o, 0.97); }},
      {"cosine", [](Optimizer& o) { return make<CosineAnnealingLR>(o, 100); }},
      {"cosine_restart_eta_min",
       [](Optimizer& o) { return make<CosineAnnealingLR>(o, 30, 0.001); }},
      {"cosine_warm_restarts",
       [](Optimizer& o) { return make<CosineAnnealingWarmRestarts>(o, 10, 2, 0.001); }},
      {"linear_warmup", [](Optimizer& o) { return make<LinearLR>(o, 0.25, 1.0, 10); }},
      {"linear_decay", [](Optimizer& o) { return make<LinearLR>(o, 1.0, 0.1, 100); }},
      {"polynomial", [](Optimizer& o) { return make<PolynomialLR>(o, 80, 2.0); }},
      {"lambda_inverse_sqrt",
       [](Optimizer& o) {
         return make<LambdaLR>(
             o, LRLambda([](int64_t e) { return 1.0 / std::sqrt(1.0 + static_cast<double>(e)); }));
       }},
      {"multiplicative",
       [](Optimizer& o) {
         return make<MultiplicativeLR>(o, LRLambda([](int64_t) { return 0.95; }));
       }},
      {"one_cycle",
       [](Optimizer& o) {
         return make<OneCycleLR>(o, OneCycleLROptions{.max_lr = {0.5, 0.2}, .total_steps = 100});
       }},
      {"one_cycle_linear_three_phase",
       [](Optimizer& o) {
         return make<OneCycleLR>(o, OneCycleLROptions{.max_lr = {0.4},
                                                      .epochs = 10,
                                                      .steps_per_epoch = 10,
                                                      .pct_start = 0.25,
                                                      .anneal_strategy = AnnealStrategy::kLinear,
                                                      .div_factor = 10.0,
                                                      .final_div_factor = 100.0,
                                                      .three_phase = true});
       }},
      {"one_cycle_adam",
       [](Optimizer& o) {
         return make<OneCycleLR>(
             o,
             OneCycleLROptions{
                 .max_lr = {0.01}, .total_steps = 100, .base_momentum = 0.8, .max_momentum = 0.9});
       }},
      {"warmup_cosine",
       [](Optimizer& o) {
         return Schedule{with_warmup(std::make_shared<CosineAnnealingLR>(o, 90), 10, 0.1), nullptr,
                         nullptr};
       }},
      {"warmup_linear",
       [](Optimizer& o) {
         return Schedule{with_warmup(std::make_shared<LinearLR>(o, 1.0, 0.0, 90), 10, 0.1), nullptr,
                         nullptr};
       }},
      {"warmup_step",
       [](Optimizer& o) {
         // SequentialLR spelled out, in PyTorch's order of construction.
         auto warmup = std::make_shared<LinearLR>(o, 0.5, 1.0, 5);
         auto decay = std::make_shared<StepLR>(o, 20, 0.5);
         return make<SequentialLR>(o, std::vector<std::shared_ptr<LRScheduler>>{warmup, decay},
                                   std::vector<int64_t>{5});
       }},
      {"warmup_exponential",
       [](Optimizer& o) {
         return Schedule{with_warmup(std::make_shared<ExponentialLR>(o, 0.95), 8, 0.2), nullptr,
                         nullptr};
       }},
      {"chained",
       [](Optimizer& o) {
         return Schedule{
             std::make_shared<ChainedScheduler>(std::vector<std::shared_ptr<LRScheduler>>{
                 std::make_shared<ConstantLR>(o, 0.1, 2), std::make_shared<ExponentialLR>(o, 0.9)}),
             nullptr, nullptr};
       }},
      {"chained_cosine_warmup",
       [](Optimizer& o) {
         return Schedule{
             std::make_shared<ChainedScheduler>(std::vector<std::shared_ptr<LRScheduler>>{
                 std::make_shared<CosineAnnealingLR>(o, 100),
                 std::make_shared<LinearLR>(o, 0.1, 1.0, 10)}),
             nullptr, nullptr};
       }},
      {"plateau",
       [](Optimizer& o) {
         return Schedule{
             nullptr,
             std::make_shared<ReduceLROnPlateau>(
                 o,
                 ReduceLROnPlateauOptions{
                     .factor = 0.5, .patience = 3, .cooldown = 2, .min_lr = {0.001, 0.01}}),
             nullptr};
       }},
      {"plateau_abs",
       [](Optimizer& o) {
         return Schedule{nullptr,
                         std::make_shared<ReduceLROnPlateau>(
                             o, ReduceLROnPlateauOptions{.factor = 0.3,
                                                         .patience = 5,
                                                         .threshold = 0.01,
                                                         .threshold_mode = ThresholdMode::kAbs}),
                         nullptr};
       }},
      {"plateau_max",
       [](Optimizer& o) {
         return Schedule{
             nullptr,
             std::make_shared<ReduceLROnPlateau>(
                 o,
                 ReduceLROnPlateauOptions{
                     .mode = PlateauMode::kMax, .factor = 0.5, .patience = 2, .threshold = 0.001}),
             nullptr};
       }},
      {"plateau_max_abs",
       [](Optimizer& o) {
         return Schedule{nullptr,
                         std::make_shared<ReduceLROnPlateau>(
                             o, ReduceLROnPlateauOptions{.mode = PlateauMode::kMax,
                                                         .factor = 0.7,
                                                         .patience = 0,
                                                         .threshold = 0.005,
                                                         .threshold_mode = ThresholdMode::kAbs,
                                                         .eps = 1e-3}),
                         nullptr};
       }},
      {"plateau_with_warmup",
       [](Optimizer& o) {
         auto warmup = std::make_shared<LinearLR>(o, 0.1, 1.0, 10);  // made first, as in PyTorch
         auto plateau = std::make_shared<ReduceLROnPlateau>(
             o, ReduceLROnPlateauOptions{.factor = 0.5, .patience = 3});
         return Schedule{nullptr, plateau, warmup};
       }},
  };
  return table;
}

// The fixture's optimizer: two groups (lr 0.1 and 0.05), SGD with momentum 0.9, or Adam.
struct TwoGroups {
  Tensor p0 = zeros({3}, kFloat64).set_requires_grad();
  Tensor p1 = zeros({2}, kFloat64).set_requires_grad();
  std::unique_ptr<Optimizer> opt;

  explicit TwoGroups(bool adam) {
    if (adam) {
      opt = std::make_unique<Adam>(
          std::vector<ParamGroup<AdamOptions>>{{{p0}, {.lr = 0.1}}, {{p1}, {.lr = 0.05}}});
    } else {
      opt = std::make_unique<SGD>(std::vector<ParamGroup<SGDOptions>>{
          {{p0}, {.lr = 0.1, .momentum = 0.9}}, {{p1}, {.lr = 0.05, .momentum = 0.9}}});
    }
  }
};

bool uses_adam(const std::string& name) { return name.find("adam") != std::string::npos; }

std::vector<double> current_lrs(const Schedule& s, const Optimizer& opt) {
  if (s.scheduler) return s.scheduler->get_last_lr();
  std::vector<double> out;
  for (size_t g = 0; g < opt.num_param_groups(); ++g) out.push_back(opt.lr(g));
  // Unless a warm-up has moved the lrs since the plateau's step.
  if (!s.warmup) {
    EXPECT_EQ(out, s.plateau->get_last_lr());
  }
  return out;
}

std::vector<std::string> schedule_fixtures() {
  std::vector<std::string> out;
  for (const std::string& f : golden_files("optim")) {
    if (f.find("/sched_") != std::string::npos) out.push_back(f);
  }
  return out;
}

TEST(LRSchedulerGolden, EveryFixtureHasACaseAndEveryCaseAFixture) {
  std::set<std::string> fixtures, table;
  for (const std::string& f : schedule_fixtures()) fixtures.insert(Golden::load(f).case_name());
  for (const auto& [name, factory] : cases()) table.insert(name);
  EXPECT_EQ(fixtures, table);
}

TEST(LRSchedulerGolden, LearningRatesMatchPyTorch) {
  double worst = 0;
  for (const std::string& f : schedule_fixtures()) {
    SCOPED_TRACE(f);
    const Golden g = Golden::load(f);
    ASSERT_TRUE(cases().contains(g.case_name()));
    TwoGroups setup(uses_adam(g.case_name()));
    const Schedule s = cases().at(g.case_name())(*setup.opt);
    const std::vector<double> lr = g.tensor("lr").to_vector<double>();
    const std::vector<double> metrics =
        g.has("metrics") ? g.tensor("metrics").to_vector<double>() : std::vector<double>();
    const std::vector<double> momentum =
        g.has("momentum") ? g.tensor("momentum").to_vector<double>() : std::vector<double>();
    ASSERT_EQ(lr.size(), 2u * (kSteps + 1));
    for (int step = 0; step <= kSteps; ++step) {
      if (step > 0) s.step(metrics.empty() ? 0.0 : metrics[static_cast<size_t>(step - 1)]);
      const std::vector<double> got = current_lrs(s, *setup.opt);
      for (size_t grp = 0; grp < 2; ++grp) {
        const double expected = lr[static_cast<size_t>(step) * 2 + grp];
        const double deviation =
            expected == 0 ? std::abs(got[grp]) : std::abs(got[grp] - expected) / std::abs(expected);
        worst = std::max(worst, deviation);
        // PyTorch's own formulas in the same order: equal to the last bit or one rounding off.
        EXPECT_LE(deviation, 1e-12)
            << "step " << step << ", group " << grp << ": " << got[grp] << " vs " << expected;
        if (!momentum.empty()) {
          EXPECT_NEAR(setup.opt->momentum(grp), momentum[static_cast<size_t>(step) * 2 + grp],
                      1e-15)
              << "momentum at step " << step;
        }
      }
    }
  }
  std::printf("schedules: max relative deviation %.3g\n", worst);
}

TEST(LRScheduler, ResumingFromStateDictsContinuesExactly) {
  for (const auto& [name, factory] : cases()) {
    SCOPED_TRACE(name);
    const bool adam = uses_adam(name);
    auto metric = [](int step) { return 1.0 / (1.0 + 0.05 * std::min(step, 40)); };

    TwoGroups straight(adam);
    const Schedule a = factory(*straight.opt);
    std::vector<double> expected;
    for (int step = 0; step < kSteps; ++step) {
      a.step(metric(step));
      if (step >= kSteps / 2) expected.push_back(straight.opt->lr(0));
    }

    TwoGroups first(adam);
    const Schedule b = factory(*first.opt);
    for (int step = 0; step < kSteps / 2; ++step) b.step(metric(step));
    const ScalarDict schedule_state = b.state_dict();
    const OptimizerState optimizer_state = first.opt->state_dict();

    TwoGroups resumed(adam);
    const Schedule c = factory(*resumed.opt);  // moves the lrs; the loads below restore them
    resumed.opt->load_state_dict(optimizer_state);
    c.load_state_dict(schedule_state);
    std::vector<double> got;
    for (int step = kSteps / 2; step < kSteps; ++step) {
      c.step(metric(step));
      got.push_back(resumed.opt->lr(0));
    }
    EXPECT_EQ(got, expected);
  }
}

TEST(LRScheduler, StateDictUsesPyTorchsNames) {
  TwoGroups setup(false);
  const auto warm = with_warmup(std::make_shared<CosineAnnealingWarmRestarts>(*setup.opt, 10), 5);
  for (int i = 0; i < 7; ++i) warm->step();
  const ScalarDict s = warm->state_dict();
  EXPECT_EQ(s.at("last_epoch"), 7);
  EXPECT_TRUE(s.contains("_last_lr.1"));
  EXPECT_EQ(s.at("_schedulers.0.last_epoch"), 4);  // the warm-up stopped at its milestone
  EXPECT_EQ(s.at("_schedulers.1.T_cur"), 2);
  EXPECT_EQ(s.at("_schedulers.1.T_i"), 10);
  EXPECT_EQ(s.at("_schedulers.1.base_lrs.0"), 0.1);
  EXPECT_EQ(setup.opt->state_dict().scalars.at("param_groups.1.initial_lr"), 0.05);
}

TEST(CosineAnnealingWarmRestarts, FractionalEpochsFollowTheClosedForm) {
  TwoGroups setup(false);
  CosineAnnealingWarmRestarts s(*setup.opt, 10, 2, 0.001);
  auto expected = [](double t_cur, double t_i) {
    return 0.001 + (0.1 - 0.001) * (1 + std::cos(std::numbers::pi * t_cur / t_i)) / 2;
  };
  s.step(3.5);  // first period: T_i = 10
  EXPECT_DOUBLE_EQ(s.get_last_lr()[0], expected(3.5, 10));
  s.step(25.5);  // second period [10, 30): T_cur = 15.5 of T_i = 20
  EXPECT_DOUBLE_EQ(s.get_last_lr()[0], expected(15.5, 20));
  EXPECT_EQ(s.last_epoch(), 25);
  s.step(70.25);  // third period [30, 70) ended; fourth [70, 150): T_cur = 0.25 of 80
  EXPECT_DOUBLE_EQ(s.get_last_lr()[0], expected(0.25, 80));
  EXPECT_THROW_WITH_MESSAGE(s.step(-1.0),
                            "CosineAnnealingWarmRestarts: epoch is -1; expected epoch >= 0");
}

TEST(LRScheduler, ChecksItsArguments) {
  TwoGroups setup(false);
  Optimizer& opt = *setup.opt;
  EXPECT_THROW_WITH_MESSAGE(StepLR(opt, 0),
                            "StepLR: step_size is 0; expected a positive number of steps");
  EXPECT_THROW_WITH_MESSAGE(LinearLR(opt, 0.0),
                            "LinearLR: start_factor is 0; expected 0 < start_factor <= 1");
  EXPECT_THROW_WITH_MESSAGE(ConstantLR(opt, 1.5),
                            "ConstantLR: factor is 1.5; expected 0 < factor <= 1");
  EXPECT_THROW_WITH_MESSAGE(CosineAnnealingLR(opt, 0), "CosineAnnealingLR: T_max is 0");
  EXPECT_THROW_WITH_MESSAGE(LambdaLR(opt, std::vector<LRLambda>{[](int64_t) { return 1.0; }}),
                            "LambdaLR: got 1 lr_lambdas for 2 parameter group(s); expected one "
                            "per group");
  EXPECT_THROW_WITH_MESSAGE(
      OneCycleLR(opt, {.max_lr = {0.1, 0.2, 0.3}, .total_steps = 10}),
      "OneCycleLR: got 3 max_lr values for 2 parameter group(s); expected one, or one per group");
  EXPECT_THROW_WITH_MESSAGE(OneCycleLR(opt, {.max_lr = {0.1}}),
                            "OneCycleLR: total_steps is 0, epochs 0 and steps_per_epoch 0");
  EXPECT_THROW_WITH_MESSAGE(ReduceLROnPlateau(opt, {.factor = 1.0}),
                            "ReduceLROnPlateau: factor is 1; expected 0 <= factor < 1");
  EXPECT_THROW_WITH_MESSAGE(ReduceLROnPlateau(opt, {.min_lr = {0.1, 0.2, 0.3}}),
                            "ReduceLROnPlateau: got 3 min_lr values for 2 parameter group(s)");

  const Tensor w = zeros({1}, kFloat64).set_requires_grad();
  Adagrad adagrad({w});
  EXPECT_THROW_WITH_MESSAGE(OneCycleLR(adagrad, {.max_lr = {0.1}, .total_steps = 10}),
                            "OneCycleLR: cycle_momentum needs an optimizer with a momentum or "
                            "betas option, and Adagrad has neither; set cycle_momentum = false");
  OneCycleLR no_momentum(adagrad, {.max_lr = {0.1}, .total_steps = 10, .cycle_momentum = false});
  EXPECT_DOUBLE_EQ(adagrad.lr(0), 0.1 / 25);

  auto other = std::make_shared<StepLR>(adagrad, 5);
  auto mine = std::make_shared<StepLR>(opt, 5);
  EXPECT_THROW_WITH_MESSAGE(
      SequentialLR(opt, {mine, other}, {3}),
      "SequentialLR: scheduler 1 (StepLR) drives another optimizer; expected all to drive the "
      "same one");
  EXPECT_THROW_WITH_MESSAGE(SequentialLR(opt, {mine}, {3}),
                            "SequentialLR: got 1 schedulers and 1 milestones; expected one "
                            "milestone fewer than schedulers");
  EXPECT_THROW_WITH_MESSAGE(with_warmup(mine, 0),
                            "with_warmup: warmup_steps is 0; expected a positive number");
}

TEST(OneCycleLR, RefusesToStepPastTheCycle) {
  TwoGroups setup(false);
  OneCycleLR s(*setup.opt, {.max_lr = {0.1}, .total_steps = 4});
  for (int i = 0; i < 4; ++i) s.step();
  const double lr = setup.opt->lr(0);
  EXPECT_THROW_WITH_MESSAGE(s.step(),
                            "OneCycleLR: tried to step 6 times; the cycle has total_steps = 4");
  EXPECT_EQ(setup.opt->lr(0), lr);  // nothing moved
  EXPECT_EQ(s.last_epoch(), 4);
}

TEST(LRScheduler, NoticesGroupsAddedAfterwards) {
  TwoGroups setup(false);
  StepLR s(*setup.opt, 5);
  static_cast<SGD&>(*setup.opt).add_param_group({zeros({1}, kFloat64).set_requires_grad()});
  EXPECT_THROW_WITH_MESSAGE(s.step(),
                            "StepLR: the optimizer has 3 parameter group(s), but the schedule was "
                            "made for 2; make a new schedule after add_param_group");
}

TEST(LRScheduler, LoadStateDictNamesAMissingKey) {
  TwoGroups setup(false);
  StepLR s(*setup.opt, 5);
  ScalarDict state = s.state_dict();
  state.erase("base_lrs.1");
  EXPECT_THROW_WITH_MESSAGE(s.load_state_dict(state),
                            "StepLR.load_state_dict: missing key 'base_lrs.1'");
  ReduceLROnPlateau plateau(*setup.opt);
  EXPECT_THROW_WITH_MESSAGE(plateau.load_state_dict({}),
                            "ReduceLROnPlateau.load_state_dict: missing key 'best'");
}

}  // namespace
}  // namespace athanor::optim
