#include "state/changelogging_session_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_session_store::changelogging_session_store(std::unique_ptr<session_store> inner,
                                                         changelog_sink& sink,
                                                         const store_context& context)
    : wrapped_session_store(std::move(inner)), _sink(&sink), _context(&context) {}

result<bool> changelogging_session_store::put(bytes_view key, session_window window,
                                              bytes_view value) {
  SLUICE_TRY(auto stored, _inner->put(key, window, value));
  if (stored) {
    _sink->on_change(encode_session_key(key, window.start, window.end), value,
                     _context->record_timestamp);
  }
  return stored;
}

result<void> changelogging_session_store::remove(bytes_view key, session_window window) {
  SLUICE_TRY(_inner->remove(key, window));
  _sink->on_change(encode_session_key(key, window.start, window.end), std::nullopt,
                   _context->record_timestamp);
  return core::success();
}

}  // namespace sluice::state
