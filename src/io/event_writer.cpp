// src/io/event_writer.cpp: TensorBoard event files: hand-encoded protobuf Events in TFRecords.
//
// Messages and field numbers (tensorflow/core/util/event.proto, framework/summary.proto):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; }
// Wire format: each field is a varint key (field_number << 3 | wire_type) then its value; wire
// types 0 varint, 1 fixed 64-bit, 2 length-delimited (varint length + bytes), 5 fixed 32-bit.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

#include <unistd.h>

#include <athanor/core/error.h>
#include <athanor/io/event_writer.h>
#include <athanor/io/file.h>
#include <athanor/io/tfrecord.h>

namespace athanor::io {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_key(std::string& out, uint32_t field, WireType type) {
  put_varint(out, field << 3 | type);
}

template <typename T>
void put_fixed(std::string& out, uint32_t field, T value) {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  put_key(out, field, sizeof(T) == 8 ? kFixed64 : kFixed32);
  out.append(reinterpret_cast<const char*>(&value), sizeof value);  // little-endian machine
}

void put_bytes(std::string& out, uint32_t field, std::string_view bytes) {
  put_key(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out += bytes;
}

std::string file_version_event(double wall_time) {
  std::string event;
  put_fixed(event, 1, wall_time);
  put_bytes(event, 3, "brain.Event:2");
  return event;
}

std::string scalar_event(std::string_view tag, float value, int64_t step, double wall_time) {
  std::string summary_value;
  put_bytes(summary_value, 1, tag);
  put_fixed(summary_value, 2, value);
  std::string summary;
  put_bytes(summary, 1, summary_value);
  std::string event;
  put_fixed(event, 1, wall_time);
  if (step != 0) {  // proto3 leaves out zeros: keeps the bytes canonical
    put_key(event, 2, kVarint);
    put_varint(event, static_cast<uint64_t>(step));  // int64: negatives take 10 bytes
  }
  put_bytes(event, 5, summary);
  return event;
}

// A protobuf reader over one message; throws with the file and record on malformed input.
class ProtoReader {
 public:
  ProtoReader(std::string_view bytes, const std::string& file, size_t record)
      : bytes_(bytes), file_(file), record_(record) {}

  bool done() const { return pos_ == bytes_.size(); }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1, "varint");
      const auto b = static_cast<uint8_t>(bytes_[pos_++]);
      v |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return v;
    }
    fail("a varint longer than 10 bytes");
  }

  template <typename T>
  T fixed() {
    need(sizeof(T), "fixed-size field");
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }

  std::string_view length_delimited() {
    const uint64_t n = varint();
    need(n, "length-delimited field");
    const std::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  // Skips a field of an unneeded number.
  void skip(uint32_t type) {
    switch (type) {
      case kVarint:
        varint();
        return;
      case kFixed64:
        fixed<uint64_t>();
        return;
      case kLengthDelimited:
        length_delimited();
        return;
      case kFixed32:
        fixed<uint32_t>();
        return;
      default:
        fail(fmt::format("unsupported wire type {}", type));
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(
        fmt::format("read_scalar_events: '{}': record {} is not a valid Event: {} at "
                    "byte {} of the record",
                    file_, record_, what, pos_));
  }

 private:
  void need(uint64_t n, const char* what) const {
    if (n > bytes_.size() - pos_) fail(fmt::format("a {} runs past the end", what));
  }

  std::string_view bytes_;
  const std::string& file_;
  size_t record_;
  size_t pos_ = 0;
};

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

double unix_time_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

EventWriter::EventWriter(const std::filesystem::path& log_dir) {
  std::error_code ec;
  std::filesystem::create_directories(log_dir, ec);
  ATHANOR_CHECK(!ec, "EventWriter: cannot create the log directory '{}': {}", log_dir.string(),
                ec.message());
  const double now = unix_time_now();
  const std::string base = fmt::format("events.out.tfevents.{:010d}.{}",
                                       static_cast<int64_t>(std::floor(now)), host_name());
  // "x": never truncate an existing file (a second writer in the same second gets a suffix).
  for (int suffix = 0; file_ == nullptr; ++suffix) {
    path_ = log_dir / (suffix == 0 ? base : fmt::format("{}.{}", base, suffix));
    file_ = std::fopen(path_.c_str(), "wbx");
    ATHANOR_CHECK(file_ != nullptr || (errno == EEXIST && suffix < 1000),
                  "EventWriter: cannot create '{}': {}", path_.string(), std::strerror(errno));
  }
  write_record(file_version_event(now));
}

EventWriter::~EventWriter() { close(); }

EventWriter::EventWriter(EventWriter&& other) noexcept
    : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}

EventWriter& EventWriter::operator=(EventWriter&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    file_ = std::exchange(other.file_, nullptr);
  }
  return *this;
}

void EventWriter::close() noexcept {
  if (file_ == nullptr) return;
  try {
    flush();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "athanor: warning: %s\n", e.what());
  }
  std::fclose(file_);
  file_ = nullptr;
}

void EventWriter::add_scalar(std::string_view tag, double value, int64_t step, double wall_time) {
  ATHANOR_CHECK(!tag.empty(),
                "EventWriter::add_scalar: empty tag; expected a name like "
                "\"train/loss\"");
  write_record(scalar_event(tag, static_cast<float>(value), step, wall_time));
}

void EventWriter::write_record(std::string_view event) {
  ATHANOR_CHECK(file_ != nullptr, "EventWriter: the writer was moved from");
  const std::string record = tfrecord(event);
  // fflush per record: TensorBoard reads the file while training runs.
  ATHANOR_CHECK(std::fwrite(record.data(), 1, record.size(), file_) == record.size() &&
                    std::fflush(file_) == 0,
                "EventWriter: cannot write to '{}': {}", path_.string(), std::strerror(errno));
}

void EventWriter::flush() {
  if (file_ == nullptr) return;
  ATHANOR_CHECK(std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0,
                "EventWriter: cannot flush '{}': {}", path_.string(), std::strerror(errno));
}

std::vector<ScalarEvent> read_scalar_events(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::vector<std::string> records = read_tfrecords(path);
  std::vector<ScalarEvent> events;
  for (size_t r = 0; r < records.size(); ++r) {
    ProtoReader event(records[r], name, r);
    double wall_time = 0;
    int64_t step = 0;
    std::vector<std::pair<std::string, float>> values;
    while (!event.done()) {
      const uint64_t key = event.varint();
      const auto field = static_cast<uint32_t>(key >> 3), type = static_cast<uint32_t>(key & 7);
      if (field == 1 && type == kFixed64) {
        wall_time = event.fixed<double>();
      } else if (field == 2 && type == kVarint) {
        step = static_cast<int64_t>(event.varint());
      } else if (field == 5 && type == kLengthDelimited) {
        ProtoReader summary(event.length_delimited(), name, r);
        while (!summary.done()) {
          const uint64_t skey = summary.varint();
          if (skey >> 3 != 1 || (skey & 7) != kLengthDelimited) {
            summary.skip(static_cast<uint32_t>(skey & 7));
            continue;
          }
          ProtoReader value(summary.length_delimited(), name, r);
          std::string tag;
          bool has_value = false;
          float simple_value = 0;
          while (!value.done()) {
            const uint64_t vkey = value.varint();
            if (vkey >> 3 == 1 && (vkey & 7) == kLengthDelimited) {
              tag = value.length_delimited();
            } else if (vkey >> 3 == 2 && (vkey & 7) == kFixed32) {
              simple_value = value.fixed<float>();
              has_value = true;
            } else {
              value.skip(static_cast<uint32_t>(vkey & 7));
            }
          }
          if (has_value) values.emplace_back(std::move(tag), simple_value);
        }
      } else {
        event.skip(type);
      }
    }
    for (auto& [tag, value] : values) {
      events.push_back({std::move(tag), static_cast<double>(value), step, wall_time});
    }
  }
  return events;
}

}  // namespace athanor::io
