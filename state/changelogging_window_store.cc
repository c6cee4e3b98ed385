#include "state/changelogging_window_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_window_store::changelogging_window_store(std::unique_ptr<window_store> inner,
                                                       changelog_sink& sink)
    : wrapped_window_store(std::move(inner)), _sink(&sink) {}

result<window_put_result> changelogging_window_store::put(bytes_view key, bytes_view value,
                                                          core::timestamp window_start,
                                                          core::timestamp ts) {
  SLUICE_TRY(auto outcome, _inner->put(key, value, window_start, ts));
  if (outcome.stored) {
    _sink->on_change(encode_window_key(key, window_start, outcome.seqnum), value,
                     ts);
  }
  return outcome;
}

result<void> changelogging_window_store::remove(bytes_view key, core::timestamp window_start,
                                                core::timestamp ts) {
  SLUICE_TRY(_inner->remove(key, window_start, ts));
  if (!_inner->options().retain_duplicates) {
    _sink->on_change(encode_window_key(key, window_start, 0), std::nullopt,
                     ts);
  }
  return core::success();
}

}  // namespace sluice::state
