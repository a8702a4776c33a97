// src/optim/optimizer_golden_test.cpp: every optimizer fixture of tests/golden/optim (PyTorch 1.13,
// float64): the parameters over 20 steps of the fixed small model match PyTorch's within 1e-6
// relative, and saving the state at step 10 and loading it into a fresh optimizer over fresh
// parameters continues bit for bit as the uninterrupted run.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "optim/optim_test_util.h"
#include "testing/golden.h"
#include "testing/matchers.h"

namespace athanor::optim {
namespace {

using athanor::testing::Deviation;
using athanor::testing::Golden;
using athanor::testing::golden_files;
using athanor::testing::tensors_close_rel;

constexpr int kSteps = 20;

std::vector<std::string> optimizer_fixtures() {
  std::vector<std::string> out;
  for (const std::string& f : golden_files("optim")) {
    if (f.find("/opt_") != std::string::npos) out.push_back(f);
  }
  return out;
}

TEST(OptimizerGolden, CoversEveryAlgorithmAndMainOption) {
  std::set<std::string> modules, cases;
  for (const std::string& f : optimizer_fixtures()) {
    const Golden g = Golden::load(f);
    modules.insert(g.module());
    cases.insert(g.case_name());
  }
  EXPECT_EQ(modules, (std::set<std::string>{"Adagrad", "Adam", "AdamW", "NAdam", "RAdam", "RMSprop",
                                            "SGD"}));
  for (const char* c : {"sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "adam_amsgrad",
                        "adam_weight_decay", "adamw_amsgrad", "rmsprop_centered",
                        "rmsprop_momentum", "adagrad_decay", "sgd_groups", "adam_groups_unused"}) {
    EXPECT_TRUE(cases.contains(c)) << c;
  }
}

TEST(OptimizerGolden, TrajectoriesMatchPyTorch) {
  Deviation worst;
  for (const std::string& f : optimizer_fixtures()) {
    SCOPED_TRACE(f);
    const Golden g = Golden::load(f);
    const testing::Model m = testing::initial_model(g);
    const auto opt = testing::make_optimizer(g, m);
    for (int step = 1; step <= kSteps; ++step) {
      opt->zero_grad();
      m.forward_backward();
      opt->step();
      for (size_t i = 0; i < m.names.size(); ++i) {
        const Tensor expected = g.tensor("params." + m.names[i]).select(0, step);
        ASSERT_TRUE(tensors_close_rel(m.params[i], expected, 1e-6, 1e-12, &worst))
            << "step " << step << ", parameter " << m.names[i];
      }
    }
  }
  // The largest deviation over all fixtures, for the record.
  RecordProperty("max_abs_deviation", std::to_string(worst.abs));
  RecordProperty("max_rel_deviation", std::to_string(worst.rel));
  std::printf("optimizer trajectories: max |deviation| %.3g, max relative %.3g\n", worst.abs,
              worst.rel);
}

TEST(OptimizerGolden, UnusedParameterIsNeitherMovedNorGivenState) {
  const Golden g = Golden::load("optim/opt_adam_groups_unused.json");
  const testing::Model m = testing::initial_model(g);
  const auto opt = testing::make_optimizer(g, m);
  const Tensor before = m.param("unused").clone();
  for (int step = 0; step < 3; ++step) {
    m.forward_backward();
    opt->step();
  }
  EXPECT_TENSOR_EQ(m.param("unused"), before);
  const OptimizerState state = opt->state_dict();
  // Parameters are numbered across groups: w1 0, b1 1, unused 2, w2 3, b2 4.
  EXPECT_TRUE(state.tensors.contains("state.1.exp_avg"));
  EXPECT_FALSE(state.scalars.contains("state.2.step"));
  EXPECT_FALSE(state.tensors.contains("state.2.exp_avg"));
  EXPECT_EQ(state.scalars.at("state.3.step"), 3);
  EXPECT_TRUE(state.tensors.contains("state.4.max_exp_avg_sq"));  // group 1 has amsgrad
  EXPECT_FALSE(state.tensors.contains("state.0.max_exp_avg_sq"));
}

TEST(OptimizerGolden, ResumingFromAStateDictIsBitIdentical) {
  for (const std::string& f : optimizer_fixtures()) {
    SCOPED_TRACE(f);
    const Golden g = Golden::load(f);

    // Uninterrupted: 20 steps.
    const testing::Model straight = testing::initial_model(g);
    const auto straight_opt = testing::make_optimizer(g, straight);
    for (int step = 0; step < kSteps; ++step) {
      straight.forward_backward();
      straight_opt->step();
    }

    // Interrupted: 10 steps, save, then a fresh model and optimizer load and do the other 10.
    const testing::Model first = testing::initial_model(g);
    const auto first_opt = testing::make_optimizer(g, first);
    for (int step = 0; step < kSteps / 2; ++step) {
      first.forward_backward();
      first_opt->step();
    }
    const OptimizerState saved = first_opt->state_dict();
    const testing::Model resumed = first.clone();  // the parameters as saved
    first.forward_backward();
    first_opt->step();  // the saved state is a copy: later steps do not change it

    const auto resumed_opt = testing::make_optimizer(g, resumed);
    resumed_opt->load_state_dict(saved);
    for (int step = kSteps / 2; step < kSteps; ++step) {
      resumed.forward_backward();
      resumed_opt->step();
    }
    for (size_t i = 0; i < resumed.params.size(); ++i) {
      EXPECT_TENSOR_EQ(resumed.params[i], straight.params[i]) << resumed.names[i];
    }
    // And the state dicts agree too.
    const OptimizerState a = straight_opt->state_dict(), b = resumed_opt->state_dict();
    EXPECT_EQ(a.scalars, b.scalars);
    ASSERT_EQ(a.tensors.keys(), b.tensors.keys());
    for (const auto& [key, t] : a.tensors) EXPECT_TENSOR_EQ(b.tensors.at(key), t) << key;
  }
}

}  // namespace
}  // namespace athanor::optim
