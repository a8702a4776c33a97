// examples/fashion_mnist_mlp.cpp: an MLP (784-256-128-10, ReLU, dropout) trained with Adam on
// Fashion-MNIST from Debian's dataset-fashion-mnist through the Keras-like Trainer: a progress
// bar, 10% held out for validation, early stopping, then test accuracy and macro F1. The demo
// that `make demo` runs. Given a run directory, also writes checkpoints (resumable: run again with
// the same directory to continue), metrics.csv and TensorBoard logs there.
//   usage: fashion_mnist_mlp [epochs] [run directory] [data directory]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <athanor/athanor.h>

using namespace athanor;

int main(int argc, char** argv) try {
  const int epochs = argc > 1 ? std::stoi(argv[1]) : 3;
  const std::filesystem::path run_dir = argc > 2 ? argv[2] : "";
  const std::string data_dir = argc > 3 ? argv[3] : std::string(data::kFashionMnistDir);
  auto [train_set, test_set] = data::fashion_mnist(data_dir);
  std::printf("Fashion-MNIST: %ld training and %ld test images\n", train_set.size(),
              test_set.size());

  manual_seed(42);
  nn::Sequential model{nn::Flatten(),      nn::Linear(784, 256), nn::ReLU(),
                       nn::Dropout(0.2),   nn::Linear(256, 128), nn::ReLU(),
                       nn::Linear(128, 10)};
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  train::Trainer trainer(model, opt, nn::CrossEntropyLoss());

  train::CallbackList callbacks{
      train::EarlyStopping({.monitor = "val_loss", .patience = 2, .restore_best_weights = true})};
  const bool resume =
      !run_dir.empty() && std::filesystem::exists(run_dir / "checkpoints" / "checkpoints.json");
  if (!run_dir.empty()) {
    callbacks.push_back(
        train::ModelCheckpoint({.dir = run_dir / "checkpoints", .monitor = "val_accuracy"}));
    callbacks.push_back(train::CSVLogger(run_dir / "metrics.csv", {.append = resume}));
    callbacks.push_back(train::TensorBoard(run_dir / "tensorboard"));
  }
  trainer.fit(std::make_shared<data::TensorDataset>(train_set),
              {.epochs = epochs,
               .batch_size = 64,
               .seed = 42,
               .validation_split = 0.1,
               .metrics = {metrics::Accuracy()},
               .callbacks = callbacks,
               .resume_from = resume ? run_dir / "checkpoints" : std::filesystem::path()});

  const train::Logs scores = trainer.evaluate(
      std::make_shared<data::TensorDataset>(test_set),
      {.batch_size = 1000,
       .metrics = {metrics::Accuracy(), metrics::F1({.average = metrics::Average::Macro})}});
  std::printf("test accuracy %.4f  macro F1 %.4f\n", scores.at("accuracy"), scores.at("f1"));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
