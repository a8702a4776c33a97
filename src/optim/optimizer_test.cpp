// src/optim/optimizer_test.cpp: what every optimizer shares: construction and option checks,
// groups, zero_grad, skipped parameters, closures, state dicts and their errors, in-place updates
// that reuse their buffers, float32, non-contiguous tensors, thread-count independence; and the
// values of Adam's first step and of Lion (which PyTorch 1.13 lacks) against hand computations.
#include <cmath>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include <athanor/core/parallel.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/reduce.h>
#include <athanor/ops/unary.h>
#include <athanor/optim/optim.h>

#include "testing/gradcheck.h"
#include "testing/matchers.h"

namespace athanor::optim {
namespace {

using athanor::testing::random_normal;

Tensor leaf(const Tensor& values) { return values.detach().clone().set_requires_grad(); }

// A parameter with a given gradient.
Tensor with_grad(const Tensor& values, const Tensor& grad) {
  Tensor p = leaf(values);
  p.set_grad(grad.clone());
  return p;
}

// ---- Construction and options ----

TEST(Optimizer, RejectsEmptyIntegerNonLeafAndRepeatedParameters) {
  EXPECT_THROW_WITH_MESSAGE(SGD(std::vector<Tensor>{}),
                            "SGD: got an empty parameter list; expected at least one parameter");
  EXPECT_THROW_WITH_MESSAGE(Adam({Tensor::from({1, 2})}),
                            "Adam: parameter 0 of the new group is int64; expected a "
                            "floating-point tensor");
  const Tensor w = leaf(Tensor::from({1.0, 2.0}));
  EXPECT_THROW_WITH_MESSAGE(Adam({w * 2.0}), "Adam: parameter 0 of the new group is not a leaf");
  EXPECT_THROW_WITH_MESSAGE(SGD({w, w}),
                            "SGD: parameter 1 of the new group is the same tensor as parameter 0");
  SGD opt({w});
  EXPECT_THROW_WITH_MESSAGE(opt.add_param_group({w}),
                            "SGD: parameter 0 of the new group is already in parameter group 0");
}

TEST(Optimizer, ChecksOptionsWithTheirRange) {
  const Tensor w = leaf(Tensor::from({1.0}));
  EXPECT_THROW_WITH_MESSAGE(SGD({w}, {.lr = -0.1}), "SGD: invalid lr -0.1; expected lr >= 0");
  EXPECT_THROW_WITH_MESSAGE(SGD({w}, {.nesterov = true}),
                            "SGD: nesterov momentum requires momentum > 0 and dampening == 0; got "
                            "momentum 0 and dampening 0");
  EXPECT_THROW_WITH_MESSAGE(Adam({w}, {.betas = {1.0, 0.999}}),
                            "Adam: invalid betas.0 1; expected 0 <= betas.0 < 1");
  EXPECT_THROW_WITH_MESSAGE(AdamW({w}, {.eps = -1}), "AdamW: invalid eps -1; expected eps >= 0");
  EXPECT_THROW_WITH_MESSAGE(RMSprop({w}, {.momentum = -0.5}),
                            "RMSprop: invalid momentum -0.5; expected momentum >= 0");
  EXPECT_THROW_WITH_MESSAGE(Adagrad({w}, {.lr_decay = -1}),
                            "Adagrad: invalid lr_decay -1; expected lr_decay >= 0");
  EXPECT_THROW_WITH_MESSAGE(NAdam({w}, {.momentum_decay = -1}), "NAdam: invalid momentum_decay -1");
  EXPECT_THROW_WITH_MESSAGE(RAdam({w}, {.betas = {0.9, 1.5}}),
                            "RAdam: invalid betas.1 1.5; expected 0 <= betas.1 < 1");
  EXPECT_THROW_WITH_MESSAGE(Lion({w}, {.weight_decay = -1}), "Lion: invalid weight_decay -1");
}

TEST(Optimizer, DefaultsArePyTorchs) {
  const Tensor w = leaf(Tensor::from({1.0}));
  EXPECT_EQ(Adam({w}).defaults().lr, 1e-3);
  EXPECT_EQ(Adam({w}).defaults().betas, (std::pair{0.9, 0.999}));
  EXPECT_EQ(Adam({w}).defaults().weight_decay, 0);
  EXPECT_EQ(AdamW({w}).defaults().weight_decay, 1e-2);
  EXPECT_EQ(RMSprop({w}).defaults().alpha, 0.99);
  EXPECT_EQ(Adagrad({w}).defaults().eps, 1e-10);
  EXPECT_EQ(NAdam({w}).defaults().lr, 2e-3);
  EXPECT_EQ(NAdam({w}).defaults().momentum_decay, 4e-3);
}

TEST(Optimizer, GroupsKeepTheirOwnOptionsAndAreMutable) {
  const Tensor a = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  const Tensor b = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  SGD opt({{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.01, .momentum = 0.9}}});
  ASSERT_EQ(opt.num_param_groups(), 2u);
  EXPECT_EQ(opt.param_groups()[1].options.momentum, 0.9);
  EXPECT_EQ(opt.lr(0), 0.1);
  opt.param_groups()[0].options.lr = 0.5;
  opt.set_lr(1, 0.02);
  opt.step();
  EXPECT_DOUBLE_EQ(a.item(), 1.0 - 0.5);
  EXPECT_DOUBLE_EQ(b.item(), 1.0 - 0.02);

  const Tensor c = with_grad(Tensor::from({1.0}), Tensor::from({2.0}));
  opt.add_param_group({c});  // the optimizer's defaults: lr 0.01
  EXPECT_EQ(opt.num_param_groups(), 3u);
  opt.step();
  EXPECT_DOUBLE_EQ(c.item(), 1.0 - 0.01 * 2.0);
  EXPECT_THROW_WITH_MESSAGE(
      opt.lr(3), "SGD.lr: parameter group 3 does not exist; the optimizer has 3 group(s)");
}

TEST(Optimizer, MomentumIsMomentumOrBeta1) {
  const Tensor w = leaf(Tensor::from({1.0}));
  SGD sgd({w}, {.momentum = 0.5});
  EXPECT_TRUE(sgd.has_momentum());
  sgd.set_momentum(0, 0.9);
  EXPECT_EQ(sgd.param_groups()[0].options.momentum, 0.9);
  Adam adam({w});
  adam.set_momentum(0, 0.8);
  EXPECT_EQ(adam.param_groups()[0].options.betas.first, 0.8);
  EXPECT_EQ(adam.momentum(0), 0.8);
  Adagrad adagrad({w});
  EXPECT_FALSE(adagrad.has_momentum());
  EXPECT_THROW_WITH_MESSAGE(adagrad.set_momentum(0, 0.9), "Adagrad: has no momentum option");
}

// ---- zero_grad, skipped parameters, closures ----

TEST(Optimizer, ZeroGradSetsToNoneOrZeroesInPlace) {
  const Tensor w = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({3.0, 4.0}));
  SGD opt({w});
  const Tensor grad = w.grad();
  opt.zero_grad(false);
  ASSERT_TRUE(w.grad().defined());
  EXPECT_TRUE(w.grad().is_same(grad));  // the same buffer, zeroed
  EXPECT_TENSOR_EQ(grad, Tensor::from({0.0, 0.0}));
  opt.zero_grad();
  EXPECT_FALSE(w.grad().defined());
}

TEST(Optimizer, ParametersWithoutGradientsAreSkipped) {
  const Tensor a = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  const Tensor frozen = leaf(Tensor::from({5.0}));
  Adam opt({a, frozen}, {.lr = 0.1, .weight_decay = 0.5});
  opt.step();
  opt.step();
  EXPECT_EQ(frozen.item(), 5.0);  // not even weight decay moves it
  EXPECT_EQ(opt.state(0, 1), nullptr);
  ASSERT_NE(opt.state(0, 0), nullptr);
  EXPECT_EQ(opt.state(0, 0)->step, 2);
}

TEST(Optimizer, StepWithClosureComputesTheLossWithGradients) {
  const Tensor w = leaf(Tensor::from({3.0}));
  SGD opt({w}, {.lr = 0.25});
  NoGradGuard no_grad;  // the closure enables recording itself
  const Tensor loss = opt.step([&] {
    opt.zero_grad();
    Tensor l = sum(square(w));
    l.backward();
    return l;
  });
  EXPECT_EQ(loss.item(), 9.0);
  EXPECT_DOUBLE_EQ(w.item(), 3.0 - 0.25 * 6.0);
  EXPECT_FALSE(is_grad_enabled());
}

TEST(Optimizer, StepDoesNotRecordAutograd) {
  const Tensor w = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  Adam opt({w});
  opt.step();
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.grad_fn(), nullptr);
  EXPECT_FALSE(opt.state(0, 0)->exp_avg.requires_grad());
}

// ---- Values against hand computations ----

// The guide this project follows prints an Adam that overwrites m with its bias-corrected value;
// Kingma and Ba (and PyTorch) keep the raw moments and correct only the step.
TEST(Adam, KeepsRawMomentsAndCorrectsTheStep) {
  const Tensor w = with_grad(Tensor::from({1.0, -2.0}), Tensor::from({0.5, -4.0}));
  Adam opt({w}, {.lr = 0.1});
  opt.step();
  const AdamParamState& s = *opt.state(0, 0);
  EXPECT_TENSOR_NEAR(s.exp_avg, Tensor::from({0.1 * 0.5, 0.1 * -4.0}), 1e-15);
  EXPECT_TENSOR_NEAR(s.exp_avg_sq, Tensor::from({0.001 * 0.25, 0.001 * 16.0}), 1e-15);
  // At t = 1, m_hat = g and v_hat = g^2: the step is lr * g / (|g| + eps).
  EXPECT_TENSOR_NEAR(w, Tensor::from({1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 4 / (4 + 1e-8)}),
                     1e-15);
  w.set_grad(Tensor::from({0.5, -4.0}));
  opt.step();
  // t = 2 with the same gradient: m_hat = g, v_hat = g^2 again.
  EXPECT_TENSOR_NEAR(w, Tensor::from({1.0 - 0.2 * 0.5 / (0.5 + 1e-8), -2.0 + 0.2 * 4 / (4 + 1e-8)}),
                     1e-14);
}

TEST(Lion, MatchesThePapersAlgorithm) {
  const Tensor init = random_normal({7}, 3);
  const Tensor w = leaf(init);
  const LionOptions o{.lr = 0.01, .betas = {0.9, 0.99}, .weight_decay = 0.1};
  Lion opt({w}, o);
  std::vector<double> p = init.to_vector<double>(), m(7, 0.0);
  for (int step = 0; step < 5; ++step) {
    const Tensor g = random_normal({7}, 10 + step);
    w.set_grad(g);
    opt.step();
    const std::vector<double> gv = g.to_vector<double>();
    for (size_t i = 0; i < p.size(); ++i) {
      const double c = 0.9 * m[i] + 0.1 * gv[i];
      p[i] = p[i] * (1 - 0.01 * 0.1) - 0.01 * ((c > 0) - (c < 0));
      m[i] = 0.99 * m[i] + 0.01 * gv[i];
    }
    EXPECT_TENSOR_NEAR(w, Tensor::from(p, {7}), 1e-15);
  }
}

// ---- State dicts ----

TEST(Optimizer, StateDictUsesPyTorchsNames) {
  const Tensor a = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  const Tensor b = with_grad(Tensor::from({3.0}), Tensor::from({1.0}));
  Adam opt({{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.2, .amsgrad = true}}});
  opt.step();
  opt.set_initial_lr(1, 0.2);
  const OptimizerState s = opt.state_dict();
  EXPECT_EQ(s.tensors.keys(),
            (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq", "state.1.exp_avg",
                                      "state.1.exp_avg_sq", "state.1.max_exp_avg_sq"}));
  EXPECT_EQ(s.scalars.at("param_groups.0.lr"), 0.1);
  EXPECT_EQ(s.scalars.at("param_groups.1.betas.0"), 0.9);
  EXPECT_EQ(s.scalars.at("param_groups.1.betas.1"), 0.999);
  EXPECT_EQ(s.scalars.at("param_groups.1.amsgrad"), 1);
  EXPECT_EQ(s.scalars.at("param_groups.0.num_params"), 1);
  EXPECT_EQ(s.scalars.at("param_groups.1.initial_lr"), 0.2);
  EXPECT_FALSE(s.scalars.contains("param_groups.0.initial_lr"));
  EXPECT_EQ(s.scalars.at("state.1.step"), 1);
  // A copy: stepping on does not change it.
  const Tensor saved = s.tensors.at("state.0.exp_avg").clone();
  opt.step();
  EXPECT_TENSOR_EQ(s.tensors.at("state.0.exp_avg"), saved);
}

TEST(Optimizer, LoadStateDictRestoresOptions) {
  const Tensor a = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  SGD source({a}, {.lr = 0.3, .momentum = 0.9, .nesterov = true});
  source.step();
  const Tensor b = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  SGD target({b});
  target.load_state_dict(source.state_dict());
  EXPECT_EQ(target.param_groups()[0].options.lr, 0.3);
  EXPECT_TRUE(target.param_groups()[0].options.nesterov);
  ASSERT_NE(target.state(0, 0), nullptr);
  EXPECT_TENSOR_EQ(target.state(0, 0)->momentum_buffer, Tensor::from({1.0}));
  // Its own buffer, not the source's.
  EXPECT_NE(target.state(0, 0)->momentum_buffer.raw_data(),
            source.state(0, 0)->momentum_buffer.raw_data());
}

TEST(Optimizer, LoadStateDictReportsEveryProblemAndChangesNothing) {
  const Tensor a = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  Adam adam({a}, {.lr = 0.5});
  adam.step();
  OptimizerState state = adam.state_dict();

  const Tensor b = with_grad(Tensor::from({1.0, 2.0, 3.0}), Tensor::from({1.0, 1.0, 1.0}));
  Adam wrong_shape({b}, {.lr = 0.01});
  EXPECT_THROW_WITH_MESSAGE(
      wrong_shape.load_state_dict(state),
      "Adam.load_state_dict: the state does not fit this optimizer: 'state.0.exp_avg' has shape "
      "[2], but its parameter has shape [3]");
  EXPECT_EQ(wrong_shape.lr(0), 0.01);  // unchanged
  EXPECT_EQ(wrong_shape.state(0, 0), nullptr);

  const Tensor c = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  SGD sgd({c});
  const std::string message = athanor::testing::error_message([&] { sgd.load_state_dict(state); });
  EXPECT_THAT(message, ::testing::HasSubstr("missing keys: param_groups.0.momentum, "
                                            "param_groups.0.dampening"));
  EXPECT_THAT(message, ::testing::HasSubstr("unexpected keys: param_groups.0.amsgrad"));
  EXPECT_THAT(message, ::testing::HasSubstr("state.0.exp_avg"));

  const Tensor d = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  const Tensor f = with_grad(Tensor::from({1.0}), Tensor::from({1.0}));
  Adam two_groups({{{d}, {}}, {{f}, {}}});
  EXPECT_THROW_WITH_MESSAGE(two_groups.load_state_dict(state),
                            "missing keys: param_groups.1.num_params");

  Adam two_params({d, f});
  EXPECT_THROW_WITH_MESSAGE(
      two_params.load_state_dict(state),
      "'param_groups.0.num_params' is 1, but group 0 of the optimizer has 2 parameters");

  state.scalars["param_groups.0.lr"] = -1;
  Adam bad_option({d});
  EXPECT_THROW_WITH_MESSAGE(bad_option.load_state_dict(state), "Adam: invalid lr -1");
}

TEST(Optimizer, ConvertsLoadedStateToTheParameterDtype) {
  const Tensor a = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  Adam source({a});
  source.step();
  const Tensor b = with_grad(Tensor::from({1.0f, 2.0f}), Tensor::from({1.0f, 1.0f}));
  Adam target({b});
  target.load_state_dict(source.state_dict());
  EXPECT_EQ(target.state(0, 0)->exp_avg.dtype(), kFloat32);
}

TEST(Optimizer, ParameterReplacedWithAnotherShapeIsReported) {
  const Tensor w = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  Adam opt({w});
  opt.step();
  w.set_data(Tensor::from({1.0, 2.0, 3.0}));
  w.set_grad(Tensor::from({1.0, 1.0, 1.0}));
  EXPECT_THROW_WITH_MESSAGE(opt.step(),
                            "Adam.step: the state buffer 'exp_avg' has shape [2] (float64), but "
                            "its parameter now has shape [3] (float64)");
}

TEST(Optimizer, AFailedStepChangesNoParameter) {
  const Tensor first = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  const Tensor second = with_grad(Tensor::from({1.0, 2.0}), Tensor::from({1.0, 1.0}));
  Adam opt({first, second});
  opt.step();
  const Tensor first_before = first.detach().clone();
  second.set_data(Tensor::from({1.0, 2.0, 3.0}));
  second.set_grad(Tensor::from({1.0, 1.0, 1.0}));
  EXPECT_THROW(opt.step(), Error);
  EXPECT_TENSOR_EQ(first, first_before);  // checked before anything was updated
  EXPECT_EQ(opt.state(0, 0)->step, 1);
}

// ---- Buffers, dtypes, layouts, threads ----

// Every algorithm, so a new one cannot skip these checks.
std::vector<std::unique_ptr<Optimizer>> every_optimizer(const std::vector<Tensor>& params) {
  std::vector<std::unique_ptr<Optimizer>> out;
  out.push_back(std::make_unique<SGD>(params, SGDOptions{.momentum = 0.9, .weight_decay = 0.1}));
  out.push_back(std::make_unique<Adam>(params, AdamOptions{.amsgrad = true}));
  out.push_back(std::make_unique<AdamW>(params));
  out.push_back(std::make_unique<RMSprop>(
      params, RMSpropOptions{.momentum = 0.5, .centered = true, .maximize = true}));
  out.push_back(std::make_unique<Adagrad>(params, AdagradOptions{.lr_decay = 0.1}));
  out.push_back(std::make_unique<NAdam>(params));
  out.push_back(std::make_unique<RAdam>(params));
  out.push_back(std::make_unique<Lion>(params));
  return out;
}

// One step creates the state buffers; later steps update them and the parameter in place.
template <typename Opt, typename Options>
void expect_buffers_reused(const Options& options) {
  const Tensor w = leaf(random_normal({3, 4}, 5));
  const void* storage = w.raw_data();
  Opt opt({w}, options);
  SCOPED_TRACE(opt.name());
  auto buffers = [&] {
    std::vector<const void*> out;
    auto state = *opt.state(0, 0);
    state.visit_fields([&](const char*, auto& value) {
      if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Tensor>) {
        if (value.defined()) out.push_back(value.raw_data());
      }
    });
    return out;
  };
  w.set_grad(random_normal({3, 4}, 6));
  opt.step();
  const std::vector<const void*> before = buffers();
  EXPECT_FALSE(before.empty());
  opt.step();
  opt.step();
  EXPECT_EQ(buffers(), before);
  EXPECT_EQ(w.raw_data(), storage);
}

TEST(Optimizer, UpdatesInPlaceAndAllocatesBuffersOnce) {
  expect_buffers_reused<SGD>(SGDOptions{.momentum = 0.9, .nesterov = true});
  expect_buffers_reused<Adam>(AdamOptions{.amsgrad = true});
  expect_buffers_reused<AdamW>(AdamWOptions{});
  expect_buffers_reused<RMSprop>(RMSpropOptions{.momentum = 0.5, .centered = true});
  expect_buffers_reused<Adagrad>(AdagradOptions{});
  expect_buffers_reused<NAdam>(NAdamOptions{});
  expect_buffers_reused<RAdam>(RAdamOptions{});
  expect_buffers_reused<Lion>(LionOptions{});
}

TEST(Optimizer, Float32FollowsFloat64) {
  const Tensor init = random_normal({5}, 7);
  for (size_t k = 0; k < every_optimizer({leaf(init)}).size(); ++k) {
    const Tensor w64 = leaf(init), w32 = leaf(init.to(kFloat32));
    auto opt64 = std::move(every_optimizer({w64})[k]);
    auto opt32 = std::move(every_optimizer({w32})[k]);
    SCOPED_TRACE(opt64->name());
    for (int step = 0; step < 5; ++step) {
      const Tensor g = random_normal({5}, 20 + step);
      w64.set_grad(g);
      w32.set_grad(g.to(kFloat32));
      opt64->step();
      opt32->step();
    }
    EXPECT_EQ(w32.dtype(), kFloat32);
    // Lion moves by lr per element: a sign flip of a near-zero c is the worst case, so compare
    // at float32's resolution of the update.
    EXPECT_TENSOR_NEAR(w32.to(kFloat64), w64, 1e-5);
  }
}

TEST(Optimizer, NonContiguousParametersAndGradientsAreUpdatedThroughCopies) {
  const Tensor base = random_normal({3, 4}, 8);
  const Tensor contiguous = leaf(base);
  // A leaf with strides (1, 3): the transpose of a tensor that does not require gradients.
  Tensor transposed = base.t().contiguous().t();
  transposed.set_requires_grad();
  ASSERT_FALSE(transposed.is_contiguous());
  ASSERT_TRUE(transposed.is_leaf());
  Adam a({contiguous}, {.lr = 0.1}), b({transposed}, {.lr = 0.1});
  const Tensor g = random_normal({4, 3}, 9);
  contiguous.set_grad(g.t().contiguous());
  transposed.set_grad(g.t());  // non-contiguous gradient too
  a.step();
  b.step();
  EXPECT_TENSOR_EQ(transposed.contiguous(), contiguous);
  EXPECT_FALSE(transposed.is_contiguous());  // updated in place, layout kept
}

TEST(Optimizer, ResultsDoNotDependOnTheThreadCount) {
  // Large enough to be split over threads.
  const Tensor init = random_normal({300, 400}, 11);
  const Tensor g = random_normal({300, 400}, 12);
  for (size_t k = 0; k < every_optimizer({leaf(init)}).size(); ++k) {
    std::vector<Tensor> results;
    for (int threads : {1, 2}) {
      ScopedNumThreads scoped(threads);
      const Tensor w = leaf(init);
      auto opt = std::move(every_optimizer({w})[k]);
      for (int step = 0; step < 3; ++step) {
        w.set_grad(g);
        opt->step();
      }
      results.push_back(w);
    }
    EXPECT_TENSOR_EQ(results[0], results[1]);
  }
}

// A momentum buffer halving each step reaches 2^-126, float32's least normal value, and then 0
// (flushed, where PyTorch would keep the subnormal 2^-127, 2^-128, ...), at 1 and 2 threads; the
// caller's own arithmetic keeps its subnormals.
TEST(Optimizer, SubnormalResultsOfTheUpdateAreFlushedToZero) {
  for (int threads : {1, 2}) {
    ScopedNumThreads scoped(threads);
    const int64_t n = int64_t{1} << 17;  // above the grain: split at 2 threads
    const Tensor w = leaf(zeros({n}, kFloat32));
    SGD opt({w}, {.lr = 1e-30, .momentum = 0.5});
    w.set_grad(full({n}, 1.0, kFloat32));
    opt.step();  // buffer = g = 1
    w.set_grad(zeros({n}, kFloat32));
    for (int step = 1; step <= 126; ++step) opt.step();  // buffer = 2^-126
    const Tensor& buffer = opt.state(0, 0)->momentum_buffer;
    EXPECT_TENSOR_EQ(buffer, full({n}, std::ldexp(1.0, -126), kFloat32));
    opt.step();
    EXPECT_TENSOR_EQ(buffer, zeros({n}, kFloat32));
    volatile float least_normal = std::ldexp(1.0f, -126);
    EXPECT_EQ(least_normal * 0.5f, std::ldexp(1.0f, -127)) << "the caller's MXCSR was left changed";
  }
}

// One step updates all parameters together, split over the threads by element count (small
// parameters share a chunk, a large one spans chunks): each must come out as if stepped alone.
TEST(Optimizer, ParametersSteppedTogetherMatchEachSteppedAlone) {
  const std::vector<int64_t> sizes = {5, 40000, 3, 70001, 1};
  std::vector<Tensor> inits, grads;
  for (size_t i = 0; i < sizes.size(); ++i) {
    inits.push_back(random_normal({sizes[i]}, 20 + i));
    grads.push_back(random_normal({sizes[i]}, 40 + i));
  }
  for (size_t k = 0; k < every_optimizer({leaf(inits[0])}).size(); ++k) {
    std::vector<Tensor> alone;
    for (size_t i = 0; i < sizes.size(); ++i) {
      const Tensor w = leaf(inits[i]);
      auto opt = std::move(every_optimizer({w})[k]);
      for (int step = 0; step < 2; ++step) {
        w.set_grad(grads[i]);
        opt->step();
      }
      alone.push_back(w);
    }
    for (int threads : {1, 2, 3}) {
      ScopedNumThreads scoped(threads);
      std::vector<Tensor> ws;
      for (const Tensor& init : inits) ws.push_back(leaf(init));
      auto opt = std::move(every_optimizer(ws)[k]);
      for (int step = 0; step < 2; ++step) {
        for (size_t i = 0; i < ws.size(); ++i) ws[i].set_grad(grads[i]);
        opt->step();
      }
      for (size_t i = 0; i < ws.size(); ++i) {
        EXPECT_TENSOR_EQ(ws[i], alone[i])
            << opt->name() << ", parameter " << i << ", " << threads << " threads";
      }
    }
  }
}

}  // namespace
}  // namespace athanor::optim
