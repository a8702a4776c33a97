// src/config/builders_test.cpp: the builders: model shape inference (MLP, CNN, residual) and its
// errors, data loading with splits and train-only normalization, Preprocessing's metadata round
// trip, the loss/optimizer/schedule/metrics/callbacks, and a short fit through fit_options.
#include <cmath>

#include <gtest/gtest.h>

#include <athanor/config/config.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/data/csv.h>
#include <athanor/data/idx.h>
#include <athanor/nn/containers.h>
#include <athanor/nn/linear.h>
#include <athanor/ops/join.h>
#include <athanor/optim/sgd.h>

#include "data/temp_dir_test_util.h"
#include "testing/expect_error.h"
#include "testing/matchers.h"

namespace athanor::config {
namespace {

using data::testing::TempDir;

const std::string kSklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/data/";

ModelConfig model_of(const std::string& layers) {
  TempDir dir;
  const std::string text = "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                           "iris.csv\"\n[model]\nlayers = [" + layers + "]\n";
  return load_run_file(dir.write("m.toml", text)).model;
}

std::shared_ptr<nn::Module> build(const std::string& layers, const Shape& example,
                                  int64_t outputs) {
  return build_model(model_of(layers), example, outputs);
}

Shape output_shape(nn::Module& model, Shape batch) {
  model.eval();
  return model(zeros(batch)).shape();
}

TEST(BuildModel, MlpInfersInFeaturesAndOutputs) {
  auto model = build(R"({ type = "linear", units = 16 }, { type = "relu" },
                        { type = "dropout", p = 0.2 }, { type = "linear" })",
                     {4}, 3);
  auto& seq = dynamic_cast<nn::Sequential&>(*model);
  EXPECT_EQ(seq.at<nn::Linear>(0).in_features(), 4);
  EXPECT_EQ(seq.at<nn::Linear>(3).in_features(), 16);
  EXPECT_EQ(seq.at<nn::Linear>(3).out_features(), 3);
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(output_shape(*model, {5, 4}), Shape({5, 3}));
  EXPECT_EQ(model->num_parameters(), 4 * 16 + 16 + 16 * 3 + 3);
}

TEST(BuildModel, CnnInfersChannelsAndFlattenedSize) {
  auto model = build(R"({ type = "conv2d", filters = 8, kernel = 3, padding = 1 },
                        { type = "batchnorm" }, { type = "relu" },
                        { type = "maxpool2d", kernel = 2 },
                        { type = "conv2d", filters = 16, kernel = 3 }, { type = "relu" },
                        { type = "maxpool2d", kernel = 2 }, { type = "flatten" },
                        { type = "linear", units = 32 }, { type = "batchnorm" },
                        { type = "linear", units = "classes" })",
                     {1, 28, 28}, 10);
  auto& seq = dynamic_cast<nn::Sequential&>(*model);
  EXPECT_EQ(seq[1].type_name(), "BatchNorm2d");
  // 28 -> pool 14 -> conv3 12 -> pool 6: 16 * 6 * 6 features.
  EXPECT_EQ(seq.at<nn::Linear>(8).in_features(), 16 * 6 * 6);
  EXPECT_EQ(seq[9].type_name(), "BatchNorm1d");
  EXPECT_EQ(output_shape(*model, {2, 1, 28, 28}), Shape({2, 10}));
  EXPECT_NE(model->summary({1, 1, 28, 28}).find("Conv2d"), std::string::npos);
}

TEST(BuildModel, ResidualUsesIdentityOrAProjectionShortcut) {
  auto model = build(R"({ type = "conv2d", filters = 8, kernel = 3, padding = 1 },
      { type = "residual", layers = [{ type = "conv2d", filters = 8, kernel = 3, padding = 1 },
                                     { type = "batchnorm" }, { type = "relu" }] },
      { type = "residual", layers = [
          { type = "conv2d", filters = 16, kernel = 3, padding = 1, stride = 2 },
          { type = "batchnorm" }] },
      { type = "adaptive_avgpool2d" }, { type = "flatten" }, { type = "linear" })",
                     {1, 8, 8}, 4);
  std::vector<std::string> keys = model->state_dict().keys();
  auto has = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  EXPECT_TRUE(has("1.body.0.weight"));
  EXPECT_FALSE(has("1.shortcut.0.weight"));  // same shape: identity
  EXPECT_TRUE(has("2.shortcut.0.weight"));   // 8x8x8 -> 16x4x4: strided 1x1 conv
  EXPECT_TRUE(has("2.shortcut.1.running_mean"));
  EXPECT_EQ(output_shape(*model, {3, 1, 8, 8}), Shape({3, 4}));
}

TEST(BuildModel, ALayerThatDoesNotFitNamesItselfAndTheShape) {
  const std::string cnn = R"({ type = "conv2d", filters = 8, kernel = 3, padding = 1 },
                             { type = "relu" }, { type = "maxpool2d", kernel = 2 },)";
  EXPECT_THROW_WITH_MESSAGE(
      build(cnn + R"({ type = "linear", units = 10 })", {1, 28, 28}, 10),
      "model.layers[3] (linear): expects input [features], got input shape [8, 14, 14]; add "
      "{ type = \"flatten\" } before it");
  EXPECT_THROW_WITH_MESSAGE(build(R"({ type = "conv2d", filters = 4, kernel = 3 })", {30}, 2),
                            "model.layers[0] (conv2d): expects input [channels, height, width], "
                            "got input shape [30]");
  EXPECT_THROW_WITH_MESSAGE(
      build(R"({ type = "conv2d", filters = 4, kernel = 5 }, { type = "flatten" },
               { type = "linear" })",
            {1, 3, 3}, 2),
      "model.layers[0] (conv2d): does not fit input shape [1, 3, 3]: ");
  EXPECT_THROW_WITH_MESSAGE(
      build(R"({ type = "linear", units = 8 }, { type = "relu" })", {4}, 3),
      "model: the last layer gives output shape [8] per example, but the data and loss need [3]; "
      "end the model with { type = \"linear\", units = \"outputs\" }");
  // Features [4] -> [3]: a linear projection shortcut.
  auto projected = build(R"({ type = "residual", layers = [{ type = "linear", units = 3 }] },
                            { type = "linear" })",
                         {4}, 2);
  EXPECT_EQ(output_shape(*projected, {2, 4}), Shape({2, 2}));
}

TEST(BuildModel, RecurrentLayersReturnTheFinalStateOrTheSequence) {
  const std::string head = R"({ type = "reshape", shape = [6, -1] },)";
  auto last = build(head + R"({ type = "lstm", units = 5, num_layers = 2, bidirectional = true },
                               { type = "linear" })",
                    {1, 6, 4}, 3);
  auto seq = build(head + R"({ type = "lstm", units = 5, num_layers = 2, bidirectional = true, )"
                          R"(return_sequences = true })",
                   {1, 6, 4}, 0);
  EXPECT_EQ(last->state_dict().keys()[0], "1.weight_ih_l0");
  auto& last_seq = dynamic_cast<nn::Sequential&>(*last);
  EXPECT_EQ(last_seq[1].type_name(), "LSTM");
  EXPECT_EQ(last_seq.at<nn::Linear>(2).in_features(), 10);  // both directions
  TensorDict weights = last->state_dict();
  weights.erase("2.weight");
  weights.erase("2.bias");
  seq->load_state_dict(weights);
  last->eval();
  seq->eval();
  const Tensor x = randn(Shape{3, 1, 6, 4});
  const Tensor all = (*seq)(x);  // [N, T, 2 H]
  EXPECT_EQ(all.shape(), Shape({3, 6, 10}));
  // The final state: the forward direction's last step, the backward direction's first.
  const Tensor expected =
      concat({all.select(1, 5).narrow(1, 0, 5), all.select(1, 0).narrow(1, 5, 5)}, 1);
  const Tensor features = last_seq[1](last_seq[0](x));
  EXPECT_TENSOR_EQ(features, expected);
  for (const char* type : {"rnn", "gru"}) {
    auto m =
        build(head + fmt::format(R"({{ type = "{}", units = 7 }}, {{ type = "linear" }})", type),
              {1, 6, 4}, 2);
    EXPECT_EQ(output_shape(*m, {2, 1, 6, 4}), Shape({2, 2}));
  }
  EXPECT_THROW_WITH_MESSAGE(
      build(R"({ type = "lstm", units = 8 }, { type = "linear" })", {1, 28, 28}, 10),
      "model.layers[0] (lstm): expects input [steps, features], got input "
      "shape [1, 28, 28]; add { type = \"reshape\", shape = [28, 28] } "
      "before it");
}

// ---- Data ----

RunConfig config_of(const TempDir& dir, const std::string& text) {
  return load_run_file(dir.write("run.toml", text));
}

/// Column means and population standard deviations of x [N, F].
std::pair<std::vector<double>, std::vector<double>> column_stats(const Tensor& x) {
  const Tensor d = x.to(kFloat64).contiguous();
  const int64_t n = d.shape(0), f = d.shape(1);
  const std::vector<double> v = d.to_vector<double>();
  std::vector<double> mean(static_cast<size_t>(f), 0.0), sd(static_cast<size_t>(f), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < f; ++j) mean[j] += v[i * f + j] / static_cast<double>(n);
  }
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < f; ++j) {
      sd[j] += (v[i * f + j] - mean[j]) * (v[i * f + j] - mean[j]) / static_cast<double>(n);
    }
  }
  for (double& s : sd) s = std::sqrt(s);
  return {mean, sd};
}

Tensor inputs_of(const data::Dataset& d) {
  return dynamic_cast<const data::TensorDataset&>(d).inputs();
}

TEST(LoadData, BreastCancerSplitsStratifiedAndStandardizesOnTrainOnly) {
  TempDir dir;
  const RunConfig c = config_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                                         "breast_cancer.csv\"\n[model]\nlayers = [{ type = "
                                         "\"linear\" }]\n[loss]\nname = \"bce_with_logits\"\n");
  const PreparedData d = load_data(c);
  ASSERT_TRUE(d.validation && d.test);
  EXPECT_EQ(d.train->size() + d.validation->size() + d.test->size(), 569);
  EXPECT_NEAR(static_cast<double>(d.test->size()), 0.2 * 569, 2);
  EXPECT_NEAR(static_cast<double>(d.validation->size()), 0.1 * 569, 2);
  EXPECT_EQ(d.input_shape, Shape({30}));
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.num_outputs, 1);  // one logit for bce_with_logits
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"malignant", "benign"}));
  // Fitted on the training split: its columns have mean 0 and std 1, the held-out ones do not.
  auto [mean, sd] = column_stats(inputs_of(*d.train));
  double largest_mean = 0, largest_sd_error = 0;
  for (size_t j = 0; j < mean.size(); ++j) {
    largest_mean = std::max(largest_mean, std::abs(mean[j]));
    largest_sd_error = std::max(largest_sd_error, std::abs(sd[j] - 1));
  }
  EXPECT_LT(largest_mean, 1e-5);
  EXPECT_LT(largest_sd_error, 1e-5);
  auto [test_mean, test_sd] = column_stats(inputs_of(*d.test));
  double test_largest_mean = 0;
  for (double m : test_mean) test_largest_mean = std::max(test_largest_mean, std::abs(m));
  EXPECT_GT(test_largest_mean, 1e-2);
  // The stored statistics are those of the raw training split: mean + std * z gives raw values
  // whose column mean is the stored mean.
  const Tensor stored_mean = d.preprocessing.statistics.at("mean");
  EXPECT_EQ(stored_mean.shape(), Shape({30}));
  EXPECT_EQ(stored_mean.dtype(), kFloat64);
  // Stratified: the training split keeps the 212 : 357 class ratio within one example.
  const Tensor y = dynamic_cast<const data::TensorDataset&>(*d.train).targets();
  int64_t malignant = 0;
  for (int64_t v : y.to_vector<int64_t>()) malignant += v == 0;
  EXPECT_NEAR(static_cast<double>(malignant), 212.0 / 569.0 * static_cast<double>(d.train->size()),
              1.0);
}

TEST(LoadData, StoredStatisticsEqualTheTrainingSplitsOwn) {
  TempDir dir;
  // No held-out split: the training split is the whole file, so its statistics are known.
  const RunConfig c = config_of(
      dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
               "iris.csv\"\nvalidation_split = 0.0\ntest_split = 0.0\n[model]\nlayers = [{ type "
               "= \"linear\" }]\n[output]\ncheckpoint = { monitor = \"loss\" }\n");
  const PreparedData d = load_data(c);
  const data::CsvData raw = data::sklearn_csv(kSklearn + "iris.csv");
  auto [mean, sd] = column_stats(raw.features);
  const std::vector<double> stored_mean = d.preprocessing.statistics.at("mean").to_vector<double>();
  const std::vector<double> stored_std = d.preprocessing.statistics.at("std").to_vector<double>();
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(stored_mean[j], mean[j], 1e-12);
    EXPECT_NEAR(stored_std[j], sd[j], 1e-12);
  }
}

TEST(LoadData, CsvWithNamedLabelColumnAndRegressionTargetsFile) {
  TempDir dir;
  dir.write("x.csv", "a b\n1 10\n2 20\n3 30\n4 40\n5 50\n");
  dir.write("y.csv", "t\n1.5\n2.5\n3.5\n4.5\n5.5\n");
  const RunConfig c = config_of(dir, R"([data]
format = "csv"
train = "x.csv"
train_labels = "y.csv"
delimiter = " "
task = "regression"
validation_split = 0.2
test_split = 0.2
normalize = "minmax"
[model]
layers = [{ type = "linear" }]
)");
  const PreparedData d = load_data(c);
  EXPECT_EQ(d.train->size(), 3);
  EXPECT_EQ(d.num_classes, 0);
  EXPECT_EQ(d.num_outputs, 1);
  EXPECT_EQ(d.preprocessing.feature_names, (std::vector<std::string>{"a", "b"}));
  const Tensor x = inputs_of(*d.train);
  const std::vector<float> v = x.to_vector<float>();
  EXPECT_EQ(*std::min_element(v.begin(), v.end()), 0.0f);
  EXPECT_EQ(*std::max_element(v.begin(), v.end()), 1.0f);
  const Tensor y = dynamic_cast<const data::TensorDataset&>(*d.train).targets();
  EXPECT_EQ(y.shape(), Shape({3, 1}));
}

TEST(LoadData, IdxFilesWithATestFile) {
  TempDir dir;
  const std::string fm = "/usr/share/datasets/fashion-mnist/";
  const RunConfig c = config_of(dir, "[data]\nformat = \"idx\"\ntrain = \"" + fm +
                                         "t10k-images-idx3-ubyte.gz\"\ntrain_labels = \"" + fm +
                                         "t10k-labels-idx1-ubyte.gz\"\ntest = \"" + fm +
                                         "t10k-images-idx3-ubyte.gz\"\ntest_labels = \"" + fm +
                                         "t10k-labels-idx1-ubyte.gz\"\nnormalize = "
                                         "\"standardize\"\n[model]\nlayers = [{ type = "
                                         "\"flatten\" }, { type = \"linear\" }]\n");
  EXPECT_EQ(c.data.test_split, 0.0);
  const PreparedData d = load_data(c);
  EXPECT_EQ(d.input_shape, Shape({1, 28, 28}));
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.class_names[3], "3");  // IDX labels carry no names
  EXPECT_EQ(d.test->size(), 10000);
  EXPECT_EQ(d.train->size() + d.validation->size(), 10000);
  // Per-channel statistics for images: one mean for the single channel.
  EXPECT_EQ(d.preprocessing.statistics.at("mean").shape(), Shape({1, 1, 1}));
  // apply() on the raw bytes reproduces the prepared test inputs.
  const Tensor raw = data::read_idx(fm + "t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(d.preprocessing.apply(raw.narrow(0, 0, 5)).to_vector<float>(),
            inputs_of(*d.test).narrow(0, 0, 5).contiguous().to_vector<float>());
}

TEST(LoadData, MissingFashionMnistNamesThePackage) {
  TempDir dir;
  EXPECT_THAT(athanor::testing::error_message([&] {
                config_of(dir, "[data]\nformat = \"fashion-mnist\"\ndir = \"/nonexistent/fm\"\n");
              }),
              ::testing::EndsWith(":3: data.dir: no such file or directory: /nonexistent/fm; "
                                  "install dataset-fashion-mnist (apt-get install "
                                  "dataset-fashion-mnist)"));
}

TEST(LoadData, BinaryLossNeedsTwoClasses) {
  TempDir dir;
  const RunConfig c = config_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                                         "iris.csv\"\n[model]\nlayers = [{ type = \"linear\" "
                                         "}]\n[loss]\nname = \"bce\"\n");
  EXPECT_THROW_WITH_MESSAGE(load_data(c),
                            "loss.name: \"bce\" is a binary loss; expected data with 2 classes, "
                            "got 3; use cross_entropy for 3 classes");
}

TEST(Preprocessing, MetadataRoundTripAndApply) {
  TempDir dir;
  const RunConfig c = config_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                                         "iris.csv\"\n[model]\nlayers = [{ type = \"linear\" }]\n");
  const PreparedData d = load_data(c);
  const io::Metadata m = d.preprocessing.to_metadata();
  EXPECT_EQ(m.at("athanor.class_names"), "[\"setosa\", \"versicolor\", \"virginica\"]");
  EXPECT_EQ(m.at("athanor.input_shape"), "[4]");
  const Preprocessing back = Preprocessing::from_metadata(m);
  EXPECT_EQ(back.task, "classification");
  EXPECT_EQ(back.normalize, "standardize");
  EXPECT_EQ(back.input_shape, Shape({4}));
  EXPECT_EQ(back.class_names, d.preprocessing.class_names);
  EXPECT_EQ(back.feature_names, d.preprocessing.feature_names);
  for (const char* name : {"mean", "std"}) {
    EXPECT_EQ(back.statistics.at(name).to_vector<double>(),
              d.preprocessing.statistics.at(name).to_vector<double>())
        << name;  // bit-exact through text
  }
  const data::CsvData raw = data::sklearn_csv(kSklearn + "iris.csv");
  EXPECT_EQ(back.apply(raw.features).to_vector<float>(),
            d.preprocessing.apply(raw.features).to_vector<float>());
  // apply() standardizes: the first row by hand.
  const std::vector<double> mean = back.statistics.at("mean").to_vector<double>();
  const std::vector<double> sd = back.statistics.at("std").to_vector<double>();
  const std::vector<float> row0 = back.apply(raw.features).select(0, 0).to_vector<float>();
  const std::vector<float> x0 = raw.features.select(0, 0).to_vector<float>();
  for (size_t j = 0; j < 4; ++j) {
    EXPECT_NEAR(row0[j], (x0[j] - mean[j]) / sd[j], 1e-5);
  }
  EXPECT_THROW_WITH_MESSAGE(back.apply(zeros({2, 5})),
                            "Preprocessing::apply: expected 2 inputs of shape [4] (4 values "
                            "each), got input shape [2, 5]");
}

TEST(Preprocessing, ImagesFromBytes) {
  Preprocessing p;
  p.input_shape = {1, 2, 2};
  const Tensor raw = Tensor::from(std::vector<int64_t>{0, 51, 255, 102}, {1, 2, 2}).to(kUInt8);
  const Tensor x = p.apply(raw);
  EXPECT_EQ(x.shape(), Shape({1, 1, 2, 2}));
  EXPECT_EQ(x.to_vector<float>(), (std::vector<float>{0.0f, 0.2f, 1.0f, 0.4f}));
  const Preprocessing back = Preprocessing::from_metadata(p.to_metadata());
  EXPECT_EQ(back.normalize, "none");
  EXPECT_EQ(back.input_shape, Shape({1, 2, 2}));
}

// ---- Loss, optimizer, schedule, metrics, fit ----

TEST(Builders, LossOptimizerScheduleAndMetrics) {
  TempDir dir;
  const RunConfig c = config_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                                         R"(breast_cancer.csv"
[model]
layers = [{ type = "linear" }]
[loss]
name = "bce_with_logits"
[optimizer]
name = "sgd"
lr = 0.5
momentum = 0.9
[schedule]
name = "cosine"
warmup_steps = 10
[train]
epochs = 2
metrics = ["accuracy", "f1", "precision_macro", "auc"]
)");
  const Tensor w = zeros({1, 2}).set_requires_grad();
  auto opt = build_optimizer(c.optimizer, {w});
  EXPECT_EQ(opt->name(), "SGD");
  EXPECT_EQ(opt->lr(0), 0.5);
  auto schedule = build_schedule(c, *opt, 20);
  ASSERT_NE(schedule, nullptr);
  // A linear warm-up from 1e-3 * lr over 10 steps, then a cosine over the other 30.
  EXPECT_DOUBLE_EQ(opt->lr(0), 0.5e-3);
  for (int i = 0; i < 10; ++i) schedule->step();
  EXPECT_DOUBLE_EQ(opt->lr(0), 0.5);
  for (int i = 0; i < 15; ++i) schedule->step();
  EXPECT_NEAR(opt->lr(0), 0.25, 1e-12);
  const metrics::MetricList m = build_metrics(c, 2);
  EXPECT_EQ(m.names(), (std::vector<std::string>{"accuracy", "f1", "precision_macro", "auc"}));
  // bce_with_logits takes class ids: they become float targets of the output's shape.
  auto loss = build_loss(c.loss);
  const Tensor l = loss(Tensor::from({{0.0f}, {0.0f}}), Tensor::from({int64_t{0}, int64_t{1}}));
  EXPECT_NEAR(l.item<float>(), std::log(2.0f), 1e-6);
}

TEST(Builders, FitOptionsTrainIrisEndToEnd) {
  ScopedNumThreads threads(2);
  TempDir dir;
  const RunConfig c = config_of(dir, "[data]\nformat = \"sklearn_csv\"\ntrain = \"" + kSklearn +
                                         R"(iris.csv"
[model]
layers = [{ type = "linear", units = 16 }, { type = "relu" }, { type = "linear" }]
[optimizer]
name = "sgd"
lr = 0.1
momentum = 0.9
[train]
epochs = 30
batch_size = 16
early_stopping = { patience = 50 }
[schedule]
name = "plateau"
patience = 3
[output]
tensorboard = false
)");
  manual_seed(c.train.seed);
  const PreparedData d = load_data(c);
  auto model = build_model(c.model, d.input_shape, d.num_outputs);
  auto opt = build_optimizer(c.optimizer, model->parameters());
  train::FitOptions options = fit_options(c, d, *model, *opt, dir.root() / "run");
  options.verbose = 0;
  EXPECT_EQ(options.callbacks.size(), 5u);  // nan, plateau, early stopping, checkpoint, csv
  EXPECT_EQ(options.scheduler, nullptr);    // plateau is a callback
  train::Trainer trainer(model, *opt, build_loss(c.loss));
  trainer.fit(d.train, options);
  const train::Logs scores = trainer.evaluate(d.test, {.metrics = build_metrics(c, 3)});
  EXPECT_GE(scores.at("accuracy"), 0.9);
  EXPECT_TRUE(std::filesystem::exists(dir.root() / "run" / "metrics.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir.root() / "run" / "checkpoints"));
}

}  // namespace
}  // namespace athanor::config
