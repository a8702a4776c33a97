// src/train/terminate_on_nan.cpp: TerminateOnNaN.
#include <cmath>

#include <athanor/core/error.h>
#include <athanor/train/terminate_on_nan.h>
#include <athanor/train/trainer.h>

namespace athanor::train {

void TerminateOnNaN::on_batch_end(Trainer& trainer, int64_t batch, const Logs& logs) {
  for (const auto& [name, value] : logs) {
    ATHANOR_CHECK(std::isfinite(value),
                  "TerminateOnNaN: {} became {} at epoch {}, batch {} (step {})", name, value,
                  trainer.epoch(), batch, trainer.global_step());
  }
}

void TerminateOnNaN::on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) {
  for (const auto& [name, value] : logs) {
    ATHANOR_CHECK(std::isfinite(value),
                  "TerminateOnNaN: {} became {} at the end of epoch {} (step {})", name, value,
                  epoch, trainer.global_step());
  }
}

}  // namespace athanor::train
