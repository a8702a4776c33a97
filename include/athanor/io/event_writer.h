// include/athanor/io/event_writer.h: TensorBoard scalar event files, written and read without
// TensorFlow or protobuf.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace athanor::io {

/// Seconds since the Unix epoch, with sub-second precision (TensorBoard's wall_time).
double unix_time_now();

/// Writes TensorBoard scalar event files: `<log_dir>/events.out.tfevents.<unix seconds>.<hostname>`
/// (with ".1", ".2", ... appended if that name exists). The first record is
/// Event{wall_time, file_version: "brain.Event:2"}; each scalar is
/// Event{wall_time, step, summary{value{tag, simple_value}}} as a TFRecord. The protobuf bytes are
/// encoded here (field numbers of tensorflow's event.proto and summary.proto). Each record is
/// handed to the OS at once, so TensorBoard sees it while training runs; flush() also fsyncs.
class EventWriter {
 public:
  /// Creates `log_dir` (and its parents) if needed and opens a new event file in it.
  explicit EventWriter(const std::filesystem::path& log_dir);
  ~EventWriter();  // flushes; errors are printed to stderr, not thrown
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;
  EventWriter(EventWriter&& other) noexcept;
  EventWriter& operator=(EventWriter&& other) noexcept;

  /// Appends one scalar. TensorBoard stores simple_value as float32, so `value` is rounded to it.
  void add_scalar(std::string_view tag, double value, int64_t step,
                  double wall_time = unix_time_now());
  /// fflush + fsync.
  void flush();
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_record(std::string_view event);
  void close() noexcept;

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

/// A scalar read back from an event file.
struct ScalarEvent {
  std::string tag;
  double value;  // the stored float32, widened
  int64_t step;
  double wall_time;
};

/// The scalar events of an event file in file order, verifying every record's CRCs; records
/// without scalars (the file_version record, other summaries) are skipped. Throws Error naming the
/// file and record on a bad CRC, truncation or malformed protobuf.
std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& path);

}  // namespace athanor::io
