// include/athanor/train/trainer.h: Trainer, Keras's fit / evaluate / predict over any Module,
// Optimizer and loss, built from the same parts as a hand-written PyTorch-style loop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <athanor/data/dataset.h>
#include <athanor/metrics/metrics.h>
#include <athanor/nn/module.h>
#include <athanor/optim/lr_scheduler.h>
#include <athanor/optim/optimizer.h>
#include <athanor/tensor/tensor.h>
#include <athanor/train/callback.h>
#include <athanor/train/logs.h>

namespace athanor::train {

/// When FitOptions::scheduler steps: after every optimizer step, or after every epoch.
enum class ScheduleEvery { kStep, kEpoch };

struct FitOptions {
  /// The epoch to stop before, counted from 0 (Keras's `epochs`): a resumed fit with the same
  /// options ends where the uninterrupted one would.
  int64_t epochs = 1;
  int64_t batch_size = 32;
  /// A new seeded order each epoch (the order of epoch e depends only on seed and e).
  bool shuffle = true;
  uint64_t seed = 0;
  bool drop_last = false;
  int num_workers = 0;
  /// Hold out this fraction of the training data, taken from its end before any shuffling (as
  /// Keras), for validation. Exclusive with validation_data.
  double validation_split = 0;
  std::shared_ptr<const data::Dataset> validation_data = nullptr;
  /// Computed on the training batches (as running values) and on the validation data ("val_"
  /// prefix). The list is copied: fit never changes the metrics it was given.
  metrics::MetricList metrics = {};
  /// Average the gradients of this many batches before each optimizer step (the loss is divided
  /// by it); a last, shorter group at the end of an epoch is stepped too.
  int64_t accumulate_steps = 1;
  /// Before each step: rescale the gradients to this total 2-norm when above it (0: off)...
  double clip_grad_norm = 0;
  /// ...and/or clamp each gradient element into [-clip_grad_value, clip_grad_value] (0: off).
  double clip_grad_value = 0;
  /// A schedule over the trainer's optimizer, stepped after each optimizer step or each epoch.
  std::shared_ptr<optim::LRScheduler> scheduler = nullptr;
  ScheduleEvery schedule_every = ScheduleEvery::kStep;
  /// Added to each batch's loss, e.g. [&] { return 1e-4 * nn::l2_penalty(model.parameters()); }.
  std::function<Tensor()> penalty = nullptr;
  /// Stop with an error at the first NaN or infinite loss or gradient, before the optimizer
  /// applies it (so weights and checkpoints stay finite), naming the epoch, batch, step and the
  /// parameter. Costs a read of the gradients per step.
  bool check_finite = true;
  CallbackList callbacks = {};
  /// 1: a ProgressBar on stdout is added in front of the callbacks unless one is given; 0: none.
  int verbose = 1;
  /// Continue a run from a checkpoint: a ModelCheckpoint directory (its latest checkpoint) or one
  /// checkpoint's path as written by save_checkpoint. Empty: start afresh.
  std::filesystem::path resume_from = {};
};

struct EvaluateOptions {
  int64_t batch_size = 32;
  metrics::MetricList metrics = {};
};

/// Trains `model` with `optimizer` on `loss(output, target)`:
///
///   train::Trainer trainer(model, opt, nn::CrossEntropyLoss());
///   train::History h = trainer.fit(train_set, {.epochs = 10, .batch_size = 64,
///       .validation_split = 0.1, .metrics = {metrics::Accuracy()},
///       .callbacks = {train::EarlyStopping({.monitor = "val_loss", .patience = 3})}});
///   train::Logs scores = trainer.evaluate(test_set, {.metrics = {metrics::Accuracy()}});
///
/// The model is held by reference semantics (a copy of a Module shares its parameters, so the
/// caller's model is the one trained); the optimizer must outlive the trainer and hold the
/// model's parameters. Same seed, options and thread count give bit-identical weights, also
/// across a checkpoint and resume.
class Trainer {
 public:
  using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;

  template <typename M>
  Trainer(M&& model, optim::Optimizer& optimizer, LossFn loss)
      : Trainer(nn::make_shared_module(std::forward<M>(model)), optimizer, std::move(loss)) {}
  Trainer(std::shared_ptr<nn::Module> model, optim::Optimizer& optimizer, LossFn loss);

  /// Trains for options.epochs epochs (fewer when a callback stops it) and returns the History
  /// of the epochs run by this call (after a resume: including those before it).
  History fit(std::shared_ptr<const data::Dataset> train, FitOptions options = {});
  History fit(const Tensor& inputs, const Tensor& targets, FitOptions options = {});

  /// Mean loss (weighted by batch size) and metrics over `data`, in eval mode without autograd;
  /// keys "loss" and each metric's name.
  Logs evaluate(std::shared_ptr<const data::Dataset> data, EvaluateOptions options = {});
  Logs evaluate(const Tensor& inputs, const Tensor& targets, EvaluateOptions options = {});

  /// The model's outputs for every input, batched, in eval mode without autograd, concatenated
  /// along dim 0. The model's train/eval mode is restored afterwards.
  Tensor predict(std::shared_ptr<const data::Dataset> data, int64_t batch_size = 32);
  Tensor predict(const Tensor& inputs, int64_t batch_size = 32);

  nn::Module& model() const { return *model_; }
  optim::Optimizer& optimizer() const { return *optimizer_; }

  // ---- The running fit, for callbacks ----
  /// The epoch running (from 0), and the epoch fit stops before.
  int64_t epoch() const { return epoch_; }
  int64_t epochs() const { return epochs_; }
  /// The batch running within the epoch (from 0), and the batches per epoch.
  int64_t batch() const { return batch_; }
  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  /// Optimizer steps taken since the run began (continues across resumes).
  int64_t global_step() const { return global_step_; }
  const History& history() const { return history_; }
  /// Ends fit after the current batch, as Keras's `model.stop_training = True`.
  void stop_training() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }
  /// The loss and training metrics of the epoch so far (computing the metrics).
  Logs running_logs() const;

  /// Writes a resumable checkpoint of the running fit: `<stem>.safetensors` (the model's state
  /// dict, PyTorch's keys, loadable by Python's safetensors + load_state_dict), then
  /// `<stem>.state.safetensors` (optimizer, schedule, generators, epoch, step, data position,
  /// history, callback states, and the CRC32C of the weights file). Each file is written
  /// atomically. Only valid inside fit, at a batch or epoch end.
  void save_checkpoint(const std::filesystem::path& stem) const;

 private:
  struct Run;  // one fit's loaders, metrics, callbacks and position
  void train_epoch(Run& run);
  Logs validate(Run& run);
  void restore(Run& run, const std::filesystem::path& from);
  void load_callback_states(Run& run);
  void check_finite_loss(double loss) const;
  void check_finite_gradients(
      const std::vector<std::pair<std::string, Tensor>>& named_params) const;

  std::shared_ptr<nn::Module> model_;
  optim::Optimizer* optimizer_;
  LossFn loss_;

  Run* run_ = nullptr;  // the running fit, if any
  int64_t epoch_ = 0;
  int64_t epochs_ = 0;
  int64_t batch_ = 0;
  int64_t steps_per_epoch_ = 0;
  int64_t global_step_ = 0;
  bool stop_requested_ = false;
  History history_;
};

}  // namespace athanor::train
