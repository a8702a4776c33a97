// include/athanor/config/builders.h: turning a RunConfig into training objects: datasets with
// their fitted preprocessing, the model (input sizes inferred from the data), loss, optimizer,
// schedule, metrics, callbacks and the Trainer's FitOptions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <athanor/config/run_config.h>
#include <athanor/core/shape.h>
#include <athanor/data/dataset.h>
#include <athanor/io/safetensors.h>
#include <athanor/metrics/metric.h>
#include <athanor/nn/module.h>
#include <athanor/optim/lr_scheduler.h>
#include <athanor/optim/optimizer.h>
#include <athanor/tensor/tensor.h>
#include <athanor/train/callback.h>
#include <athanor/train/trainer.h>

namespace athanor::config {

/// What was done to the raw inputs before training, fitted on the training split, so that
/// evaluation and prediction apply exactly the same: dtype conversion (uint8 pixels / 255),
/// reshaping to the example shape, then normalization.
class Preprocessing {
 public:
  /// "classification" or "regression".
  std::string task = "classification";
  /// "none", "standardize", "minmax" or "scale".
  std::string normalize = "none";
  /// The shape of one example as the model sees it, e.g. [30] or [1, 28, 28].
  Shape input_shape;
  /// Class id -> name (classification), and the CSV feature columns' names (tabular data).
  std::vector<std::string> class_names;
  std::vector<std::string> feature_names;
  /// The fitted statistics (float64, shaped to broadcast over one example): "mean", "std" for
  /// standardize, "min", "max" for minmax; none otherwise.
  TensorDict statistics;

  /// raw [N, ...] (a CSV's float features, IDX bytes [N, H, W], images [N, C, H, W]) ->
  /// float32 [N, input_shape...], normalized. Throws when an example's size differs from
  /// input_shape's.
  Tensor apply(const Tensor& raw_inputs) const;
  /// Keys "athanor.task", "athanor.normalize", "athanor.input_shape", "athanor.class_names",
  /// "athanor.feature_names" and "athanor.<statistic>" (values as TOML text; numbers exact).
  io::Metadata to_metadata() const;
  static Preprocessing from_metadata(const io::Metadata& metadata);
};

/// The datasets of a run. Augmentation applies to train only; validation and test may be null
/// (no split configured).
struct PreparedData {
  std::shared_ptr<const data::Dataset> train, validation, test;
  /// One example's input shape (without the batch dim).
  Shape input_shape;
  /// Classification: the number of classes and their names; 0 and empty for regression.
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
  /// The model's output width the loss expects: classes (cross_entropy, nll), 1 (bce,
  /// bce_with_logits, hinge: two classes), or the target columns (regression).
  int64_t num_outputs = 1;
  Preprocessing preprocessing;
};

/// Reads and splits the data, fits the normalization on the training split and applies it to
/// every split. A missing file names its path (and, for Fashion-MNIST, the Debian package).
PreparedData load_data(const RunConfig& config);

/// The model of [model] as a Sequential, each layer sized from the running shape of a probe
/// batch (example_shape per example). `num_outputs` fills `units = "outputs"` (and the last
/// linear layer when it leaves units out). A layer that does not fit names itself and the shape:
/// "model.layers[3] (linear): expects input [features], got input shape [64, 13, 13]; ...".
/// Parameters are drawn from the default generator (seed it first for reproducible weights).
std::shared_ptr<nn::Module> build_model(const ModelConfig& config, const Shape& example_shape,
                                        int64_t num_outputs);

/// The loss of [loss] adapted to the data's targets (class ids become float 0/1 of the output's
/// shape for bce and bce_with_logits, -1/+1 for hinge). Penalties are in fit_options.
train::Trainer::LossFn build_loss(const LossConfig& config);

/// The optimizer of [optimizer] over `params`.
std::unique_ptr<optim::Optimizer> build_optimizer(const OptimizerConfig& config,
                                                  std::vector<Tensor> params);

/// The schedule of [schedule] (with its warm-up) over `optimizer`, or null when there is none or
/// it is "plateau" (that one is a callback: see build_callbacks). `steps_per_epoch`: optimizer
/// steps per epoch, to resolve "auto" lengths.
std::shared_ptr<optim::LRScheduler> build_schedule(const RunConfig& config,
                                                   optim::Optimizer& optimizer,
                                                   int64_t steps_per_epoch);

/// The metrics of [train].metrics; `num_classes` resolves the default average of precision,
/// recall and f1 (binary for 2 classes, macro otherwise).
metrics::MetricList build_metrics(const RunConfig& config, int64_t num_classes);

/// Early stopping, TerminateOnNaN, ModelCheckpoint (run_dir/checkpoints), CSVLogger
/// (run_dir/metrics.csv), TensorBoard (run_dir/tensorboard, when on) and ReduceLROnPlateau (a
/// "plateau" schedule). Nothing is written until training starts.
train::CallbackList build_callbacks(const RunConfig& config, const std::filesystem::path& run_dir);

/// Optimizer steps per epoch for `train_size` examples: ceil(ceil(train_size / batch_size) /
/// accumulate_steps).
int64_t steps_per_epoch(const RunConfig& config, int64_t train_size);

/// Everything Trainer::fit needs: epochs, batching, seed, validation data, metrics, clipping,
/// accumulation, the schedule, the l1/l2 penalty over `model`'s parameters, and the callbacks.
train::FitOptions fit_options(const RunConfig& config, const PreparedData& data, nn::Module& model,
                              optim::Optimizer& optimizer, const std::filesystem::path& run_dir);

}  // namespace athanor::config
