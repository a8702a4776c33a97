// include/athanor/io/file.h: whole-file reads and crash-safe (atomic, fsynced) whole-file writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace athanor::io {

/// Writes `bytes` to `path` so that a crash never leaves a half-written file: a temporary file in
/// the same directory (path + ".tmp.<pid>"), write all, fsync, rename over path, fsync the
/// directory. Readers see either the old file or the new one, never a torn one. Creates no parent
/// directories. On any failure removes the temporary (if it created it), leaves an existing file
/// at `path` untouched and throws Error naming the path and strerror. Two threads of one process
/// must not write the same path at once (they would share the temporary's name).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// The whole contents of `path`; throws Error naming the path and strerror on failure.
std::string read_file(const std::filesystem::path& path);

/// Removes the temporaries ("<name>.tmp.<pid>") that write_file_atomic calls of crashed or killed
/// processes left in `dir`, never one of a process still running. Returns how many it removed.
int remove_stale_temporaries(const std::filesystem::path& dir);

/// For tests of full disks and failing devices: the next `count` write_file_atomic calls (of any
/// thread, and of children forked meanwhile) fail as if write() had returned -1 with `error`
/// (e.g. ENOSPC) once `after_bytes` bytes of the file were written. count 0 turns it off.
void inject_write_failure(int error, size_t after_bytes, int count = 1);

}  // namespace athanor::io
