// bench/models.cpp: trains the four benchmark models of docs/performance.md (mlp, cnn, logreg,
// lstm) on Fashion-MNIST held in memory and prints one JSON line per run: seconds per epoch (the
// training loop only), samples per second, test accuracy and peak resident memory. Its twin in
// PyTorch is bench/peers/pytorch.py; bench/compare.py runs both and prints the ratios.
//
//   ./build/release/bench/bench_models --model mlp --threads 1 --epochs 1
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/parallel.h>
#include <athanor/core/random.h>
#include <athanor/data/data.h>
#include <athanor/io/safetensors.h>
#include <athanor/nn/nn.h>
#include <athanor/ops/compare.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/shape.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/sgd.h>

using namespace athanor;

namespace {

/// Each image as 28 steps (rows) of 28 features; the LSTM's last hidden state to 10 logits.
class RowLstm : public nn::Module {
 public:
  RowLstm()
      : lstm_(register_module(
            "lstm", std::make_shared<nn::LSTM>(28, 128, nn::RnnOptions{.batch_first = true}))),
        head_(register_module("head", std::make_shared<nn::Linear>(128, 10))) {}
  Tensor forward(const Tensor& images) override {
    const Tensor rows = reshape(images, {images.shape(0), 28, 28});
    return (*head_)(lstm_->forward_with_state(rows).h_n.select(0, 0));
  }
  std::string type_name() const override { return "RowLstm"; }

 private:
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::Linear> head_;
};

struct Setup {
  std::shared_ptr<nn::Module> model;
  std::unique_ptr<optim::Optimizer> optimizer;
  int64_t batch;
};

Setup make(const std::string& name) {
  Setup s;
  if (name == "mlp") {
    s.model =
        std::make_shared<nn::Sequential>(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(),
                                         nn::Linear(256, 128), nn::ReLU(), nn::Linear(128, 10));
    s.batch = 64;
  } else if (name == "cnn") {
    s.model = std::make_shared<nn::Sequential>(
        nn::Conv2d(1, 32, 3, {.padding = 1}), nn::ReLU(), nn::MaxPool2d(2),
        nn::Conv2d(32, 64, 3, {.padding = 1}), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
        nn::Linear(3136, 128), nn::ReLU(), nn::Linear(128, 10));
    s.batch = 64;
  } else if (name == "logreg") {
    s.model = std::make_shared<nn::Sequential>(nn::Flatten(), nn::Linear(784, 10));
    s.batch = 128;
  } else if (name == "lstm") {
    s.model = std::make_shared<RowLstm>();
    s.batch = 64;
  } else {
    throw Error(
        fmt::format("bench_models: unknown model '{}'; expected mlp, cnn, logreg or lstm", name));
  }
  if (name == "logreg") {
    s.optimizer = std::make_unique<optim::SGD>(s.model->parameters(), optim::SGDOptions{.lr = 0.1});
  } else {
    s.optimizer =
        std::make_unique<optim::Adam>(s.model->parameters(), optim::AdamOptions{.lr = 1e-3});
  }
  return s;
}

/// User + system CPU seconds of this process so far: under load from other processes it still
/// counts only this run's work (wall time is what the table compares).
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

/// The batch order of each epoch, as read from a start file.
class FixedOrder : public data::Sampler {
 public:
  explicit FixedOrder(std::vector<std::vector<int64_t>> orders) : orders_(std::move(orders)) {}
  std::vector<int64_t> indices(int64_t epoch) const override {
    return orders_.at(static_cast<size_t>(epoch));
  }
  int64_t size() const override { return static_cast<int64_t>(orders_.front().size()); }

 private:
  std::vector<std::vector<int64_t>> orders_;
};

/// Loads `path` (written by bench/peers/pytorch.py --export-start): the model's initial weights,
/// under PyTorch's state_dict names, into `model`, and returns the order of each of `epochs`
/// epochs ("order.<epoch>", a permutation of 0 .. n - 1).
std::vector<std::vector<int64_t>> load_start(const std::string& path, nn::Module& model, int epochs,
                                             int64_t n) {
  const TensorDict all = io::load_safetensors(path).tensors;
  TensorDict weights;
  std::vector<std::vector<int64_t>> orders;
  for (const auto& [name, tensor] : all) {
    if (!name.starts_with("order.")) weights.insert(name, tensor);
  }
  try {
    model.load_state_dict(weights);  // strict: every name must match, and every shape
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
  for (int e = 0; e < epochs; ++e) {
    const std::string name = fmt::format("order.{}", e);
    const Tensor* order = all.find(name);
    if (order == nullptr || order->dtype() != kInt64 || order->dim() != 1 || order->shape(0) != n) {
      throw Error(fmt::format("{}: expected '{}', an int64 permutation of the {} training images",
                              path, name, n));
    }
    const Tensor dense = contiguous(*order);
    const int64_t* p = dense.data_ptr<int64_t>();
    std::vector<int64_t> indices(p, p + n);
    std::vector<bool> seen(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      const int64_t i = indices[static_cast<size_t>(k)];
      if (i < 0 || i >= n || seen[static_cast<size_t>(i)]) {
        throw Error(fmt::format("{}: '{}' is not a permutation of 0 .. {}: position {} holds {}{}",
                                path, name, n - 1, k, i,
                                i < 0 || i >= n ? ", out of range" : ", seen before"));
      }
      seen[static_cast<size_t>(i)] = true;
    }
    orders.push_back(std::move(indices));
  }
  return orders;
}

double accuracy(nn::Module& model, const data::TensorDataset& test) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  data::DataLoader loader(std::make_shared<data::TensorDataset>(test), {.batch_size = 1000});
  for (auto& [x, y] : loader) {
    correct += eq(argmax(model(x), 1), y).sum().item<int64_t>();
  }
  model.train();
  return static_cast<double>(correct) / static_cast<double>(test.size());
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"Trains a benchmark model on Fashion-MNIST and prints one JSON line per epoch run."};
  std::string model_name = "mlp";
  int threads = 1;
  int epochs = 1;
  uint64_t seed = 0;
  app.add_option("--model", model_name, "mlp, cnn, logreg or lstm");
  app.add_option("--threads", threads, "Threads");
  app.add_option("--epochs", epochs, "Epochs");
  app.add_option("--seed", seed, "Seed of the initialization and the shuffling");
  int64_t limit = 0;
  app.add_option("--limit", limit, "Train on the first N images only (for profiling)");
  std::string start_file;
  app.add_option("--start", start_file,
                 "Start from the initial weights and batch orders in this file "
                 "(bench/peers/pytorch.py --export-start) instead of the seed's");
  CLI11_PARSE(app, argc, argv);
  if (epochs < 1) throw Error(fmt::format("--epochs: expected at least 1, got {}", epochs));

  set_num_threads(threads);
  auto [full_train, test_set] = data::fashion_mnist();
  data::TensorDataset train_set = full_train;
  if (limit > 0 && limit < full_train.size()) {
    train_set = data::TensorDataset(full_train.inputs().narrow(0, 0, limit),
                                    full_train.targets().narrow(0, 0, limit));
  }
  manual_seed(seed);
  Setup s = make(model_name);
  data::LoaderOptions options{.batch_size = s.batch, .shuffle = true, .seed = seed};
  if (!start_file.empty()) {
    options.shuffle = false;
    options.sampler =
        std::make_shared<FixedOrder>(load_start(start_file, *s.model, epochs, train_set.size()));
  }
  data::DataLoader loader(std::make_shared<data::TensorDataset>(train_set), options);
  double seconds = 0;
  const double cpu_start = cpu_seconds();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    for (auto& [x, y] : loader) {
      s.optimizer->zero_grad();
      Tensor loss = cross_entropy((*s.model)(x), y);
      loss.backward();
      s.optimizer->step();
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double per_epoch = seconds / epochs;
  const double cpu_per_epoch = (cpu_seconds() - cpu_start) / epochs;
  std::printf(
      "{\"peer\": \"athanor\", \"model\": \"%s\", \"threads\": %d, \"batch\": %ld, \"epochs\": %d, "
      "\"seconds_per_epoch\": %.4f, \"cpu_seconds_per_epoch\": %.4f, \"samples_per_second\": %.1f, "
      "\"test_accuracy\": %.4f, "
      "\"peak_rss_mb\": %.1f}\n",
      model_name.c_str(), threads, static_cast<long>(s.batch), epochs, per_epoch, cpu_per_epoch,
      static_cast<double>(train_set.size()) / per_epoch, accuracy(*s.model, test_set),
      peak_rss_mb());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_models: %s\n", e.what());
  return 1;
}
