// src/config/training_builder.cpp: the loss, optimizer, schedule, metrics, callbacks and
// FitOptions of a RunConfig.
#include <athanor/config/builders.h>
#include <athanor/core/error.h>
#include <athanor/metrics/auc.h>
#include <athanor/metrics/classification.h>
#include <athanor/metrics/regression.h>
#include <athanor/nn/loss.h>
#include <athanor/nn/regularization.h>
#include <athanor/ops/binary.h>
#include <athanor/optim/adagrad.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/lion.h>
#include <athanor/optim/nadam.h>
#include <athanor/optim/one_cycle_lr.h>
#include <athanor/optim/radam.h>
#include <athanor/optim/rmsprop.h>
#include <athanor/optim/sequential_lr.h>
#include <athanor/optim/sgd.h>
#include <athanor/train/csv_logger.h>
#include <athanor/train/early_stopping.h>
#include <athanor/train/lr_callbacks.h>
#include <athanor/train/model_checkpoint.h>
#include <athanor/train/tensorboard.h>
#include <athanor/train/terminate_on_nan.h>

#include "config/schema.h"

namespace athanor::config {

namespace {

/// Class ids -> float targets of the output's shape: 0/1 (bce), or -1/+1 (hinge).
Tensor binary_targets(const Tensor& target, const Tensor& output, bool signs) {
  Tensor t = target.to(output.dtype()).reshape(output.shape());
  return signs ? t * 2.0 - 1.0 : t;
}

}  // namespace

train::Trainer::LossFn build_loss(const LossConfig& config) {
  const Options& o = config.options;
  const std::string& name = config.name;
  if (name == "mse") return nn::MSELoss();
  if (name == "l1") return nn::L1Loss();
  if (name == "smooth_l1") return nn::SmoothL1Loss({.beta = o.get_double("beta")});
  if (name == "huber") return nn::HuberLoss({.delta = o.get_double("delta")});
  if (name == "cross_entropy") {
    return nn::CrossEntropyLoss({.label_smoothing = o.get_double("label_smoothing")});
  }
  if (name == "nll") return nn::NLLLoss();
  if (name == "bce") {
    return [loss = nn::BCELoss()](const Tensor& output, const Tensor& target) {
      return loss(output, binary_targets(target, output, false));
    };
  }
  if (name == "bce_with_logits") {
    BCEOptions options;
    const double pos_weight = o.get_double("pos_weight");
    if (pos_weight != 1.0) options.pos_weight = scalar_tensor(pos_weight);
    return [loss = nn::BCEWithLogitsLoss(options)](const Tensor& output, const Tensor& target) {
      return loss(output, binary_targets(target, output, false));
    };
  }
  if (name == "hinge") {
    return [loss = nn::HingeLoss({.margin = o.get_double("margin")})](const Tensor& output,
                                                                      const Tensor& target) {
      return loss(output, binary_targets(target, output, true));
    };
  }
  throw Error(fmt::format("loss.name: unknown loss \"{}\"", name));
}

std::unique_ptr<optim::Optimizer> build_optimizer(const OptimizerConfig& config,
                                                  std::vector<Tensor> params) {
  using detail::optimizer_options;
  const Options& o = config.options;
  const std::string& name = config.name;
  if (name == "sgd") {
    return std::make_unique<optim::SGD>(std::move(params), optimizer_options<optim::SGDOptions>(o));
  }
  if (name == "adam") {
    return std::make_unique<optim::Adam>(std::move(params),
                                         optimizer_options<optim::AdamOptions>(o));
  }
  if (name == "adamw") {
    return std::make_unique<optim::AdamW>(std::move(params),
                                          optimizer_options<optim::AdamWOptions>(o));
  }
  if (name == "rmsprop") {
    return std::make_unique<optim::RMSprop>(std::move(params),
                                            optimizer_options<optim::RMSpropOptions>(o));
  }
  if (name == "adagrad") {
    return std::make_unique<optim::Adagrad>(std::move(params),
                                            optimizer_options<optim::AdagradOptions>(o));
  }
  if (name == "nadam") {
    return std::make_unique<optim::NAdam>(std::move(params),
                                          optimizer_options<optim::NAdamOptions>(o));
  }
  if (name == "radam") {
    return std::make_unique<optim::RAdam>(std::move(params),
                                          optimizer_options<optim::RAdamOptions>(o));
  }
  if (name == "lion") {
    return std::make_unique<optim::Lion>(std::move(params),
                                         optimizer_options<optim::LionOptions>(o));
  }
  throw Error(fmt::format("optimizer.name: unknown optimizer \"{}\"", name));
}

int64_t steps_per_epoch(const RunConfig& config, int64_t train_size) {
  const int64_t batches = (train_size + config.train.batch_size - 1) / config.train.batch_size;
  return (batches + config.train.accumulate_steps - 1) / config.train.accumulate_steps;
}

std::shared_ptr<optim::LRScheduler> build_schedule(const RunConfig& config,
                                                   optim::Optimizer& optimizer,
                                                   int64_t steps_per_epoch) {
  const ScheduleConfig& s = config.schedule;
  const Options& o = s.options;
  const bool per_step = s.every == "step";
  // Lengths count steps of the schedule: optimizer steps, or epochs with every = "epoch".
  const int64_t total = per_step ? config.train.epochs * steps_per_epoch : config.train.epochs;
  const int64_t warmup = s.warmup_steps + s.warmup_epochs * (per_step ? steps_per_epoch : 1);
  const int64_t rest = std::max<int64_t>(1, total - warmup);
  auto or_rest = [&](const char* key) {
    const int64_t v = o.get_int(key);
    return v > 0 ? v : rest;
  };
  std::shared_ptr<optim::LRScheduler> schedule;
  const std::string& name = s.name;
  if (name == "none" || name == "plateau") {
    if (warmup == 0) return nullptr;
    // The warm-up alone; plateau reductions (a callback) then scale the lr it leaves.
    return std::make_shared<optim::LinearLR>(optimizer, s.warmup_start_factor, 1.0, warmup);
  }
  if (name == "step") {
    schedule =
        std::make_shared<optim::StepLR>(optimizer, o.get_int("step_size"), o.get_double("gamma"));
  } else if (name == "multistep") {
    std::vector<int64_t> milestones;
    for (double m : o.get_list("milestones")) milestones.push_back(static_cast<int64_t>(m));
    schedule = std::make_shared<optim::MultiStepLR>(optimizer, milestones, o.get_double("gamma"));
  } else if (name == "exponential") {
    schedule = std::make_shared<optim::ExponentialLR>(optimizer, o.get_double("gamma"));
  } else if (name == "cosine") {
    schedule = std::make_shared<optim::CosineAnnealingLR>(optimizer, or_rest("t_max"),
                                                          o.get_double("eta_min"));
  } else if (name == "cosine_warm_restarts") {
    schedule = std::make_shared<optim::CosineAnnealingWarmRestarts>(
        optimizer, o.get_int("t_0"), o.get_int("t_mult"), o.get_double("eta_min"));
  } else if (name == "one_cycle") {
    optim::OneCycleLROptions options;
    const double max_lr = o.get_double("max_lr");
    options.max_lr = {max_lr > 0 ? max_lr : optimizer.lr(0)};
    options.total_steps = rest;
    options.pct_start = o.get_double("pct_start");
    options.anneal_strategy = o.get_string("anneal_strategy") == "cos"
                                  ? optim::AnnealStrategy::kCos
                                  : optim::AnnealStrategy::kLinear;
    options.cycle_momentum = o.get_bool("cycle_momentum") && optimizer.has_momentum();
    options.base_momentum = o.get_double("base_momentum");
    options.max_momentum = o.get_double("max_momentum");
    options.div_factor = o.get_double("div_factor");
    options.final_div_factor = o.get_double("final_div_factor");
    options.three_phase = o.get_bool("three_phase");
    schedule = std::make_shared<optim::OneCycleLR>(optimizer, options);
  } else if (name == "linear") {
    schedule =
        std::make_shared<optim::LinearLR>(optimizer, o.get_double("start_factor"),
                                          o.get_double("end_factor"), or_rest("total_iters"));
  } else if (name == "polynomial") {
    schedule = std::make_shared<optim::PolynomialLR>(optimizer, or_rest("total_iters"),
                                                     o.get_double("power"));
  } else if (name == "constant") {
    schedule = std::make_shared<optim::ConstantLR>(optimizer, o.get_double("factor"),
                                                   o.get_int("total_iters"));
  } else {
    throw Error(fmt::format("schedule.name: unknown schedule \"{}\"", name));
  }
  if (warmup > 0) return optim::with_warmup(schedule, warmup, s.warmup_start_factor);
  return schedule;
}

metrics::MetricList build_metrics(const RunConfig& config, int64_t num_classes) {
  metrics::MetricList list;
  const std::string& loss = config.loss.name;
  // Binary scores are logits for these losses: a score above 0 predicts class 1.
  const bool from_logits = loss == "bce_with_logits" || loss == "hinge";
  for (const MetricConfig& m : config.train.metrics) {
    if (m.name == "accuracy") {
      list.push_back(metrics::Accuracy({.from_logits = from_logits}));
    } else if (m.name == "top_k_accuracy") {
      list.push_back(metrics::TopKAccuracy(m.k));
    } else if (m.name == "precision" || m.name == "recall" || m.name == "f1") {
      std::string average = m.average;
      if (average.empty()) average = num_classes == 2 ? "binary" : "macro";
      metrics::ClassificationOptions options;
      options.average = average == "binary"  ? metrics::Average::Binary
                        : average == "micro" ? metrics::Average::Micro
                        : average == "macro" ? metrics::Average::Macro
                                             : metrics::Average::Weighted;
      options.num_classes = num_classes;
      options.from_logits = from_logits;
      // "f1_macro" in logs when the average was asked for, "f1" otherwise.
      if (!m.average.empty()) options.name = m.name + "_" + m.average;
      if (m.name == "precision") list.push_back(metrics::Precision(options));
      if (m.name == "recall") list.push_back(metrics::Recall(options));
      if (m.name == "f1") list.push_back(metrics::F1(options));
    } else if (m.name == "auc") {
      list.push_back(metrics::AUC());
    } else if (m.name == "mse") {
      list.push_back(metrics::MSE());
    } else if (m.name == "rmse") {
      list.push_back(metrics::RMSE());
    } else if (m.name == "mae") {
      list.push_back(metrics::MAE());
    } else if (m.name == "r2") {
      list.push_back(metrics::R2());
    } else {
      throw Error(fmt::format("train.metrics: unknown metric \"{}\"", m.name));
    }
  }
  return list;
}

train::CallbackList build_callbacks(const RunConfig& config, const std::filesystem::path& run_dir) {
  train::CallbackList callbacks;
  const TrainConfig& t = config.train;
  if (t.terminate_on_nan) callbacks.push_back(train::TerminateOnNaN());
  if (config.schedule.name == "plateau") {
    const Options& o = config.schedule.options;
    train::ReduceLROnPlateauCallbackOptions options;
    options.monitor = o.get_string("monitor");
    options.plateau.factor = o.get_double("factor");
    options.plateau.patience = o.get_int("patience");
    options.plateau.threshold = o.get_double("threshold");
    options.plateau.cooldown = o.get_int("cooldown");
    options.plateau.min_lr = {o.get_double("min_lr")};
    callbacks.push_back(train::ReduceLROnPlateau(options));
  }
  if (t.early_stopping) {
    callbacks.push_back(
        train::EarlyStopping({.monitor = t.early_stopping->monitor,
                              .patience = t.early_stopping->patience,
                              .min_delta = t.early_stopping->min_delta,
                              .restore_best_weights = t.early_stopping->restore_best_weights}));
  }
  const CheckpointConfig& c = config.output.checkpoint;
  callbacks.push_back(train::ModelCheckpoint({.dir = run_dir / "checkpoints",
                                              .every_n_epochs = c.every_n_epochs,
                                              .every_n_steps = c.every_n_steps,
                                              .keep_last = c.keep_last,
                                              .monitor = c.monitor}));
  callbacks.push_back(train::CSVLogger(run_dir / "metrics.csv"));
  if (config.output.tensorboard) callbacks.push_back(train::TensorBoard(run_dir / "tensorboard"));
  return callbacks;
}

train::FitOptions fit_options(const RunConfig& config, const PreparedData& data, nn::Module& model,
                              optim::Optimizer& optimizer, const std::filesystem::path& run_dir) {
  const TrainConfig& t = config.train;
  train::FitOptions options;
  options.epochs = t.epochs;
  options.batch_size = t.batch_size;
  options.shuffle = t.shuffle;
  options.seed = t.seed;
  options.validation_data = data.validation;
  options.metrics = build_metrics(config, data.num_classes);
  options.accumulate_steps = t.accumulate_steps;
  options.clip_grad_norm = t.clip_grad_norm;
  options.clip_grad_value = t.clip_grad_value;
  options.scheduler =
      build_schedule(config, optimizer, steps_per_epoch(config, data.train->size()));
  options.schedule_every =
      config.schedule.every == "epoch" ? train::ScheduleEvery::kEpoch : train::ScheduleEvery::kStep;
  if (config.loss.l1 > 0 || config.loss.l2 > 0) {
    // Only trainable weights are penalized; frozen ones cannot move anyway.
    options.penalty = [params = model.parameters(), l1 = config.loss.l1, l2 = config.loss.l2] {
      Tensor penalty = scalar_tensor(0.0);
      if (l1 > 0) penalty = penalty + nn::l1_penalty(params) * l1;
      if (l2 > 0) penalty = penalty + nn::l2_penalty(params) * l2;
      return penalty;
    };
  }
  options.callbacks = build_callbacks(config, run_dir);
  return options;
}

}  // namespace athanor::config
