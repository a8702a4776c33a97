// tests/resume_child.cpp: a training run for the SIGKILL resume test: an MLP with dropout, Adam,
// a per-step schedule and shuffling, checkpointed every few steps into <dir>; `--resume` resumes
// from <dir>. Writes the final weights to <dir>/final.safetensors.
#include <cstdio>
#include <cstring>
#include <exception>

#include <athanor/athanor.h>

using namespace athanor;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: resume_child DIR [--resume]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const bool resume = argc > 2 && std::strcmp(argv[2], "--resume") == 0;
  try {
    manual_seed(3);
    Generator gen(1);
    const Tensor x = randn({4096, 16}, kFloat32, &gen);
    const Tensor y =
        tanh(matmul(x, randn({16, 1}, kFloat32, &gen))) + 0.1 * randn({4096, 1}, kFloat32, &gen);
    nn::Sequential model{nn::Linear(16, 64), nn::ReLU(), nn::Dropout(0.1, 5),
                         nn::Linear(64, 64), nn::Tanh(), nn::Dropout(0.1),
                         nn::Linear(64, 1)};
    optim::Adam opt(model.parameters(), {.lr = 1e-3});
    auto schedule = std::make_shared<optim::ExponentialLR>(opt, 0.999);
    train::Trainer trainer(model, opt, nn::MSELoss());
    trainer.fit(
        std::make_shared<data::TensorDataset>(x, y),
        {.epochs = 6,
         .batch_size = 32,
         .seed = 7,
         .validation_split = 0.1,
         .scheduler = schedule,
         .callbacks = {train::ModelCheckpoint({.dir = dir, .every_n_steps = 10, .keep_last = 2})},
         .verbose = 0,
         .resume_from = resume ? dir : std::filesystem::path()});
    io::save_safetensors(dir / "final.safetensors", model.state_dict());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "resume_child: %s\n", e.what());
    return 1;
  }
  return 0;
}
