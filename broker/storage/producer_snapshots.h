#pragma once
/// `producer_snapshots`: a partition's producer-state snapshot files, `<offset>.snapshot` (20
/// digits, as segment files) in the partition directory. A snapshot holds the producer state
/// (producer_state::serialize) as of `offset`; recovery loads the newest usable one and replays
/// only the batches after it.
///
/// Which are kept: the newest always; otherwise at most `kept` (3), none beyond the log end
/// (they describe data that a truncation removed) and none below the log start.
///
/// Threads: stateless apart from the directory; callers serialize writes and cleaning of one
/// partition (the partition log does).

#include "broker/storage/producer_state.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

namespace sluice::broker::storage {

class producer_snapshots {
 public:
  static constexpr size_t kept = 3;

  explicit producer_snapshots(std::filesystem::path dir) : _dir(std::move(dir)) {}

  /// Offsets of the snapshot files, ascending.
  std::vector<int64_t> list() const;
  std::filesystem::path path(int64_t offset) const;

  /// The newest readable snapshot at or below `at_most`, with its offset. Snapshots beyond
  /// `log_end` are deleted on the way; damaged ones are skipped (logged, naming `tp`).
  std::optional<std::pair<int64_t, producer_state>> load_newest(int64_t at_most, int64_t log_end,
                                                                const core::topic_partition& tp) const;
  /// Writes one snapshot atomically (temporary file, fsync, rename).
  result<void> write(int64_t offset, bytes_view data) const;
  /// Deletes snapshots beyond `log_end`, and — except the newest — those below `log_start` and
  /// all but the newest `kept`.
  void clean(int64_t log_end, int64_t log_start) const;

 private:
  std::filesystem::path _dir;
};

}  // namespace sluice::broker::storage
