// include/athanor/train/tensorboard.h: TensorBoard, scalar event files of a fit in Keras's layout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <athanor/io/event_writer.h>
#include <athanor/train/callback.h>

namespace athanor::train {

struct TensorBoardOptions {
  /// Also log "batch_loss" and "batch_learning_rate" every N optimizer steps (0: epochs only).
  int64_t update_every_steps = 0;
};

/// As Keras's TensorBoard callback: `<log_dir>/train/events.out.tfevents...` gets epoch_loss,
/// epoch_<metric> and epoch_learning_rate per epoch (step = epoch), and batch_loss /
/// batch_learning_rate per step when asked; `<log_dir>/validation/...` gets epoch_loss and
/// epoch_<metric> from the val_ values. View with `tensorboard --logdir <log_dir>`.
class TensorBoard : public Callback {
 public:
  explicit TensorBoard(std::filesystem::path log_dir, TensorBoardOptions options = {});
  TensorBoard(const TensorBoard& other) : TensorBoard(other.log_dir_, other.options_) {}
  TensorBoard& operator=(const TensorBoard&) = delete;

  void on_train_begin(Trainer& trainer) override;
  void on_batch_end(Trainer& trainer, int64_t batch, const Logs& logs) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  void on_train_end(Trainer& trainer) override;
  std::string name() const override { return "TensorBoard"; }

 private:
  std::filesystem::path log_dir_;
  TensorBoardOptions options_;
  std::unique_ptr<io::EventWriter> train_;
  std::unique_ptr<io::EventWriter> validation_;
  int64_t last_batch_step_ = -1;  // an accumulation group's batches share one step
};

}  // namespace athanor::train
