// src/train/tensorboard.cpp: TensorBoard.
#include <athanor/core/error.h>
#include <athanor/train/tensorboard.h>
#include <athanor/train/trainer.h>

namespace athanor::train {

TensorBoard::TensorBoard(std::filesystem::path log_dir, TensorBoardOptions options)
    : log_dir_(std::move(log_dir)), options_(options) {
  ATHANOR_CHECK(!log_dir_.empty(), "TensorBoard: expected a log directory, got ''");
  ATHANOR_CHECK(options_.update_every_steps >= 0,
                "TensorBoard: update_every_steps must be >= 0, got {}",
                options_.update_every_steps);
}

void TensorBoard::on_train_begin(Trainer& /*trainer*/) {
  train_ = std::make_unique<io::EventWriter>(log_dir_ / "train");
  validation_.reset();  // opened at the first validation value
}

void TensorBoard::on_batch_end(Trainer& trainer, int64_t /*batch*/, const Logs& logs) {
  const int64_t n = options_.update_every_steps;
  const int64_t step = trainer.global_step();
  if (n == 0 || step == 0 || step % n != 0 || step == last_batch_step_) return;
  last_batch_step_ = step;
  train_->add_scalar("batch_loss", logs.at("batch_loss"), step);
  train_->add_scalar("batch_learning_rate", trainer.optimizer().lr(0), step);
}

void TensorBoard::on_epoch_end(Trainer& /*trainer*/, int64_t epoch, Logs& logs) {
  for (const auto& [name, value] : logs) {
    if (name == "seconds") continue;
    if (name.starts_with("val_")) {
      if (!validation_) validation_ = std::make_unique<io::EventWriter>(log_dir_ / "validation");
      validation_->add_scalar("epoch_" + name.substr(4), value, epoch);
    } else {
      train_->add_scalar(name == "lr" ? "epoch_learning_rate" : "epoch_" + name, value, epoch);
    }
  }
  train_->flush();
  if (validation_) validation_->flush();
}

void TensorBoard::on_train_end(Trainer& /*trainer*/) {
  train_.reset();
  validation_.reset();
}

}  // namespace athanor::train
