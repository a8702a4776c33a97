// tools/athanor/interrupt.cpp: InterruptCheckpoint.
#include "interrupt.h"

#include <atomic>
#include <csignal>

#include <fmt/format.h>

#include <athanor/train/trainer.h>

namespace athanor::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_sigint(int) {
  interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

}  // namespace

InterruptCheckpoint::InterruptCheckpoint(std::shared_ptr<train::ModelCheckpoint> checkpoint,
                                         std::filesystem::path run_dir)
    : checkpoint_(std::move(checkpoint)), run_dir_(std::move(run_dir)) {
  interrupted = 0;
  previous_ = std::signal(SIGINT, on_sigint);
}

InterruptCheckpoint::~InterruptCheckpoint() { std::signal(SIGINT, previous_); }

void InterruptCheckpoint::on_train_begin(train::Trainer& trainer) {
  last_step_ = trainer.global_step();
}

void InterruptCheckpoint::on_batch_end(train::Trainer& trainer, int64_t batch,
                                       const train::Logs& /*logs*/) {
  const int64_t step = trainer.global_step();
  const bool stepped = step != last_step_;
  last_step_ = step;
  if (interrupted == 0 || !stepped) return;  // inside an accumulation group: wait for its step
  if (checkpoint_) checkpoint_->save_now(trainer);
  throw Interrupted(
      fmt::format("interrupted at epoch {}, batch {} (step {}){}; continue with: athanor resume {}",
                  trainer.epoch() + 1, batch + 1, step, checkpoint_ ? ", checkpoint written" : "",
                  run_dir_.string()));
}

}  // namespace athanor::cli
