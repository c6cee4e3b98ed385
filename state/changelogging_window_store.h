#pragma once
/// `changelogging_window_store`: reports every successful write of the wrapped window store to
/// a `changelog_sink` — see changelogging_key_value_store.h for the contract. put → ((key,
/// start, seqnum), value) unless the window was expired and dropped; remove → ((key, start, 0),
/// tombstone) unless duplicates are retained (then removes are ignored). Key layout in
/// changelog_format.h. Owns the wrapped store; `sink` and `context` must outlive it.

#include "state/changelog_sink.h"
#include "state/store_context.h"
#include "state/window_store.h"

#include <memory>

namespace sluice::state {

class changelogging_window_store final : public window_store {
 public:
  changelogging_window_store(std::unique_ptr<window_store> inner, changelog_sink& sink,
                             const store_context& context);

  window_store& inner() noexcept { return *_inner; }

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

  const window_store_options& options() const noexcept override { return _inner->options(); }
  result<window_put_result> put(bytes_view key, bytes_view value,
                                core::timestamp window_start) override;
  result<void> remove(bytes_view key, core::timestamp window_start) override;
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

 private:
  std::unique_ptr<window_store> _inner;
  changelog_sink* _sink;
  const store_context* _context;
};

}  // namespace sluice::state
