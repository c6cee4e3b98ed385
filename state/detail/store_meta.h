#pragma once
/// Store metadata kept beside the data (module-private): in RocksDB the `default` column
/// family, in memory a map. Written in the same atomic batches as the data it describes.
///
/// | key                         | value                                                 |
/// |-----------------------------|-------------------------------------------------------|
/// | `sluice.format`             | 2 bytes: format version (1), store kind (1 kv,        |
/// |                             | 2 window, 3 session)                                  |
/// | `sluice.changelog_position` | int64 BE: next changelog offset not yet reflected     |
/// | `sluice.stream_time`        | int64 BE: observed stream time, ms (window, session)  |
/// | `sluice.segment_interval`   | int64 BE: segment width, ms (window, session)         |
/// | `sluice.seqnum_reserved`    | int64 BE: duplicate sequence numbers below this may   |
/// |                             | be in use                                             |

#include "core/error.h"
#include "core/types.h"
#include "state/detail/engine.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sluice::state::detail {

enum class store_kind : std::uint8_t { key_value = 1, window = 2, session = 3 };

inline constexpr std::uint8_t store_format_version = 1;

inline constexpr std::string_view meta_format = "sluice.format";
inline constexpr std::string_view meta_position = "sluice.changelog_position";
inline constexpr std::string_view meta_stream_time = "sluice.stream_time";
inline constexpr std::string_view meta_segment_interval = "sluice.segment_interval";
inline constexpr std::string_view meta_seqnum_reserved = "sluice.seqnum_reserved";

/// Checks the stored format and kind. On a new (empty) store, stamps them together with
/// `stamp` and makes that durable at once (flush), so that a crash can never leave keyspaces
/// without a format — which would read as a foreign database.
result<void> check_format(engine& e, store_kind kind, std::span<const meta_write> stamp = {});

/// An int64 metadata value; corruption if present with the wrong size.
result<std::optional<std::int64_t>> read_i64_meta(engine& e, std::string_view key);

/// The committed changelog position.
result<std::optional<core::offset>> read_position(engine& e);

/// Throws std::invalid_argument unless `name` is a usable store name: 1..249 characters from
/// [A-Za-z0-9._-], not "." or ".." (it names a directory and a Kafka topic).
void validate_store_name(std::string_view name);

}  // namespace sluice::state::detail
