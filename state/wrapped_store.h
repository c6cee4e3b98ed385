#pragma once
/// The base of the store decorators (change-logging, caching): a store that owns the store it
/// wraps and forwards every call to it, so that a decorator overrides only what it changes.
///
/// `wrapped_store<Store>` forwards the `state_store` lifecycle (flush, close, batches,
/// restoration); `wrapped_key_value_store`, `wrapped_window_store` and `wrapped_session_store`
/// also forward their kind's reads and writes.
///
/// Ownership: owns the wrapped store (`inner()`). Single-threaded, like every store.

#include "core/assert.h"
#include "state/key_value_store.h"
#include "state/session_store.h"
#include "state/window_store.h"

#include <memory>

namespace sluice::state {

template <class Store>
class wrapped_store : public Store {
 public:
  explicit wrapped_store(std::unique_ptr<Store> inner) : _inner(std::move(inner)) {
    SLUICE_ASSERT(_inner != nullptr, "a store decorator needs a store to wrap");
  }

  Store& inner() noexcept { return *_inner; }

  const std::string& name() const noexcept override { return _inner->name(); }
  bool persistent() const noexcept override { return _inner->persistent(); }
  bool is_open() const noexcept override { return _inner->is_open(); }
  result<void> flush() override { return _inner->flush(); }
  result<void> close() override { return _inner->close(); }
  result<void> begin_batch() override { return _inner->begin_batch(); }
  result<void> commit_batch(core::offset changelog_position) override {
    return _inner->commit_batch(changelog_position);
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

 protected:
  std::unique_ptr<Store> _inner;
};

class wrapped_key_value_store : public wrapped_store<key_value_store> {
 public:
  using wrapped_store::wrapped_store;

  result<std::optional<bytes>> get(bytes_view key) override { return _inner->get(key); }
  result<void> put(bytes_view key, bytes_view value, core::timestamp ts) override {
    return _inner->put(key, value, ts);
  }
  result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value,
                                             core::timestamp ts) override {
    return _inner->put_if_absent(key, value, ts);
  }
  result<std::optional<bytes>> remove(bytes_view key, core::timestamp ts) override {
    return _inner->remove(key, ts);
  }
  result<void> put_all(std::span<const key_value_write> writes, core::timestamp ts) override {
    return _inner->put_all(writes, ts);
  }
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
};

class wrapped_window_store : public wrapped_store<window_store> {
 public:
  using wrapped_store::wrapped_store;

  const window_store_options& options() const noexcept override { return _inner->options(); }
  result<window_put_result> put(bytes_view key, bytes_view value, core::timestamp window_start,
                                core::timestamp ts) override {
    return _inner->put(key, value, window_start, ts);
  }
  result<void> remove(bytes_view key, core::timestamp window_start, core::timestamp ts) override {
    return _inner->remove(key, window_start, ts);
  }
  using window_store::fetch;  // the range overloads
  result<std::optional<bytes>> fetch(bytes_view key, core::timestamp window_start) override {
    return _inner->fetch(key, window_start);
  }
  std::optional<core::timestamp> observed_stream_time() const noexcept override {
    return _inner->observed_stream_time();
  }
  std::uint64_t dropped_records() const noexcept override { return _inner->dropped_records(); }
  std::size_t segment_count() const noexcept override { return _inner->segment_count(); }

 protected:
  result<window_iterator> do_fetch(bytes_view key, core::timestamp from, core::timestamp to,
                                   iteration_order order) override {
    return _inner->fetch(key, from, to, order);
  }
  result<window_iterator> do_fetch_range(bytes_view key_from, bytes_view key_to,
                                         core::timestamp from, core::timestamp to,
                                         iteration_order order) override {
    return _inner->fetch(key_from, key_to, from, to, order);
  }
  result<window_iterator> do_fetch_all(core::timestamp from, core::timestamp to,
                                       iteration_order order) override {
    return _inner->fetch_all(from, to, order);
  }
  result<window_iterator> do_all(iteration_order order) override { return _inner->all(order); }
};

class wrapped_session_store : public wrapped_store<session_store> {
 public:
  using wrapped_store::wrapped_store;

  const session_store_options& options() const noexcept override { return _inner->options(); }
  result<bool> put(bytes_view key, session_window window, bytes_view value,
                   core::timestamp ts) override {
    return _inner->put(key, window, value, ts);
  }
  result<void> remove(bytes_view key, session_window window, core::timestamp ts) override {
    return _inner->remove(key, window, ts);
  }
  result<std::optional<bytes>> fetch_session(bytes_view key, session_window window) override {
    return _inner->fetch_session(key, window);
  }
  std::optional<core::timestamp> observed_stream_time() const noexcept override {
    return _inner->observed_stream_time();
  }
  std::uint64_t dropped_records() const noexcept override { return _inner->dropped_records(); }
  std::size_t segment_count() const noexcept override { return _inner->segment_count(); }

 protected:
  result<session_iterator> do_find_sessions(bytes_view key_from, bytes_view key_to,
                                            core::timestamp earliest_session_end,
                                            core::timestamp latest_session_start,
                                            iteration_order order) override {
    return _inner->find_sessions(key_from, key_to, earliest_session_end, latest_session_start,
                                 order);
  }
};

}  // namespace sluice::state
