#pragma once
/// `changelog_sink`: where the change-logging stores report every write, for the runtime to send
/// to the store's changelog topic (`<application.id>-<store>-changelog`, the task's partition).
///
/// Keys are in the store kind's changelog key format (changelog_format.h); a nullopt value is a
/// tombstone. The views are borrowed for the duration of the call only: copy what you keep.
/// Called on the task's stream thread, synchronously, after the write succeeded in the store
/// below. Implementations must not call back into the store.

#include "core/bytes.h"
#include "core/time.h"

#include <optional>

namespace sluice::state {

class changelog_sink {
 public:
  virtual ~changelog_sink() = default;
  virtual void on_change(bytes_view key, std::optional<bytes_view> value, core::timestamp ts) = 0;
};

}  // namespace sluice::state
