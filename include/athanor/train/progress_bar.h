// include/athanor/train/progress_bar.h: ProgressBar, Keras's per-epoch progress line.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <athanor/train/callback.h>

namespace athanor::train {

struct ProgressBarOptions {
  std::FILE* out = stdout;
  /// Redraw in place during the epoch: when unset, whether `out` is a terminal.
  std::optional<bool> terminal = std::nullopt;
  /// Least time between redraws on a terminal (0: every batch).
  double refresh_seconds = 0.1;
  int width = 30;
};

/// On a terminal, one line per epoch redrawn in place ("\r") with an ETA:
///   Epoch 3/10  120/469 [=======>......................] - ETA: 2s - loss: 0.3121 - accuracy:
///   0.8874
/// and when the epoch ends:
///   Epoch 3/10  469/469 [==============================] - 2s 4ms/step - loss: 0.3121 - accuracy:
///   0.8874 - val_loss: 0.3512 - val_accuracy: 0.8710
/// When `out` is not a terminal (a log file, CI), only the final line of each epoch, with no
/// control characters. Values print as Keras's: %.4f, or %.4e below 1e-3.
class ProgressBar : public Callback {
 public:
  explicit ProgressBar(ProgressBarOptions options = {});

  void on_train_begin(Trainer& trainer) override;
  void on_epoch_begin(Trainer& trainer, int64_t epoch) override;
  void on_batch_end(Trainer& trainer, int64_t batch, const Logs& logs) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  std::string name() const override { return "ProgressBar"; }

  /// "0.3121" or "1.2346e-05".
  static std::string format_value(double value);
  /// "2s", "4ms", "350us": Keras's time per step.
  static std::string format_step_time(double seconds);

 private:
  void draw(const std::string& line, bool final);

  ProgressBarOptions options_;
  bool terminal_ = false;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_draw_;
  int64_t first_batch_ = 0;  // the epoch's first batch in this fit (after a resume, not 0)
  size_t last_length_ = 0;
};

}  // namespace athanor::train
