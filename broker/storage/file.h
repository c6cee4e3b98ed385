#pragma once
/// `file`: a move-only owner of a POSIX file descriptor with the few operations the log needs
/// (positional reads, appends, fsync, truncate). Errors come back as `result` with the errno
/// preserved in `std::generic_category()`.
///
/// Thread safety: `pread` may be called concurrently with itself and with `append` (POSIX
/// positional reads do not move the file offset); `append`, `truncate` and `sync` must be
/// serialized by the owner.

#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <filesystem>
#include <span>

namespace sluice::broker::storage {

class file {
 public:
  enum class mode { read_write_create, read_only };

  file() noexcept = default;
  ~file();
  file(file&& other) noexcept;
  file& operator=(file&& other) noexcept;
  file(const file&) = delete;
  file& operator=(const file&) = delete;

  static result<file> open(const std::filesystem::path& path, mode m = mode::read_write_create);

  bool is_open() const noexcept { return _fd >= 0; }
  /// The descriptor, for a caller that sends from the file itself (sendfile). Valid while this
  /// object is open.
  int native_handle() const noexcept { return _fd; }
  const std::filesystem::path& path() const noexcept { return _path; }

  /// Current size in bytes (fstat).
  result<uint64_t> size() const;
  /// Reads up to `out.size()` bytes at `position`; returns how many were read (short at EOF).
  result<size_t> pread(uint64_t position, std::span<std::byte> out) const;
  /// Writes all of `data` at `position`.
  result<void> pwrite(uint64_t position, bytes_view data);
  /// Writes `a` then `b` contiguously at `position` with one vectored call where possible.
  result<void> pwrite2(uint64_t position, bytes_view a, bytes_view b);
  result<void> truncate(uint64_t size);
  /// fdatasync: the data written so far is durable when this returns.
  result<void> sync();
  void close() noexcept;

 private:
  int _fd = -1;
  std::filesystem::path _path;
};

/// Writes `data` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
result<void> write_file_atomically(const std::filesystem::path& path, bytes_view data);
/// Reads a whole (small) file. A missing file is `std::errc::no_such_file_or_directory`.
result<bytes> read_whole_file(const std::filesystem::path& path);
/// fsyncs a directory so that creations, renames and deletions in it are durable.
result<void> sync_directory(const std::filesystem::path& dir);
/// Last modification time of a file in ms since the epoch, or -1 if it cannot be read. (What
/// tombstone expiry measures, and what time retention falls back on for a segment whose
/// records carry no timestamp.)
int64_t mtime_ms(const std::filesystem::path& p);
result<void> set_mtime_ms(const std::filesystem::path& p, int64_t ms);

}  // namespace sluice::broker::storage
