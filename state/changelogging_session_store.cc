#include "state/changelogging_session_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_session_store::changelogging_session_store(std::unique_ptr<session_store> inner,
                                                         changelog_sink& sink)
    : wrapped_session_store(std::move(inner)), _sink(&sink) {}

result<bool> changelogging_session_store::put(bytes_view key, session_window window,
                                              bytes_view value, core::timestamp ts) {
  SLUICE_TRY(auto stored, _inner->put(key, window, value, ts));
  if (stored) {
    _sink->on_change(encode_session_key(key, window.start, window.end), value,
                     ts);
  }
  return stored;
}

result<void> changelogging_session_store::remove(bytes_view key, session_window window,
                                                 core::timestamp ts) {
  SLUICE_TRY(_inner->remove(key, window, ts));
  _sink->on_change(encode_session_key(key, window.start, window.end), std::nullopt,
                   ts);
  return core::success();
}

}  // namespace sluice::state
