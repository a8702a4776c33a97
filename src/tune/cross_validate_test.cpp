// src/tune/cross_validate_test.cpp: score_config against training by hand: the hold-out score and
// k-fold cross-validation as the mean of per-fold runs.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/config/builders.h>
#include <athanor/core/random.h>
#include <athanor/data/split.h>
#include <athanor/ops/join.h>
#include <athanor/tune/cross_validate.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"

namespace athanor::tune {
namespace {

using data::testing::TempDir;

const std::string kIris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";

config::RunConfig iris_run(const TempDir& dir) {
  const std::string text = "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kIris +
                           "\"\nvalidation_split = 0.2\ntest_split = 0.2\n"
                           "[model]\nlayers = [{ type = \"linear\" }]\n"
                           "[optimizer]\nname = \"sgd\"\nlr = 0.05\n"
                           "[train]\nepochs = 2\nbatch_size = 16\nseed = 3\n"
                           "metrics = [\"accuracy\"]\n";
  return config::load_run_file(dir.write("iris.toml", text));
}

/// Trains like a user would with the config builders, and scores `val` with `metric`.
double train_by_hand(const config::RunConfig& c, config::PreparedData d,
                     std::shared_ptr<const data::Dataset> train,
                     std::shared_ptr<const data::Dataset> val, const std::string& metric) {
  d.train = train;
  d.validation = val;
  manual_seed(c.train.seed);
  auto model = config::build_model(c.model, d.input_shape, d.num_outputs);
  auto opt = config::build_optimizer(c.optimizer, model->parameters());
  train::Trainer trainer(model, *opt, config::build_loss(c.loss));
  train::FitOptions fit = config::fit_options(c, d, *model, *opt, "/nonexistent");
  fit.callbacks = {};
  fit.verbose = 0;
  trainer.fit(d.train, fit);
  return *trainer
              .evaluate(val, {.batch_size = c.train.batch_size,
                              .metrics = config::build_metrics(c, d.num_classes)})
              .get(metric);
}

TEST(ScoreConfig, HoldOutIsTheValidationScoreOfOneTraining) {
  TempDir dir;
  const config::RunConfig c = iris_run(dir);
  const config::PreparedData d = config::load_data(c);
  const Score s = score_config(c, d, {.metric = "accuracy"});
  ASSERT_EQ(s.values.size(), 1u);
  EXPECT_EQ(s.std, 0.0);
  EXPECT_EQ(s.mean, train_by_hand(c, d, d.train, d.validation, "accuracy"));
}

TEST(ScoreConfig, KFoldIsTheMeanOfPerFoldRunsDoneByHand) {
  TempDir dir;
  const config::RunConfig c = iris_run(dir);
  const config::PreparedData d = config::load_data(c);
  for (bool stratified : {false, true}) {
    SCOPED_TRACE(stratified);
    const Score s = score_config(c, d, {.metric = "loss", .folds = 3, .stratified = stratified});
    ASSERT_EQ(s.values.size(), 3u);
    // By hand: folds over train then validation (the test split stays out), seeded by data.seed.
    auto all = std::make_shared<data::ConcatDataset>(
        std::vector<std::shared_ptr<const data::Dataset>>{d.train, d.validation});
    EXPECT_EQ(all->size(), 120);
    std::vector<data::Fold> folds;
    if (stratified) {
      std::vector<int64_t> every(static_cast<size_t>(all->size()));
      for (int64_t i = 0; i < all->size(); ++i) every[static_cast<size_t>(i)] = i;
      folds =
          data::stratified_k_fold(all->get_batch(every).target.reshape({-1}), 3, true, c.data.seed);
    } else {
      folds = data::k_fold(all->size(), 3, true, c.data.seed);
    }
    double sum = 0;
    std::vector<double> each;
    for (const data::Fold& f : folds) {
      each.push_back(train_by_hand(c, d, std::make_shared<data::Subset>(all, f.train),
                                   std::make_shared<data::Subset>(all, f.val), "loss"));
      sum += each.back();
    }
    EXPECT_EQ(s.values, each);
    EXPECT_DOUBLE_EQ(s.mean, sum / 3);
    double sq = 0;
    for (double v : each) sq += (v - sum / 3) * (v - sum / 3);
    EXPECT_DOUBLE_EQ(s.std, std::sqrt(sq / 3));
  }
}

TEST(ScoreConfig, BudgetSetsTheEpochsAndScoresAreDeterministic) {
  TempDir dir;
  config::RunConfig c = iris_run(dir);
  const config::PreparedData d = config::load_data(c);
  const Score a = score_config(c, d, {.metric = "loss", .budget = 5});
  EXPECT_EQ(a.mean, score_config(c, d, {.metric = "loss", .budget = 5}).mean);
  c.train.epochs = 5;
  EXPECT_EQ(a.mean, train_by_hand(c, d, d.train, d.validation, "loss"));
}

TEST(ScoreConfig, AMetricTheRunDoesNotLogIsAnError) {
  TempDir dir;
  const config::RunConfig c = iris_run(dir);
  EXPECT_THROW_WITH_MESSAGE(score_config(c, {.metric = "auc"}),
                            "tune: metric \"auc\" is not logged by this run; expected one of "
                            "loss, accuracy");
}

TEST(DefaultMode, LossesAreMinimizedScoresMaximized) {
  EXPECT_EQ(default_mode("loss"), Mode::kMin);
  EXPECT_EQ(default_mode("rmse"), Mode::kMin);
  EXPECT_EQ(default_mode("accuracy"), Mode::kMax);
  EXPECT_EQ(default_mode("r2"), Mode::kMax);
}

}  // namespace
}  // namespace athanor::tune
