// src/train/progress_bar.cpp: ProgressBar.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <unistd.h>

#include <athanor/core/error.h>
#include <athanor/train/progress_bar.h>
#include <athanor/train/trainer.h>

namespace athanor::train {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// Keras's bar: "[=====>....]" while running, all "=" when done.
std::string bar(int64_t done, int64_t total, int width) {
  const int64_t filled = total > 0 ? std::min<int64_t>(done * width / total, width) : width;
  std::string out = "[";
  if (filled > 0) {
    out += std::string(static_cast<size_t>(filled - 1), '=');
    out += done < total ? '>' : '=';
  }
  out += std::string(static_cast<size_t>(width - filled), '.');
  return out + "]";
}

std::string values(const Logs& logs) {
  std::string out;
  for (const auto& [name, value] : logs) {
    if (name == "batch_loss" || name == "lr" || name == "seconds") continue;
    out += fmt::format(" - {}: {}", name, ProgressBar::format_value(value));
  }
  return out;
}

}  // namespace

ProgressBar::ProgressBar(ProgressBarOptions options) : options_(options) {
  ATHANOR_CHECK(options_.out != nullptr, "ProgressBar: expected an output stream, got null");
  ATHANOR_CHECK(options_.width >= 1, "ProgressBar: width must be >= 1, got {}", options_.width);
}

std::string ProgressBar::format_value(double value) {
  if (value != 0 && std::abs(value) < 1e-3) return fmt::format("{:.4e}", value);
  return fmt::format("{:.4f}", value);
}

std::string ProgressBar::format_step_time(double seconds) {
  if (seconds >= 1) return fmt::format("{:.0f}s", seconds);
  if (seconds >= 1e-3) return fmt::format("{:.0f}ms", seconds * 1e3);
  return fmt::format("{:.0f}us", seconds * 1e6);
}

void ProgressBar::on_train_begin(Trainer& /*trainer*/) {
  terminal_ = options_.terminal.value_or(isatty(fileno(options_.out)) == 1);
}

void ProgressBar::on_epoch_begin(Trainer& trainer, int64_t /*epoch*/) {
  epoch_start_ = std::chrono::steady_clock::now();
  last_draw_ = {};
  first_batch_ = -1;
  last_length_ = 0;
  (void)trainer;
}

void ProgressBar::on_batch_end(Trainer& trainer, int64_t batch, const Logs& /*logs*/) {
  if (first_batch_ < 0) first_batch_ = batch;
  if (!terminal_) return;
  const int64_t done = batch + 1;
  const int64_t total = trainer.steps_per_epoch();
  if (done >= total) return;  // the final line comes with the epoch's end
  if (seconds_since(last_draw_) < options_.refresh_seconds) return;
  last_draw_ = std::chrono::steady_clock::now();
  const double elapsed = seconds_since(epoch_start_);
  const double eta =
      elapsed / static_cast<double>(done - first_batch_) * static_cast<double>(total - done);
  draw(fmt::format("Epoch {}/{}  {}/{} {} - ETA: {:.0f}s{}", trainer.epoch() + 1, trainer.epochs(),
                   done, total, bar(done, total, options_.width), eta,
                   values(trainer.running_logs())),
       /*final=*/false);
}

void ProgressBar::on_epoch_end(Trainer& trainer, int64_t epoch, Logs& logs) {
  const double elapsed = seconds_since(epoch_start_);
  const int64_t total = trainer.steps_per_epoch();
  const int64_t ran = first_batch_ < 0 ? 0 : trainer.batch() - first_batch_;
  const std::string per_step = ran > 0 ? format_step_time(elapsed / static_cast<double>(ran)) : "-";
  draw(fmt::format("Epoch {}/{}  {}/{} {} - {:.0f}s {}/step{}", epoch + 1, trainer.epochs(),
                   trainer.batch(), total, bar(trainer.batch(), total, options_.width), elapsed,
                   per_step, values(logs)),
       /*final=*/true);
}

void ProgressBar::draw(const std::string& line, bool final) {
  std::string out = line;
  if (terminal_) {
    // Blank what is left of a longer previous line, then return to the line's start.
    if (line.size() < last_length_) out += std::string(last_length_ - line.size(), ' ');
    out = "\r" + out;
    last_length_ = line.size();
  }
  if (final) out += '\n';
  std::fputs(out.c_str(), options_.out);
  std::fflush(options_.out);
}

}  // namespace athanor::train
