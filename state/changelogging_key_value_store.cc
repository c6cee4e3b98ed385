#include "state/changelogging_key_value_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_key_value_store::changelogging_key_value_store(std::unique_ptr<key_value_store> inner,
                                                             changelog_sink& sink,
                                                             const store_context& context)
    : wrapped_key_value_store(std::move(inner)), _sink(&sink), _context(&context) {}

result<void> changelogging_key_value_store::put(bytes_view key, bytes_view value) {
  SLUICE_TRY(_inner->put(key, value));
  _sink->on_change(key, value, _context->record_timestamp);
  return core::success();
}

result<std::optional<bytes>> changelogging_key_value_store::put_if_absent(bytes_view key,
                                                                          bytes_view value) {
  SLUICE_TRY(auto existing, _inner->put_if_absent(key, value));
  if (!existing) _sink->on_change(key, value, _context->record_timestamp);
  return existing;
}

result<std::optional<bytes>> changelogging_key_value_store::remove(bytes_view key) {
  SLUICE_TRY(auto old, _inner->remove(key));
  if (old) _sink->on_change(key, std::nullopt, _context->record_timestamp);
  return old;
}

result<void> changelogging_key_value_store::put_all(std::span<const key_value_write> writes) {
  SLUICE_TRY(_inner->put_all(writes));
  for (const auto& w : writes) _sink->on_change(w.key, w.value, _context->record_timestamp);
  return core::success();
}

}  // namespace sluice::state
