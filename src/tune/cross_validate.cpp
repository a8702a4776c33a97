// src/tune/cross_validate.cpp: score_config: train a run configuration on a hold-out split or on
// each of k folds and score the held-out data.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/data/split.h>
#include <athanor/ops/join.h>
#include <athanor/ops/shape.h>
#include <athanor/train/csv_logger.h>
#include <athanor/train/early_stopping.h>
#include <athanor/train/model_checkpoint.h>
#include <athanor/train/tensorboard.h>
#include <athanor/tune/cross_validate.h>

namespace athanor::tune {

namespace {

/// Trains `config` on data.train (validating on data.validation) and returns the held-out metric.
double train_and_score(const config::RunConfig& config, const config::PreparedData& data,
                       const ScoreOptions& options) {
  manual_seed(config.train.seed);
  std::shared_ptr<nn::Module> model =
      config::build_model(config.model, data.input_shape, data.num_outputs);
  std::unique_ptr<optim::Optimizer> optimizer =
      config::build_optimizer(config.optimizer, model->parameters());
  train::Trainer trainer(model, *optimizer, config::build_loss(config.loss));
  // No run folder: fit_options' file-writing callbacks are dropped (they write nothing until
  // training starts).
  train::FitOptions fit = config::fit_options(config, data, *model, *optimizer, "/nonexistent");
  train::CallbackList kept;
  for (const auto& cb : fit.callbacks) {
    if (std::dynamic_pointer_cast<train::ModelCheckpoint>(cb) ||
        std::dynamic_pointer_cast<train::CSVLogger>(cb) ||
        std::dynamic_pointer_cast<train::TensorBoard>(cb)) {
      continue;
    }
    kept.push_back(cb);
  }
  if (options.patience > 0 && !config.train.early_stopping) {
    kept.push_back(train::EarlyStopping(
        {.monitor = "val_" + options.metric,
         .mode = default_mode(options.metric) == Mode::kMax ? train::Mode::kMax : train::Mode::kMin,
         .patience = options.patience,
         .restore_best_weights = true}));
  }
  fit.callbacks = std::move(kept);
  fit.verbose = 0;
  trainer.fit(data.train, fit);
  const train::Logs logs = trainer.evaluate(
      data.validation, {.batch_size = config.train.batch_size,
                        .metrics = config::build_metrics(config, data.num_classes)});
  const std::optional<double> value = logs.get(options.metric);
  ATHANOR_CHECK(value.has_value(), "tune: the evaluation logged no \"{}\"", options.metric);
  return *value;
}

/// The class id of every example of `dataset` (1-D int64), read in batches.
Tensor labels_of(const data::Dataset& dataset) {
  std::vector<Tensor> parts;
  const int64_t n = dataset.size();
  for (int64_t begin = 0; begin < n; begin += 1024) {
    std::vector<int64_t> indices;
    for (int64_t i = begin; i < std::min(n, begin + 1024); ++i) indices.push_back(i);
    parts.push_back(dataset.get_batch(indices).target.reshape({-1}));
  }
  return concat(parts, 0);
}

}  // namespace

Mode default_mode(const std::string& metric) {
  for (const char* m : {"loss", "mse", "rmse", "mae"}) {
    if (metric == m) return Mode::kMin;
  }
  return Mode::kMax;
}

Score score_config(const config::RunConfig& config, const config::PreparedData& data,
                   const ScoreOptions& options) {
  config::RunConfig run = config;
  if (options.budget > 0) run.train.epochs = options.budget;
  if (run.train.threads > 0) set_num_threads(static_cast<int>(run.train.threads));
  if (options.metric != "loss") {
    const std::vector<std::string> names = config::build_metrics(run, data.num_classes).names();
    if (std::find(names.begin(), names.end(), options.metric) == names.end()) {
      std::string list = "loss";
      for (const std::string& n : names) list += ", " + n;
      throw Error(fmt::format(
          "tune: metric \"{}\" is not logged by this run; expected one of {} (add it to "
          "train.metrics)",
          options.metric, list));
    }
  }
  if (options.folds <= 1) {
    ATHANOR_CHECK(data.validation != nullptr,
                  "tune: scoring on a validation split, but the run has no validation data; "
                  "set data.validation_split (or data.validation), or tune.folds >= 2");
    return Score::of({train_and_score(run, data, options)});
  }
  // Folds over train followed by validation; the test split stays out of the search.
  std::shared_ptr<const data::Dataset> all = data.train;
  if (data.validation) {
    all = std::make_shared<data::ConcatDataset>(
        std::vector<std::shared_ptr<const data::Dataset>>{data.train, data.validation});
  }
  const bool stratified = options.stratified && data.num_classes > 0;
  const std::vector<data::Fold> folds =
      stratified ? data::stratified_k_fold(labels_of(*all), options.folds, true, run.data.seed)
                 : data::k_fold(all->size(), options.folds, true, run.data.seed);
  std::vector<double> values;
  for (const data::Fold& fold : folds) {
    config::PreparedData split = data;
    split.train = std::make_shared<data::Subset>(all, fold.train);
    split.validation = std::make_shared<data::Subset>(all, fold.val);
    values.push_back(train_and_score(run, split, options));
  }
  return Score::of(std::move(values));
}

Score score_config(const config::RunConfig& config, const ScoreOptions& options) {
  return score_config(config, config::load_data(config), options);
}

}  // namespace athanor::tune
