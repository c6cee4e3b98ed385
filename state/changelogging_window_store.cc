#include "state/changelogging_window_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_window_store::changelogging_window_store(std::unique_ptr<window_store> inner,
                                                       changelog_sink& sink,
                                                       const store_context& context)
    : wrapped_window_store(std::move(inner)), _sink(&sink), _context(&context) {}

result<window_put_result> changelogging_window_store::put(bytes_view key, bytes_view value,
                                                          core::timestamp window_start) {
  SLUICE_TRY(auto outcome, _inner->put(key, value, window_start));
  if (outcome.stored) {
    _sink->on_change(encode_window_key(key, window_start, outcome.seqnum), value,
                     _context->record_timestamp);
  }
  return outcome;
}

result<void> changelogging_window_store::remove(bytes_view key, core::timestamp window_start) {
  SLUICE_TRY(_inner->remove(key, window_start));
  if (!_inner->options().retain_duplicates) {
    _sink->on_change(encode_window_key(key, window_start, 0), std::nullopt,
                     _context->record_timestamp);
  }
  return core::success();
}

}  // namespace sluice::state
