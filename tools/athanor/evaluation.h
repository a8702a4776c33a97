// tools/athanor/evaluation.h: a model's scores on a dataset (loss, the run's metrics, and for
// classification the confusion matrix), shared by train, resume and evaluate.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <athanor/config/config.h>
#include <athanor/data/dataset.h>
#include <athanor/train/logs.h>
#include <athanor/train/trainer.h>

namespace athanor::cli {

struct Scores {
  train::Logs logs;                             // "loss", then each metric
  std::vector<std::vector<int64_t>> confusion;  // rows = true class; empty for regression
  int64_t examples = 0;
};

/// Evaluates `trainer`'s model on `dataset` with the run's metrics (accuracy is added for
/// classification when the run file names none).
Scores evaluate(train::Trainer& trainer, const config::RunConfig& config,
                const std::shared_ptr<const data::Dataset>& dataset, int64_t num_classes);

/// "loss 0.3512  accuracy 0.8710  f1 0.8688" (the table `athanor evaluate` prints).
std::string format_scores(const train::Logs& logs);

}  // namespace athanor::cli
