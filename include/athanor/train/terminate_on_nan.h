// include/athanor/train/terminate_on_nan.h: TerminateOnNaN, failing fit as soon as a logged value
// stops being finite.
#pragma once

#include <string>

#include <athanor/train/callback.h>

namespace athanor::train {

/// Throws Error naming the value, epoch, batch and step the moment a batch's loss or an epoch's
/// value is NaN or infinite: "TerminateOnNaN: batch_loss became nan at epoch 2, batch 17 (step
/// 113)". Keras only stops; an error makes a diverged run impossible to mistake for a finished
/// one. Checkpoints written before stay valid.
class TerminateOnNaN : public Callback {
 public:
  void on_batch_end(Trainer& trainer, int64_t batch, const Logs& logs) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  std::string name() const override { return "TerminateOnNaN"; }
};

}  // namespace athanor::train
