#pragma once
/// What a topic's configuration asks of an incoming producer batch beyond the produce rules of
/// record_batch.h — the only places where the append path decodes records:
///
/// - `cleanup.policy` containing `compact`: every record needs a key (a keyless record could
///   never be compacted away). A batch with one keyless record is refused whole with
///   `errc::invalid_record` (Produce answers CORRUPT_MESSAGE, Kafka's code below Produce v8).
/// - `compression.type` other than `producer`: a batch in another codec is decompressed and
///   recompressed with the topic's codec (offset deltas, timestamps, producer id, epoch,
///   sequence and the transactional flag kept), as Kafka does. With `producer` (the default)
///   batches are stored exactly as sent and nothing is decoded.
///
/// Thread safety: pure functions.

#include "broker/storage/record_batch.h"
#include "core/bytes.h"
#include "core/error.h"

#include <optional>

namespace sluice::broker::storage {

/// Whether `apply_append_rules` has anything to do for a batch with header `h`.
bool append_rules_apply(const batch_header& h, bool compacted,
                        std::optional<protocol::compression_codec> target) noexcept;

/// Checks and converts one validated producer batch (`h` is its header). Returns the bytes to
/// append: `batch` itself when it passes unchanged, or the converted batch stored in `scratch`.
result<bytes_view> apply_append_rules(bytes_view batch, const batch_header& h, bool compacted,
                                      std::optional<protocol::compression_codec> target,
                                      bytes& scratch);

}  // namespace sluice::broker::storage
