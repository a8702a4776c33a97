// tests/training_test.cpp: the nn and optim layers together: an MLP learns a non-linear boundary,
// a run resumed from state dicts continues bit-identically, a small ResNet overfits a batch.
#include <gtest/gtest.h>

#include <athanor/athanor.h>

#include "testing/matchers.h"

namespace athanor {
namespace {

// Two interleaved half-moons of n points each (labels 0 and 1), with a little noise.
std::pair<Tensor, Tensor> moons(int64_t n, uint64_t seed) {
  Generator gen(seed);
  const Tensor t = uniform({n}, 0.0, M_PI, kFloat32, &gen);
  const Tensor upper = stack({cos(t), sin(t)}, 1);
  const Tensor lower = stack({1.0 - cos(t), 0.5 - sin(t)}, 1);
  const Tensor x = concat({upper, lower}, 0) + 0.1 * randn({2 * n, 2}, kFloat32, &gen);
  const Tensor y = concat({zeros({n}, kInt64), ones({n}, kInt64)}, 0);
  return {x, y};
}

nn::Sequential mlp() {
  return nn::Sequential{nn::Linear(2, 32),   nn::ReLU(), nn::Linear(32, 32),
                        nn::BatchNorm1d(32), nn::Tanh(), nn::Linear(32, 2)};
}

double accuracy(nn::Module& model, const Tensor& x, const Tensor& y) {
  NoGradGuard no_grad;
  model.eval();
  const double a = mean(eq(argmax(model(x), 1), y).to(kFloat32)).item();
  model.train();
  return a;
}

TEST(Training, MlpWithAdamSeparatesTwoMoons) {
  manual_seed(0);
  auto [x, y] = moons(200, 1);
  nn::Sequential model = mlp();
  optim::Adam opt(model.parameters(), {.lr = 1e-2, .weight_decay = 1e-4});
  nn::CrossEntropyLoss loss_fn;
  const double first = loss_fn(model(x), y).item();
  double last = first;
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    Tensor loss = loss_fn(model(x), y);
    loss.backward();
    opt.step();
    last = loss.item();
  }
  EXPECT_LT(last, 0.1 * first);
  auto [x_test, y_test] = moons(200, 2);
  EXPECT_GE(accuracy(model, x_test, y_test), 0.97);
}

// Deep copies of a state dict's tensors (a state dict shares storage with the model).
TensorDict snapshot(const TensorDict& d) {
  TensorDict out;
  for (const auto& [name, t] : d) out.insert(name, t.clone());
  return out;
}

TEST(Training, ResumingFromStateDictsIsBitIdentical) {
  auto [x, y] = moons(64, 3);
  auto train_steps = [&](nn::Module& model, optim::Optimizer& opt, int steps) {
    for (int s = 0; s < steps; ++s) {
      opt.zero_grad();
      cross_entropy(model(x), y).backward();
      opt.step();
    }
  };
  manual_seed(5);
  nn::Sequential straight = mlp();
  optim::AdamW opt_straight(straight.parameters(), {.lr = 3e-3});
  train_steps(straight, opt_straight, 10);
  const TensorDict model_at_10 = snapshot(straight.state_dict());
  const optim::OptimizerState opt_at_10 = opt_straight.state_dict();
  train_steps(straight, opt_straight, 10);

  manual_seed(99);  // different initial weights: everything must come from the saved state
  nn::Sequential resumed = mlp();
  optim::AdamW opt_resumed(resumed.parameters(), {.lr = 1.0});
  resumed.load_state_dict(model_at_10);
  opt_resumed.load_state_dict(opt_at_10);
  train_steps(resumed, opt_resumed, 10);
  for (const auto& [name, t] : straight.state_dict())
    EXPECT_TENSOR_EQ(resumed.state_dict().at(name), t) << name;
}

TEST(Training, SmallResNetOverfitsOneBatch) {
  manual_seed(0);
  nn::Sequential model{nn::Conv2d(1, 8, 3, {.padding = 1}),
                       nn::BatchNorm2d(8),
                       nn::ReLU(),
                       nn::basic_block(8, 8),
                       nn::basic_block(8, 16, 2),
                       nn::AdaptiveAvgPool2d(1),
                       nn::Flatten(),
                       nn::Linear(16, 4)};
  EXPECT_THAT(model.summary({2, 1, 12, 12}), ::testing::HasSubstr("[2, 16, 6, 6]"));
  const Tensor x = randn({8, 1, 12, 12});
  const Tensor y = Tensor::from({0, 1, 2, 3, 0, 1, 2, 3});
  optim::SGD opt(model.parameters(), {.lr = 0.05, .momentum = 0.9});
  double first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    opt.zero_grad();
    Tensor loss = cross_entropy(model(x), y);
    loss.backward();
    for (const auto& [name, p] : model.named_parameters())
      ASSERT_TRUE(p.grad().defined()) << name << " got no gradient";
    opt.step();
    (step == 0 ? first : last) = loss.item();
  }
  EXPECT_LT(last, 0.2 * first);
}

}  // namespace
}  // namespace athanor
