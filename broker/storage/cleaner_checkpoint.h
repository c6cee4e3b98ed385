#pragma once
/// The cleaner checkpoint of a partition: `cleaner-offset-checkpoint` in its directory, text —
/// a version line `0`, then `<first dirty offset> <tombstone deadline ms>` (-1 = no retained
/// tombstone). Advanced only after a whole pass; a stale or unreadable one only means more work.

#include "core/error.h"

#include <cstdint>
#include <filesystem>

namespace sluice::broker::storage {

struct cleaner_checkpoint {
  int64_t first_dirty = 0;
  int64_t tombstone_deadline_ms = -1;
};

/// The checkpoint in `dir`, or the default (nothing cleaned) when there is none or it does not
/// parse.
cleaner_checkpoint read_cleaner_checkpoint(const std::filesystem::path& dir);
/// Replaces the checkpoint atomically.
result<void> write_cleaner_checkpoint(const std::filesystem::path& dir, const cleaner_checkpoint& cp);

}  // namespace sluice::broker::storage
