#pragma once
/// `caching_key_value_store`: a write-back cache in front of a key-value store (Kafka Streams'
/// caching layer), backed by the thread's shared `record_cache`.
///
/// Writes land in the cache as dirty entries; repeated updates of a key fold into one. Reads
/// see cached (dirty) values first — gets, and range/prefix/full scans, which merge the cache
/// with the store below in key order. `flush()` writes the dirty entries to the store below in
/// key order and calls the flush listener once per entry with (key, new value, old value,
/// timestamp of the write), so the DSL forwards only the latest update of each key downstream;
/// an entry evicted for space is written (and reported) the same way. A delete of a key that
/// exists neither in the cache nor below is not reported.
///
/// Exactly-once: `begin_batch()` and `commit_batch()` require a flushed cache (else
/// `errc::invalid_state`): the runtime flushes before committing the Kafka transaction, so the
/// flushed writes are inside it. `abort_batch()` drops every cached entry of this store.
/// `close()` flushes first, unless a batch is open (then the cache is dropped with the batch).
///
/// Layering: caching ← change-logging ← RocksDB/in-memory. Each entry keeps the `ts` of the
/// write that made it, and is written below with that `ts` (so change-logging logs it with the
/// time of that write, not of the record that happened to trigger the flush).
///
/// Ownership: owns the wrapped store; `cache` must outlive it. Single-threaded.

#include "state/wrapped_store.h"
#include "state/record_cache.h"

#include <functional>
#include <memory>
#include <optional>

namespace sluice::state {

namespace detail {
class named_cache;
}  // namespace detail

class caching_key_value_store final : public wrapped_key_value_store {
 public:
  /// Called for each flushed or evicted entry. `old_value` is the value below before the write
  /// (only if old values were requested). Views are valid during the call only.
  using flush_listener =
      std::function<void(bytes_view key, std::optional<bytes_view> new_value,
                         std::optional<bytes_view> old_value, core::timestamp ts)>;

  caching_key_value_store(std::unique_ptr<key_value_store> inner, record_cache& cache);
  ~caching_key_value_store() override;

  /// Installs the listener; with `send_old_values` each flush first reads the old value below.
  void set_flush_listener(flush_listener listener, bool send_old_values);
  /// Dirty entries waiting for a flush.
  std::size_t dirty_entries() const noexcept;

  result<void> flush() override;
  result<void> close() override;
  result<void> begin_batch() override;
  result<void> commit_batch(core::offset changelog_position) override;
  result<void> abort_batch() override;
  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override;

  result<std::optional<bytes>> get(bytes_view key) override;
  result<void> put(bytes_view key, bytes_view value, core::timestamp ts) override;
  result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value,
                                             core::timestamp ts) override;
  result<std::optional<bytes>> remove(bytes_view key, core::timestamp ts) override;
  result<void> put_all(std::span<const key_value_write> writes, core::timestamp ts) override;
  // approximate_num_entries: the store below's estimate (cached writes not yet flushed are
  // not counted), as wrapped_key_value_store forwards it.

 protected:
  result<key_value_iterator> do_range(bytes_view from, bytes_view to,
                                      iteration_order order) override;
  result<key_value_iterator> do_prefix_scan(bytes_view prefix, iteration_order order) override;
  result<key_value_iterator> do_all(iteration_order order) override;

 private:
  result<void> write_back(bytes_view key, std::optional<bytes_view> value, core::timestamp ts);
  result<key_value_iterator> merged(key_value_iterator below, std::optional<bytes> lower,
                                    std::optional<bytes> upper, iteration_order order);

  flush_listener _listener;
  bool _send_old_values = false;
  std::unique_ptr<detail::named_cache> _cache;
};

}  // namespace sluice::state
