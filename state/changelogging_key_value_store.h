#pragma once
/// `changelogging_key_value_store`, and the change-logging decorators in general (window and
/// session: changelogging_window_store.h, changelogging_session_store.h).
///
/// Change-logging decorators wrap any store and report every write that succeeded in it to a
/// `changelog_sink` — key in the store kind's changelog format (changelog_format.h), value or
/// tombstone, and the timestamp the write was made with (the `ts` of every write) — for the
/// runtime to send to the changelog topic. Reads, flush, close, batches and restoration pass
/// straight through; restored records are not logged again.
///
/// What is logged:
/// - key-value: put → (key, value); put_if_absent → (key, value) only if it stored;
///   remove → (key, tombstone) only if the key existed; put_all → every write.
/// - window: put → ((key, start, seqnum), value) unless the window was expired and dropped;
///   remove → ((key, start, 0), tombstone) unless duplicates are retained.
/// - session: put → ((key, end, start), value) unless dropped; remove → tombstone.
///
/// Layering: RocksDB or in-memory ← change-logging ← caching, so the cache folds repeated
/// updates before they reach the changelog.
///
/// Ownership: owns the wrapped store; `sink` is borrowed and must outlive the decorator. Single-threaded, like every store.

#include "state/changelog_sink.h"
#include "state/wrapped_store.h"

#include <memory>

namespace sluice::state {

class changelogging_key_value_store final : public wrapped_key_value_store {
 public:
  changelogging_key_value_store(std::unique_ptr<key_value_store> inner, changelog_sink& sink);

  result<void> put(bytes_view key, bytes_view value, core::timestamp ts) override;
  result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value,
                                             core::timestamp ts) override;
  result<std::optional<bytes>> remove(bytes_view key, core::timestamp ts) override;
  result<void> put_all(std::span<const key_value_write> writes, core::timestamp ts) override;

 private:
  changelog_sink* _sink;
};

}  // namespace sluice::state
