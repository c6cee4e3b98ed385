#pragma once
/// `key_value_store`: a bytes-level ordered map, the storage behind KTables and aggregations.
///
/// Keys are ordered lexicographically as unsigned bytes (shorter prefix first) by every
/// implementation; range, prefix and full scans yield that order (or its reverse). Values are
/// arbitrary bytes; an empty value is a value, distinct from absence.
///
/// Implementations: the RocksDB and in-memory stores (stores.h) and the decorators
/// `changelogging_key_value_store` and `caching_key_value_store`. Ownership and threading as
/// for every `state_store`: one owner, one thread.

#include "core/bytes.h"
#include "core/error.h"
#include "core/time.h"
#include "state/key_value_iterator.h"
#include "state/state_store.h"

#include <cstdint>
#include <optional>
#include <span>

namespace sluice::state {

/// One write of `put_all`: a value to store, or nullopt to delete the key. Borrowed.
struct key_value_write {
  bytes_view key;
  std::optional<bytes_view> value;
};

class key_value_store : public state_store {
 public:
  /// The value stored under `key`, or nullopt.
  virtual result<std::optional<bytes>> get(bytes_view key) = 0;
  // Every write names `ts`, the timestamp of the record that caused it: a change-logged store
  // stamps its changelog record with it, a caching store keeps it with the entry until the
  // entry is flushed. Plain stores ignore it.

  /// Stores `value` under `key`, replacing any previous value.
  virtual result<void> put(bytes_view key, bytes_view value, core::timestamp ts) = 0;
  /// Stores `value` only if `key` is absent. Returns the existing value if there was one (and
  /// then writes nothing), or nullopt if it stored `value`.
  virtual result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value,
                                                     core::timestamp ts) = 0;
  /// Deletes `key`; returns the value it had, or nullopt.
  virtual result<std::optional<bytes>> remove(bytes_view key, core::timestamp ts) = 0;
  /// Applies all writes in order; the RocksDB store applies them as one atomic write batch.
  virtual result<void> put_all(std::span<const key_value_write> writes, core::timestamp ts) = 0;

  /// Entries with from ≤ key ≤ to (both inclusive). Empty if from > to.
  result<key_value_iterator> range(bytes_view from, bytes_view to,
                                   iteration_order order = iteration_order::forward) {
    return do_range(from, to, order);
  }
  /// Entries whose key starts with `prefix` (every entry if the prefix is empty).
  result<key_value_iterator> prefix_scan(bytes_view prefix,
                                         iteration_order order = iteration_order::forward) {
    return do_prefix_scan(prefix, order);
  }
  /// Every entry.
  result<key_value_iterator> all(iteration_order order = iteration_order::forward) {
    return do_all(order);
  }

  /// An estimate of the number of keys: exact for in-memory stores; for RocksDB the engine's
  /// estimate (exact while only distinct keys were inserted, approximate after overwrites and
  /// deletes). Writes pending in a batch are not counted.
  virtual result<std::uint64_t> approximate_num_entries() = 0;

 protected:
  virtual result<key_value_iterator> do_range(bytes_view from, bytes_view to,
                                              iteration_order order) = 0;
  virtual result<key_value_iterator> do_prefix_scan(bytes_view prefix, iteration_order order) = 0;
  virtual result<key_value_iterator> do_all(iteration_order order) = 0;
};

}  // namespace sluice::state
