#include "state/changelogging_key_value_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"

namespace sluice::state {

changelogging_key_value_store::changelogging_key_value_store(std::unique_ptr<key_value_store> inner,
                                                             changelog_sink& sink)
    : wrapped_key_value_store(std::move(inner)), _sink(&sink) {}

result<void> changelogging_key_value_store::put(bytes_view key, bytes_view value,
                                                core::timestamp ts) {
  SLUICE_TRY(_inner->put(key, value, ts));
  _sink->on_change(key, value, ts);
  return core::success();
}

result<std::optional<bytes>> changelogging_key_value_store::put_if_absent(bytes_view key,
                                                                          bytes_view value,
                                                                          core::timestamp ts) {
  SLUICE_TRY(auto existing, _inner->put_if_absent(key, value, ts));
  if (!existing) _sink->on_change(key, value, ts);
  return existing;
}

result<std::optional<bytes>> changelogging_key_value_store::remove(bytes_view key,
                                                                   core::timestamp ts) {
  SLUICE_TRY(auto old, _inner->remove(key, ts));
  if (old) _sink->on_change(key, std::nullopt, ts);
  return old;
}

result<void> changelogging_key_value_store::put_all(std::span<const key_value_write> writes,
                                                    core::timestamp ts) {
  SLUICE_TRY(_inner->put_all(writes, ts));
  for (const auto& w : writes) _sink->on_change(w.key, w.value, ts);
  return core::success();
}

}  // namespace sluice::state
