// examples/char_lm.cpp: a character-level language model: Embedding -> LSTM -> Linear, trained to
// predict the next byte of a text that Debian ships (the GPL-3 licence by default), on random
// windows of 64 characters with Adam and gradient clipping. Prints the falling loss (nats per
// character) every tenth of the run, then a paragraph sampled from the model (seeded), carrying
// the LSTM state from one character to the next.
//   usage: char_lm [steps = 1000] [text file = /usr/share/common-licenses/GPL-3] [sample length]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <athanor/autograd/grad_mode.h>
#include <athanor/core/error.h>
#include <athanor/core/random.h>
#include <athanor/nn/nn.h>
#include <athanor/ops/activation.h>
#include <athanor/ops/binary.h>
#include <athanor/ops/index.h>
#include <athanor/ops/loss.h>
#include <athanor/ops/shape.h>
#include <athanor/optim/adam.h>
#include <athanor/optim/clip.h>

using namespace athanor;

namespace {

constexpr int64_t kBatch = 32, kWindow = 64, kEmbedding = 32, kHidden = 128;

// ids [N, T] -> logits [N, T, vocab], carrying the LSTM state (h, c) in and out.
class CharModel : public nn::Module {
 public:
  explicit CharModel(int64_t vocab)
      : embed_(register_module("embed", std::make_shared<nn::Embedding>(vocab, kEmbedding))),
        lstm_(register_module(
            "lstm",
            std::make_shared<nn::LSTM>(kEmbedding, kHidden, nn::RnnOptions{.batch_first = true}))),
        head_(register_module("head", std::make_shared<nn::Linear>(kHidden, vocab))) {}

  Tensor forward(const Tensor& ids) override { return step(ids, {}, {}).output; }
  std::string type_name() const override { return "CharModel"; }

  /// output: the logits; h_n, c_n: the state after the last character.
  nn::RnnOutput step(const Tensor& ids, const Tensor& h0, const Tensor& c0) {
    nn::RnnOutput r = lstm_->forward_with_state((*embed_)(ids), h0, c0);
    r.output = (*head_)(r.output);
    return r;
  }

 private:
  std::shared_ptr<nn::Embedding> embed_;
  std::shared_ptr<nn::LSTM> lstm_;
  std::shared_ptr<nn::Linear> head_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ATHANOR_CHECK(in.good(), "char_lm: cannot open '{}'", path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Samples an index from the distribution `probs` with one uniform draw from `gen`.
int64_t sample(const std::vector<double>& probs, Generator& gen) {
  const double u = rand({1}, kFloat64, &gen).item();
  double cumulative = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    cumulative += probs[i];
    if (u < cumulative) return static_cast<int64_t>(i);
  }
  return static_cast<int64_t>(probs.size()) - 1;
}

}  // namespace

int main(int argc, char** argv) try {
  const int64_t steps = argc > 1 ? std::stoll(argv[1]) : 1000;
  const std::string path = argc > 2 ? argv[2] : "/usr/share/common-licenses/GPL-3";
  const int64_t sample_length = argc > 3 ? std::stoll(argv[3]) : 400;
  const std::string text = read_file(path);
  ATHANOR_CHECK(static_cast<int64_t>(text.size()) > kWindow + 1,
                "char_lm: '{}' has {} bytes; expected more than {}", path, text.size(),
                kWindow + 1);

  // The vocabulary: the distinct bytes of the text, in byte order.
  std::array<int64_t, 256> id_of{};
  std::vector<char> chars;
  for (unsigned char c : text) id_of[c] = 1;
  for (int c = 0; c < 256; ++c) {
    if (id_of[static_cast<size_t>(c)] == 0) continue;
    id_of[static_cast<size_t>(c)] = static_cast<int64_t>(chars.size());
    chars.push_back(static_cast<char>(c));
  }
  std::vector<int64_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i) ids[i] = id_of[static_cast<unsigned char>(text[i])];
  const int64_t length = static_cast<int64_t>(ids.size()), vocab = std::ssize(chars);
  const Tensor corpus = Tensor::from(ids, Shape{length});
  std::printf("%s: %ld characters, %ld distinct; %ld steps of %ld windows of %ld\n", path.c_str(),
              static_cast<long>(length), static_cast<long>(vocab), static_cast<long>(steps),
              static_cast<long>(kBatch), static_cast<long>(kWindow));

  manual_seed(42);
  CharModel model(vocab);
  optim::Adam opt(model.parameters(), {.lr = 3e-3});
  Generator windows(1);
  const Tensor offsets_in_window = reshape(arange(kWindow), {1, kWindow});
  const int64_t report_every = std::max<int64_t>(1, steps / 10);
  auto start = std::chrono::steady_clock::now();
  double loss_sum = 0;
  for (int64_t step = 1; step <= steps; ++step) {
    // kBatch random windows: inputs corpus[o .. o + T - 1], targets one character later.
    const Tensor starts = randint(0, length - kWindow - 1, {kBatch, 1}, &windows);
    const Tensor positions = reshape(starts + offsets_in_window, {-1});
    const Tensor x = reshape(index_select(corpus, 0, positions), {kBatch, kWindow});
    const Tensor y = reshape(index_select(corpus, 0, positions + 1), {-1});
    opt.zero_grad();
    Tensor loss = cross_entropy(reshape(model(x), {kBatch * kWindow, vocab}), y);
    loss.backward();
    optim::clip_grad_norm_(model.parameters(), 1.0);
    opt.step();
    loss_sum += loss.item();
    if (step % report_every == 0 || step == steps) {
      const int64_t n = step % report_every == 0 ? report_every : step % report_every;
      std::printf("step %ld  loss %.4f  (%.1fs)\n", static_cast<long>(step),
                  loss_sum / static_cast<double>(n), seconds_since(start));
      std::fflush(stdout);
      loss_sum = 0;
      start = std::chrono::steady_clock::now();
    }
  }

  // Sampling: read a prompt, then feed each sampled character back in, at temperature 0.8.
  NoGradGuard no_grad;
  model.eval();
  Generator sampler(7);
  const std::string prompt = "This program is ";
  std::vector<int64_t> prompt_ids;
  for (char c : prompt) prompt_ids.push_back(id_of[static_cast<unsigned char>(c)]);
  nn::RnnOutput state =
      model.step(Tensor::from(prompt_ids, Shape{1, std::ssize(prompt_ids)}), {}, {});
  Tensor logits = state.output.select(1, -1 + state.output.shape(1)).select(0, 0);
  std::string generated = prompt;
  for (int64_t i = 0; i < sample_length; ++i) {
    const int64_t next = sample(softmax(logits / 0.8, -1).to_vector<double>(), sampler);
    generated += chars[static_cast<size_t>(next)];
    state = model.step(Tensor::from(std::vector<int64_t>{next}, Shape{1, 1}), state.h_n, state.c_n);
    logits = state.output.select(1, 0).select(0, 0);
  }
  std::printf("--- sample (temperature 0.8, seed 7) ---\n%s\n---\n", generated.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
