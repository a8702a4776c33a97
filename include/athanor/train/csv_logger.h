// include/athanor/train/csv_logger.h: CSVLogger, one row of logs per epoch in a CSV file.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <athanor/train/callback.h>

namespace athanor::train {

struct CSVLoggerOptions {
  char separator = ',';
  /// Continue an existing file (a resumed run) instead of replacing it; its header is kept.
  bool append = false;
};

/// Keras's CSVLogger: a header "epoch,loss,accuracy,val_loss,...,lr,seconds" from the first
/// epoch's logs, then one row per epoch, flushed as written. A value missing in a later epoch is
/// left empty; a new one is an error (the columns are fixed by the header).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::filesystem::path path, CSVLoggerOptions options = {});
  ~CSVLogger() override;
  CSVLogger(const CSVLogger& other) : CSVLogger(other.path_, other.options_) {}
  CSVLogger& operator=(const CSVLogger&) = delete;

  void on_train_begin(Trainer& trainer) override;
  void on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) override;
  void on_train_end(Trainer& trainer) override;
  std::string name() const override { return "CSVLogger"; }

 private:
  std::filesystem::path path_;
  CSVLoggerOptions options_;
  std::FILE* file_ = nullptr;
  std::vector<std::string> columns_;  // after "epoch"
};

}  // namespace athanor::train
