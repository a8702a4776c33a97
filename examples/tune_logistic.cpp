// examples/tune_logistic.cpp: the tune API from C++: a Tuner searches the learning rate and L2
// strength of a logistic regression on scikit-learn's breast_cancer.csv, each configuration
// scored by stratified 5-fold cross-validation (mean ± population std of the held-out accuracy).
// The objective is any function from a configuration (and an epoch budget) to a Score; here it
// sets the configuration's keys on a run description and cross-validates it with score_config.
//   usage: tune_logistic [path/to/breast_cancer.csv]
#include <cstdio>
#include <string>

#include <athanor/athanor.h>
#include <athanor/config/config.h>
#include <athanor/tune/tune.h>

using namespace athanor;

int main(int argc, char** argv) try {
  const std::string csv = argc > 1 ? argv[1]
                                   : "/usr/lib/python3/dist-packages/sklearn/datasets/data/"
                                     "breast_cancer.csv";
  // The model and its training, as a run file would say it; 20% of the data is held out as a
  // test set that the search never sees.
  const std::string run = "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + csv +
                          "\"\ntest_split = 0.2\nvalidation_split = 0.1\n"
                          "[model]\nlayers = [{ type = \"linear\" }]\n"
                          "[loss]\nname = \"bce_with_logits\"\n"
                          "[optimizer]\nname = \"sgd\"\n"
                          "[train]\nepochs = 20\nbatch_size = 32\nmetrics = [\"accuracy\"]\n";
  const config::RunConfig base = config::parse_run_file(run, "tune_logistic.toml");
  const config::PreparedData data = config::load_data(base);  // the same data for every trial

  tune::SearchSpace space;
  space.add_range("optimizer.lr", {.low = 1e-3, .high = 0.3, .scale = tune::Scale::kLog})
      .add_values("loss.l2", {"0.0", "0.001", "0.01", "0.1"});

  auto objective = [&](const tune::Configuration& c, int64_t budget) {
    const config::RunConfig cfg = config::parse_run_file(run, "tune_logistic.toml", c.overrides());
    return tune::score_config(cfg, data, {.metric = "accuracy", .folds = 5, .budget = budget});
  };
  tune::Tuner tuner(space, std::make_shared<tune::RandomSearch>(12, /*seed=*/0),
                    {.mode = tune::Mode::kMax,
                     .on_trial_end = [](const tune::Trial& t, const std::vector<tune::Trial>&) {
                       std::printf("trial %2ld  %-40s accuracy %.4f ± %.4f\n", t.spec.id,
                                   t.spec.config.to_string().c_str(), t.score.mean, t.score.std);
                     }});
  tuner.run(objective);
  const tune::Trial& best = tuner.best();
  std::printf("best: %s  5-fold accuracy %.4f ± %.4f\n", best.spec.config.to_string().c_str(),
              best.score.mean, best.score.std);

  // Retrain the best configuration on the training split and score the test split once.
  const config::RunConfig cfg =
      config::parse_run_file(run, "tune_logistic.toml", best.spec.config.overrides());
  manual_seed(cfg.train.seed);
  auto model = config::build_model(cfg.model, data.input_shape, data.num_outputs);
  auto opt = config::build_optimizer(cfg.optimizer, model->parameters());
  train::Trainer trainer(model, *opt, config::build_loss(cfg.loss));
  train::FitOptions fit = config::fit_options(cfg, data, *model, *opt, "/nonexistent");
  fit.callbacks = {};
  fit.verbose = 0;
  trainer.fit(data.train, fit);
  const train::Logs test =
      trainer.evaluate(data.test, {.metrics = config::build_metrics(cfg, data.num_classes)});
  std::printf("test accuracy of the best configuration: %.4f\n", *test.get("accuracy"));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "tune_logistic: %s\n", e.what());
  return 1;
}
