#pragma once
/// Error codes of the state module.
///
/// Every failure of a state store — RocksDB statuses included — reaches callers as a
/// `sluice::result` carrying one of these codes. RocksDB statuses are converted in exactly one
/// place (the RocksDB backend), which also logs the engine's own message, because an
/// `std::error_code` cannot carry it.
///
/// Thread safety: stateless; usable from any thread.

#include <system_error>

namespace sluice::state {

enum class errc {
  ok = 0,
  io_error = 1,        ///< the storage engine or the file system failed to read or write
  corruption,          ///< stored bytes failed a checksum or a structural check
  invalid_argument,    ///< a caller passed something outside the documented domain
  store_closed,        ///< the store was used after close()
  invalid_state,       ///< not allowed in the store's current state (open batch, dirty cache)
  incompatible_store,  ///< the data on disk has another store kind, layout or format version
  busy,                ///< the engine asked to retry later (RocksDB Busy, TryAgain, TimedOut)
  no_space,            ///< the disk is full
  not_supported,       ///< the engine does not support the requested operation
  storage_error,       ///< any other storage-engine failure
};

const std::error_category& state_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), state_category()};
}

}  // namespace sluice::state

template <>
struct std::is_error_code_enum<sluice::state::errc> : std::true_type {};
