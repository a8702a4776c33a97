// examples/fashion_mnist_mlp.cpp: an MLP (784-256-128-10, ReLU, dropout) trained with Adam on
// Fashion-MNIST from Debian's dataset-fashion-mnist, reporting the training loss per epoch and the
// test accuracy. The demo that `make demo` runs.
//   usage: fashion_mnist_mlp [epochs] [data directory]
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <athanor/athanor.h>

using namespace athanor;

int main(int argc, char** argv) try {
  const int epochs = argc > 1 ? std::stoi(argv[1]) : 3;
  const std::string dir = argc > 2 ? argv[2] : std::string(data::kFashionMnistDir);
  auto [train, test] = data::fashion_mnist(dir);
  std::printf("Fashion-MNIST: %ld training and %ld test images\n", train.size(), test.size());

  manual_seed(42);
  nn::Sequential model{nn::Flatten(),      nn::Linear(784, 256), nn::ReLU(),
                       nn::Dropout(0.2),   nn::Linear(256, 128), nn::ReLU(),
                       nn::Linear(128, 10)};
  optim::Adam opt(model.parameters(), {.lr = 1e-3});
  data::DataLoader loader(std::make_shared<data::TensorDataset>(train),
                          {.batch_size = 64, .shuffle = true, .seed = 42});

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t batches = 0;
    model.train();
    for (auto& [x, y] : loader) {
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(model(x), y);
      loss.backward();
      opt.step();
      loss_sum += loss.item();
      ++batches;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("epoch %d  loss %.4f  (%.1f s)\n", epoch, loss_sum / static_cast<double>(batches),
                seconds);
  }

  NoGradGuard no_grad;
  model.eval();
  const Tensor predicted = argmax(model(test.inputs()), 1);
  const double accuracy = mean(eq(predicted, test.targets()).to(kFloat32)).item();
  std::printf("test accuracy %.4f\n", accuracy);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
