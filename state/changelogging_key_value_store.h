#pragma once
/// `changelogging_key_value_store`, and the change-logging decorators in general (window and
/// session: changelogging_window_store.h, changelogging_session_store.h).
///
/// Change-logging decorators wrap any store and report every write that succeeded in it to a
/// `changelog_sink` — key in the store kind's changelog format (changelog_format.h), value or
/// tombstone, and the timestamp of the record being processed (`store_context`) — for the
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
/// Ownership: owns the wrapped store; `sink` and `context` are borrowed and must outlive the
/// decorator. Single-threaded, like every store.

#include "state/changelog_sink.h"
#include "state/key_value_store.h"
#include "state/store_context.h"

#include <memory>

namespace sluice::state {

class changelogging_key_value_store final : public key_value_store {
 public:
  changelogging_key_value_store(std::unique_ptr<key_value_store> inner, changelog_sink& sink,
                                const store_context& context);

  key_value_store& inner() noexcept { return *_inner; }

  const std::string& name() const noexcept override { return _inner->name(); }
  bool persistent() const noexcept override { return _inner->persistent(); }
  bool is_open() const noexcept override { return _inner->is_open(); }
  result<void> flush() override { return _inner->flush(); }
  result<void> close() override { return _inner->close(); }
  result<void> begin_batch() override { return _inner->begin_batch(); }
  result<void> commit_batch(core::offset position) override {
    return _inner->commit_batch(position);
  }
  result<void> abort_batch() override { return _inner->abort_batch(); }
  bool batch_active() const noexcept override { return _inner->batch_active(); }
  result<std::optional<core::offset>> committed_offset() override {
    return _inner->committed_offset();
  }
  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override {
    return _inner->restore_batch(records, next_position);
  }

  result<std::optional<bytes>> get(bytes_view key) override { return _inner->get(key); }
  result<void> put(bytes_view key, bytes_view value) override;
  result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value) override;
  result<std::optional<bytes>> remove(bytes_view key) override;
  result<void> put_all(std::span<const key_value_write> writes) override;
  result<std::uint64_t> approximate_num_entries() override {
    return _inner->approximate_num_entries();
  }

 protected:
  result<key_value_iterator> do_range(bytes_view from, bytes_view to,
                                      iteration_order order) override {
    return _inner->range(from, to, order);
  }
  result<key_value_iterator> do_prefix_scan(bytes_view prefix, iteration_order order) override {
    return _inner->prefix_scan(prefix, order);
  }
  result<key_value_iterator> do_all(iteration_order order) override { return _inner->all(order); }

 private:
  std::unique_ptr<key_value_store> _inner;
  changelog_sink* _sink;
  const store_context* _context;
};

}  // namespace sluice::state
