#pragma once
/// `checkpoint_file`: per task directory, which changelog offset each store's local contents
/// reflect — what lets a task that comes back to this machine restore only the changelog tail
/// instead of everything (at-least-once processing, and in-memory stores' bookkeeping; RocksDB
/// stores under exactly-once also keep their position inside RocksDB, see state_store.h).
///
/// Format, version 1: ASCII text, every line ends with '\n':
///
/// | line      | content                                                                  |
/// |-----------|--------------------------------------------------------------------------|
/// | 1         | `sluice-checkpoint 1`                                                    |
/// | 2         | `<n>`: number of entries, decimal                                        |
/// | 3 … n + 2 | `<store> <topic> <partition> <offset>`, single spaces, one per store,    |
/// |           | sorted by store; store and topic match [A-Za-z0-9._-]+; partition and    |
/// |           | offset are non-negative decimals; offset = next changelog offset to read |
/// | n + 3     | `crc32c <8 lowercase hex digits>`: CRC-32C of all bytes of lines 1…n+2   |
///
/// Reading is tolerant of absence (no file = no checkpoint = empty) and strict about content:
/// anything else — a torn or edited file, trailing bytes — is `errc::corruption`, and another
/// version is `errc::incompatible_store`; the runtime then discards the task's local state.
/// Writing is atomic: write `<file>.tmp`, fsync it, rename it over the file, fsync the
/// directory, so a crash leaves either the old or the new checkpoint, never a mix.
///
/// Thread safety: the object is immutable; concurrent writers of one file must be serialized
/// by the caller (the task owns its directory).

#include "core/error.h"
#include "core/types.h"

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::state {

struct checkpoint_entry {
  std::string store;
  core::topic_partition changelog;
  core::offset offset;

  bool operator==(const checkpoint_entry&) const = default;
};

class checkpoint_file {
 public:
  /// The file name inside a task directory.
  static constexpr std::string_view default_name = ".checkpoint";

  explicit checkpoint_file(std::filesystem::path path) : _path(std::move(path)) {}

  const std::filesystem::path& path() const noexcept { return _path; }

  /// The entries, sorted by store; empty if the file does not exist.
  result<std::vector<checkpoint_entry>> read() const;
  /// Atomically replaces the file. Fails with `errc::invalid_argument` for names outside
  /// [A-Za-z0-9._-]+, negative numbers or a store listed twice; `errc::io_error` on I/O errors.
  result<void> write(std::span<const checkpoint_entry> entries) const;
  /// Deletes the file (done when a task's state may run ahead of it, e.g. on wipe); a missing
  /// file is not an error.
  result<void> remove() const;

 private:
  std::filesystem::path _path;
};

}  // namespace sluice::state
