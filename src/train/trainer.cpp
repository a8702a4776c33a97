// src/train/trainer.cpp: Trainer: the fit loop (batches, accumulation, clipping, schedules,
// validation, callbacks), evaluate and predict.
#include <chrono>
#include <cmath>
#include <vector>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/join.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/optim/clip.h>
#include <athanor/train/progress_bar.h>
#include <athanor/train/trainer.h>

#include "train/trainer_run.h"

namespace athanor::train {
namespace {

int64_t batch_examples(const Tensor& input) { return input.dim() == 0 ? 1 : input.size(0); }

/// Restores a module's train/eval mode on scope exit.
class ModeGuard {
 public:
  ModeGuard(nn::Module& module, bool training) : module_(module), was_(module.is_training()) {
    module_.train(training);
  }
  ~ModeGuard() { module_.train(was_); }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  nn::Module& module_;
  bool was_;
};

void check_fit_options(const FitOptions& o) {
  ATHANOR_CHECK(o.epochs >= 0, "Trainer::fit: epochs must be >= 0, got {}", o.epochs);
  ATHANOR_CHECK(o.batch_size >= 1, "Trainer::fit: batch_size must be >= 1, got {}", o.batch_size);
  ATHANOR_CHECK(o.accumulate_steps >= 1, "Trainer::fit: accumulate_steps must be >= 1, got {}",
                o.accumulate_steps);
  ATHANOR_CHECK(o.validation_split >= 0 && o.validation_split < 1,
                "Trainer::fit: validation_split must be in [0, 1), got {}", o.validation_split);
  ATHANOR_CHECK(o.validation_split == 0 || o.validation_data == nullptr,
                "Trainer::fit: give validation_split or validation_data, not both");
  ATHANOR_CHECK(o.clip_grad_norm >= 0 && o.clip_grad_value >= 0,
                "Trainer::fit: clip_grad_norm and clip_grad_value must be >= 0 (0 is off), got {} "
                "and {}",
                o.clip_grad_norm, o.clip_grad_value);
}

}  // namespace

Trainer::Trainer(std::shared_ptr<nn::Module> model, optim::Optimizer& optimizer, LossFn loss)
    : model_(std::move(model)), optimizer_(&optimizer), loss_(std::move(loss)) {
  ATHANOR_CHECK(model_ != nullptr, "Trainer: expected a model, got a null pointer");
  ATHANOR_CHECK(loss_ != nullptr, "Trainer: expected a loss function, got an empty one");
}

History Trainer::fit(const Tensor& inputs, const Tensor& targets, FitOptions options) {
  return fit(std::make_shared<data::TensorDataset>(inputs, targets), std::move(options));
}

History Trainer::fit(std::shared_ptr<const data::Dataset> train, FitOptions options) {
  ATHANOR_CHECK(run_ == nullptr,
                "Trainer::fit: a fit is already running (called from a callback?)");
  ATHANOR_CHECK(train != nullptr, "Trainer::fit: expected a training dataset, got a null pointer");
  ATHANOR_CHECK(train->size() > 0, "Trainer::fit: the training dataset is empty");
  check_fit_options(options);

  Run run;
  run.validation = options.validation_data;
  if (options.validation_split > 0) {
    // Keras's rule: the last fraction of the examples, before any shuffling.
    const int64_t n = train->size();
    const auto n_train =
        static_cast<int64_t>(static_cast<double>(n) * (1 - options.validation_split));
    ATHANOR_CHECK(n_train >= 1 && n_train < n,
                  "Trainer::fit: validation_split {} of {} examples leaves {} for training and {} "
                  "for validation; both need at least one",
                  options.validation_split, n, n_train, n - n_train);
    std::vector<int64_t> head(static_cast<size_t>(n_train)), tail(static_cast<size_t>(n - n_train));
    for (int64_t i = 0; i < n; ++i) (i < n_train ? head[i] : tail[i - n_train]) = i;
    run.validation = std::make_shared<data::Subset>(train, std::move(tail));
    train = std::make_shared<data::Subset>(train, std::move(head));
  }
  run.loader = std::make_unique<data::DataLoader>(
      train, data::LoaderOptions{.batch_size = options.batch_size,
                                 .shuffle = options.shuffle,
                                 .seed = options.seed,
                                 .drop_last = options.drop_last,
                                 .num_workers = options.num_workers});
  run.train_metrics = options.metrics;
  run.val_metrics = options.metrics;
  run.callbacks = options.callbacks;
  if (options.verbose > 0) {
    bool has_bar = false;
    for (const auto& cb : run.callbacks) has_bar |= dynamic_cast<ProgressBar*>(cb.get()) != nullptr;
    if (!has_bar) run.callbacks.insert_front(std::make_shared<ProgressBar>());
  }
  run.options = std::move(options);

  epoch_ = 0;
  epochs_ = run.options.epochs;
  batch_ = 0;
  steps_per_epoch_ = run.loader->size();
  global_step_ = 0;
  stop_requested_ = false;
  history_ = {};
  if (!run.options.resume_from.empty()) restore(run, run.options.resume_from);

  run_ = &run;
  try {
    for (const auto& cb : run.callbacks) cb->on_train_begin(*this);
    load_callback_states(run);
    for (; epoch_ < epochs_ && !stop_requested_; ++epoch_) {
      run.epoch_start = std::chrono::steady_clock::now();
      for (const auto& cb : run.callbacks) cb->on_epoch_begin(*this, epoch_);
      train_epoch(run);

      Logs logs = running_logs();
      if (run.validation) {
        for (const auto& [name, value] : validate(run)) logs.set("val_" + name, value);
      }
      logs.set("lr", optimizer_->lr(0));
      if (run.options.scheduler && run.options.schedule_every == ScheduleEvery::kEpoch) {
        run.options.scheduler->step();
      }
      logs.set("seconds",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - run.epoch_start)
                   .count());
      history_.epochs.push_back(epoch_);
      history_.logs.push_back(std::move(logs));
      run.epoch_over = true;
      for (const auto& cb : run.callbacks) cb->on_epoch_end(*this, epoch_, history_.logs.back());
      run.epoch_over = false;
    }
  } catch (...) {
    for (const auto& cb : run.callbacks) {
      try {
        cb->on_train_end(*this);
      } catch (...) {  // the first error is the one to report
      }
    }
    run_ = nullptr;
    throw;
  }
  for (const auto& cb : run.callbacks) cb->on_train_end(*this);
  run_ = nullptr;
  return history_;
}

void Trainer::train_epoch(Run& run) {
  const FitOptions& o = run.options;
  ModeGuard mode(*model_, /*training=*/true);
  for (auto& metric : run.train_metrics) metric.reset();
  run.metric_count = 0;
  if (run.start_batch == 0) {
    run.loss_sum = 0;
    run.loss_count = 0;
  }
  run.loader->set_position(epoch_, run.start_batch);
  run.batches_done = batch_ = run.start_batch;
  run.start_batch = 0;
  const std::vector<Tensor> params = model_->parameters();
  const auto named_params =
      o.check_finite ? model_->named_parameters() : std::vector<std::pair<std::string, Tensor>>{};

  for (auto& batch : *run.loader) {
    for (const auto& cb : run.callbacks) cb->on_batch_begin(*this, batch_);
    Tensor output = (*model_)(batch.input);
    Tensor loss = loss_(output, batch.target);
    ATHANOR_CHECK(loss.numel() == 1,
                  "Trainer::fit: the loss must be a single number, got shape {} (use a mean or "
                  "sum reduction)",
                  loss.shape());
    if (o.penalty) loss = loss + o.penalty();
    const double batch_loss = loss.item<double>();
    if (o.check_finite) check_finite_loss(batch_loss);
    (o.accumulate_steps > 1 ? loss / static_cast<double>(o.accumulate_steps) : loss).backward();
    const int64_t n = batch_examples(batch.input);
    run.loss_sum += batch_loss * static_cast<double>(n);
    run.loss_count += n;
    {
      NoGradGuard no_grad;
      const Tensor detached = output.detach();
      for (auto& metric : run.train_metrics) metric.update(detached, batch.target);
      run.metric_count += n;
    }

    // Accumulation groups are aligned to the epoch: batches [0, k), [k, 2k), ..., and the rest.
    const bool group_ends =
        (batch_ + 1) % o.accumulate_steps == 0 || batch_ + 1 == steps_per_epoch_;
    run.accumulating = !group_ends;
    if (group_ends) {
      if (o.check_finite) check_finite_gradients(named_params);
      if (o.clip_grad_norm > 0) optim::clip_grad_norm_(params, o.clip_grad_norm);
      if (o.clip_grad_value > 0) optim::clip_grad_value_(params, o.clip_grad_value);
      optimizer_->step();
      optimizer_->zero_grad();
      ++global_step_;
      if (o.scheduler && o.schedule_every == ScheduleEvery::kStep) o.scheduler->step();
    }
    run.batches_done = batch_ + 1;
    const Logs logs{{"loss", run.loss_sum / static_cast<double>(run.loss_count)},
                    {"batch_loss", batch_loss}};
    for (const auto& cb : run.callbacks) cb->on_batch_end(*this, batch_, logs);
    ++batch_;
    if (stop_requested_) break;
  }
  if (run.accumulating) {  // stopped inside a group: drop its gradients, as a fresh group would
    optimizer_->zero_grad();
    run.accumulating = false;
  }
}

void Trainer::check_finite_loss(double loss) const {
  ATHANOR_CHECK(std::isfinite(loss),
                "Trainer::fit: the loss is {} at epoch {}, batch {} (step {}); nothing of this "
                "batch was applied. Lower the learning rate, clip the gradients, or find the op "
                "that first gives a non-finite value with set_detect_anomaly(true) (athanor train "
                "--detect-anomaly)",
                std::isnan(loss) ? "nan" : fmt::format("{}", loss), epoch_, batch_, global_step_);
}

void Trainer::check_finite_gradients(
    const std::vector<std::pair<std::string, Tensor>>& named_params) const {
  NoGradGuard no_grad;
  for (const auto& [name, param] : named_params) {
    const Tensor& g = param.grad();
    if (!g.defined()) continue;
    // The largest magnitude is finite exactly when every element is (NaN propagates).
    const double largest = amax(abs(g), {}).item<double>();
    ATHANOR_CHECK(std::isfinite(largest),
                  "Trainer::fit: the gradient of {} (shape {}) holds {} at epoch {}, batch {} "
                  "(step {}); the optimizer step was not taken. Lower the learning rate, clip "
                  "the gradients, or find the op with set_detect_anomaly(true) (athanor train "
                  "--detect-anomaly)",
                  name, g.shape(), std::isnan(largest) ? "nan" : "inf", epoch_, batch_,
                  global_step_);
  }
}

Logs Trainer::running_logs() const {
  ATHANOR_CHECK(run_ != nullptr, "Trainer::running_logs: no fit is running");
  Logs logs;
  logs.set("loss", run_->loss_count > 0 ? run_->loss_sum / static_cast<double>(run_->loss_count)
                                        : std::nan(""));
  if (run_->metric_count > 0) {
    for (auto& metric : run_->train_metrics) logs.set(metric.name(), metric.compute());
  }
  return logs;
}

Logs Trainer::validate(Run& run) {
  return evaluate(run.validation,
                  {.batch_size = run.options.batch_size, .metrics = run.val_metrics});
}

Logs Trainer::evaluate(const Tensor& inputs, const Tensor& targets, EvaluateOptions options) {
  return evaluate(std::make_shared<data::TensorDataset>(inputs, targets), std::move(options));
}

Logs Trainer::evaluate(std::shared_ptr<const data::Dataset> data, EvaluateOptions options) {
  ATHANOR_CHECK(data != nullptr, "Trainer::evaluate: expected a dataset, got a null pointer");
  ATHANOR_CHECK(data->size() > 0, "Trainer::evaluate: the dataset is empty");
  ATHANOR_CHECK(options.batch_size >= 1, "Trainer::evaluate: batch_size must be >= 1, got {}",
                options.batch_size);
  ModeGuard mode(*model_, /*training=*/false);
  NoGradGuard no_grad;
  for (auto& metric : options.metrics) metric.reset();
  data::DataLoader loader(data, {.batch_size = options.batch_size});
  double loss_sum = 0;
  int64_t count = 0;
  for (auto& batch : loader) {
    const Tensor output = (*model_)(batch.input);
    const int64_t n = batch_examples(batch.input);
    loss_sum += loss_(output, batch.target).item<double>() * static_cast<double>(n);
    count += n;
    for (auto& metric : options.metrics) metric.update(output, batch.target);
  }
  Logs logs;
  logs.set("loss", loss_sum / static_cast<double>(count));
  for (auto& metric : options.metrics) logs.set(metric.name(), metric.compute());
  return logs;
}

Tensor Trainer::predict(const Tensor& inputs, int64_t batch_size) {
  ATHANOR_CHECK(inputs.dim() >= 1,
                "Trainer::predict: expected inputs with a batch dimension, got "
                "shape {}",
                inputs.shape());
  return predict(std::make_shared<data::TensorDataset>(inputs), batch_size);
}

Tensor Trainer::predict(std::shared_ptr<const data::Dataset> data, int64_t batch_size) {
  ATHANOR_CHECK(data != nullptr, "Trainer::predict: expected a dataset, got a null pointer");
  ATHANOR_CHECK(batch_size >= 1, "Trainer::predict: batch_size must be >= 1, got {}", batch_size);
  ModeGuard mode(*model_, /*training=*/false);
  NoGradGuard no_grad;
  std::vector<Tensor> outputs;
  data::DataLoader loader(data, {.batch_size = batch_size});
  for (auto& batch : loader) outputs.push_back((*model_)(batch.input));
  ATHANOR_CHECK(!outputs.empty(), "Trainer::predict: the dataset is empty");
  return outputs.size() == 1 ? outputs[0] : concat(outputs, 0);
}

}  // namespace athanor::train
