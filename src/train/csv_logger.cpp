// src/train/csv_logger.cpp: CSVLogger.
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include <athanor/core/error.h>
#include <athanor/train/csv_logger.h>

namespace athanor::train {

CSVLogger::CSVLogger(std::filesystem::path path, CSVLoggerOptions options)
    : path_(std::move(path)), options_(options) {
  ATHANOR_CHECK(!path_.empty(), "CSVLogger: expected a file path, got ''");
}

CSVLogger::~CSVLogger() {
  if (file_ != nullptr) std::fclose(file_);
}

void CSVLogger::on_train_begin(Trainer& /*trainer*/) {
  columns_.clear();
  if (options_.append && std::filesystem::exists(path_)) {
    // Reuse the header's columns.
    std::ifstream in(path_);
    std::string header;
    std::getline(in, header);
    size_t start = 0;
    bool first = true;
    while (!header.empty() && start <= header.size()) {
      const size_t end = std::min(header.find(options_.separator, start), header.size());
      if (!first) columns_.push_back(header.substr(start, end - start));
      first = false;
      start = end + 1;
    }
  }
  if (file_ != nullptr) std::fclose(file_);
  file_ = std::fopen(path_.c_str(), options_.append ? "a" : "w");
  ATHANOR_CHECK(file_ != nullptr, "CSVLogger: cannot open {}: {}", path_.string(),
                std::strerror(errno));
}

void CSVLogger::on_epoch_end(Trainer& /*trainer*/, int64_t epoch, Logs& logs) {
  const char sep = options_.separator;
  if (columns_.empty()) {
    std::string header = "epoch";
    for (const auto& [name, value] : logs) {
      columns_.push_back(name);
      header += sep + name;
    }
    std::fputs((header + "\n").c_str(), file_);
  }
  for (const auto& [name, value] : logs) {
    ATHANOR_CHECK(std::find(columns_.begin(), columns_.end(), name) != columns_.end(),
                  "CSVLogger: epoch {} logs '{}', which is not a column of {} (columns are fixed "
                  "by the first row)",
                  epoch, name, path_.string());
  }
  std::string row = std::to_string(epoch);
  for (const std::string& column : columns_) {
    row += sep;
    if (const auto value = logs.get(column)) row += fmt::format("{}", *value);
  }
  std::fputs((row + "\n").c_str(), file_);
  ATHANOR_CHECK(std::fflush(file_) == 0, "CSVLogger: cannot write {}: {}", path_.string(),
                std::strerror(errno));
}

void CSVLogger::on_train_end(Trainer& /*trainer*/) {
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

}  // namespace athanor::train
