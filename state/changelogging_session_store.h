#pragma once
/// `changelogging_session_store`: reports every successful write of the wrapped session store
/// to a `changelog_sink` — see changelogging_key_value_store.h for the contract. put → ((key,
/// end, start), value) unless the session was expired and dropped; remove → tombstone. Key
/// layout in changelog_format.h. Owns the wrapped store; `sink` and `context` must outlive it.

#include "state/changelog_sink.h"
#include "state/session_store.h"
#include "state/store_context.h"

#include <memory>

namespace sluice::state {

class changelogging_session_store final : public session_store {
 public:
  changelogging_session_store(std::unique_ptr<session_store> inner, changelog_sink& sink,
                              const store_context& context);

  session_store& inner() noexcept { return *_inner; }

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

  const session_store_options& options() const noexcept override { return _inner->options(); }
  result<bool> put(bytes_view key, session_window window, bytes_view value) override;
  result<void> remove(bytes_view key, session_window window) override;
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

 private:
  std::unique_ptr<session_store> _inner;
  changelog_sink* _sink;
  const store_context* _context;
};

}  // namespace sluice::state
