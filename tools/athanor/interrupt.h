// tools/athanor/interrupt.h: Ctrl-C during training: stop at the next optimizer step, leave a
// resumable checkpoint there, and say how to resume.
#pragma once

#include <csignal>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <athanor/train/callback.h>
#include <athanor/train/model_checkpoint.h>

namespace athanor::cli {

/// Thrown out of fit after an interrupt was honoured; its message says how to resume.
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Installs a SIGINT handler for its lifetime. The first Ctrl-C sets a flag (and restores the
/// default handler, so a second one kills at once); at the next batch end that completes an
/// optimizer step, `checkpoint` saves the position and Interrupted is thrown.
class InterruptCheckpoint : public train::Callback {
 public:
  InterruptCheckpoint(std::shared_ptr<train::ModelCheckpoint> checkpoint,
                      std::filesystem::path run_dir);
  ~InterruptCheckpoint() override;
  InterruptCheckpoint(const InterruptCheckpoint&) = delete;
  InterruptCheckpoint& operator=(const InterruptCheckpoint&) = delete;

  void on_train_begin(train::Trainer& trainer) override;
  void on_batch_end(train::Trainer& trainer, int64_t batch, const train::Logs& logs) override;
  std::string name() const override { return "InterruptCheckpoint"; }

 private:
  std::shared_ptr<train::ModelCheckpoint> checkpoint_;
  std::filesystem::path run_dir_;
  int64_t last_step_ = -1;
  void (*previous_)(int) = SIG_DFL;
};

}  // namespace athanor::cli
