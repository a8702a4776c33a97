// include/athanor/tune/cross_validate.h: scoring one run configuration by a hold-out validation
// split or by (stratified) k-fold cross-validation, with early stopping inside each training.
#pragma once

#include <cstdint>
#include <string>

#include <athanor/config/builders.h>
#include <athanor/config/run_config.h>
#include <athanor/tune/strategy.h>

namespace athanor::tune {

struct ScoreOptions {
  /// What to score on the held-out data: "loss" or one of the run's metrics as logged
  /// ("accuracy", "auc", "f1_macro", "r2", ...).
  std::string metric = "loss";
  /// 0 or 1: train on the training split and score on the validation split. k >= 2: k-fold
  /// cross-validation over train + validation (the test split is never touched).
  int64_t folds = 0;
  /// Folds keep class proportions (classification only).
  bool stratified = true;
  /// Training epochs (0: the run's train.epochs).
  int64_t budget = 0;
  /// > 0: stop a training after this many epochs without improvement of the held-out metric
  /// ("val_" + metric), unless the run file configures its own train.early_stopping.
  int64_t patience = 0;
};

/// The score of `config` on `data` (as load_data(config) prepared it): the held-out metric after
/// training (with the best weights when early stopping restores them). Each training starts from
/// manual_seed(train.seed), writes no files and prints nothing. With folds >= 2 the folds come from
/// data::k_fold / stratified_k_fold seeded with data.seed over train followed by validation,
/// trained on in turn; the result is their mean and population std. Preprocessing stays the one
/// load_data fitted on the training split. Throws naming the metric when the run does not log it.
Score score_config(const config::RunConfig& config, const config::PreparedData& data,
                   const ScoreOptions& options);

/// Loads the data of `config` and scores it (see above).
Score score_config(const config::RunConfig& config, const ScoreOptions& options);

/// "min" for losses and errors (loss, mse, rmse, mae), "max" for the rest.
Mode default_mode(const std::string& metric);

}  // namespace athanor::tune
