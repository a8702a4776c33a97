// src/train/trainer_run.h: Trainer::Run, the state of one fit (shared by the loop in trainer.cpp
// and the checkpoints in checkpoint.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <athanor/data/loader.h>
#include <athanor/train/trainer.h>

namespace athanor::train {

struct Trainer::Run {
  FitOptions options;
  std::shared_ptr<const data::Dataset> validation;
  std::unique_ptr<data::DataLoader> loader;
  metrics::MetricList train_metrics;
  metrics::MetricList val_metrics;
  CallbackList callbacks;

  // The epoch so far: the loss summed over its examples, and their count.
  double loss_sum = 0;
  int64_t loss_count = 0;
  // Examples the training metrics have seen this epoch (fewer than loss_count after a resume
  // mid-epoch: metric states are not saved).
  int64_t metric_count = 0;
  // Batches of the current epoch already done (the data position a checkpoint records), whether
  // the epoch is over (so a checkpoint resumes at the next one), whether gradients of an
  // unfinished accumulation group are pending (no checkpoint then).
  int64_t batches_done = 0;
  bool epoch_over = false;
  bool accumulating = false;
  // Where the first epoch of this fit starts, and the callbacks' saved states (by
  // "<name>#<occurrence>"), loaded after their on_train_begin (after a resume).
  int64_t start_batch = 0;
  std::map<std::string, optim::ScalarDict> callback_states;
  std::chrono::steady_clock::time_point epoch_start;
};

}  // namespace athanor::train
