// src/io/file.cpp: read_file and write_file_atomic over POSIX calls (open, write, fsync, rename).
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <athanor/core/error.h>
#include <athanor/io/file.h>

namespace athanor::io {
namespace {

// Closes a descriptor on scope exit unless released; close errors after a failure do not matter.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // Closes now, returning close()'s result (it can report a deferred write error).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd = -1;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// inject_write_failure's settings.
std::atomic<int> g_fail_count{0};
std::atomic<int> g_fail_errno{0};
std::atomic<size_t> g_fail_after{0};

// write() until everything is written: it may write less than asked or be interrupted.
bool write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// write_fully, or the failure inject_write_failure asked for: the allowed prefix is written for
// real, so that the failure leaves a partial temporary as a full disk does.
bool write_all(int fd, std::string_view bytes) {
  if (g_fail_count.load() > 0 && g_fail_count.fetch_sub(1) > 0) {
    if (!write_fully(fd, bytes.substr(0, std::min(bytes.size(), g_fail_after.load())))) {
      return false;
    }
    errno = g_fail_errno.load();
    return false;
  }
  return write_fully(fd, bytes);
}

// The pid in a temporary's name "<name>.tmp.<pid>", or 0 when the name is not one.
pid_t temporary_pid(const std::string& name) {
  const size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at == 0) return 0;
  const std::string digits = name.substr(at + 5);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return static_cast<pid_t>(std::stol(digits));
}

}  // namespace

void inject_write_failure(int error, size_t after_bytes, int count) {
  g_fail_errno = error;
  g_fail_after = after_bytes;
  g_fail_count = count;
}

int remove_stale_temporaries(const std::filesystem::path& dir) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const pid_t pid = temporary_pid(entry.path().filename().string());
    if (pid <= 0 || !entry.is_regular_file(ec)) continue;
    // Our own temporaries are in use (another thread may be writing); a live pid's too.
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  const std::string target = path.string();
  const std::string temp = target + ".tmp." + std::to_string(::getpid());
  // A temporary left by a crashed process that had our pid is stale: remove it. O_EXCL then
  // guarantees we never write through a symlink or file that appears at that name meanwhile.
  ::unlink(temp.c_str());
  FileDescriptor fd(open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0666));
  ATHANOR_CHECK(fd.get() >= 0,
                "write_file_atomic: cannot create the temporary file '{}' for '{}': {}", temp,
                target, std::strerror(errno));
  const auto fail = [&](const char* step) {
    const int saved = errno;
    ::unlink(temp.c_str());
    throw Error(fmt::format("write_file_atomic: cannot write '{}': {} failed: {}", target, step,
                            std::strerror(saved)));
  };
  if (!write_all(fd.get(), bytes)) fail("write");
  // fsync before rename: otherwise after a power loss the new name may point at missing data.
  if (::fsync(fd.get()) != 0) fail("fsync");
  if (fd.close() != 0) fail("close");
  if (::rename(temp.c_str(), target.c_str()) != 0) fail("rename");
  // fsync the directory so that the rename itself survives a power loss.
  std::string dir = path.parent_path().string();
  if (dir.empty()) dir = ".";
  FileDescriptor dir_fd(open_retrying(dir.c_str(), O_RDONLY | O_DIRECTORY));
  ATHANOR_CHECK(dir_fd.get() >= 0 && ::fsync(dir_fd.get()) == 0,
                "write_file_atomic: wrote '{}' but cannot fsync its directory '{}': {}", target,
                dir, std::strerror(errno));
}

std::string read_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  FileDescriptor fd(open_retrying(name.c_str(), O_RDONLY));
  ATHANOR_CHECK(fd.get() >= 0, "read_file: cannot open '{}': {}", name, std::strerror(errno));
  struct stat info {};
  ATHANOR_CHECK(::fstat(fd.get(), &info) == 0, "read_file: cannot stat '{}': {}", name,
                std::strerror(errno));
  ATHANOR_CHECK(!S_ISDIR(info.st_mode), "read_file: cannot read '{}': it is a directory", name);
  std::string bytes;
  // Read into a buffer of the file's size, then on in case it grew meanwhile.
  bytes.resize(info.st_size > 0 ? static_cast<size_t>(info.st_size) : 0);
  size_t filled = 0;
  while (true) {
    if (filled == bytes.size()) bytes.resize(bytes.size() + (1 << 16));
    const ssize_t n = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("read_file: cannot read '{}': {}", name, std::strerror(errno)));
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  bytes.resize(filled);
  return bytes;
}

}  // namespace athanor::io
