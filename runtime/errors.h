#pragma once
/// The runtime's exception and error codes.
///
/// `streams_error` is thrown by `streams::start()` (and `sluice::run`) when the application
/// cannot start: a source topic is missing, co-partitioned topics differ in partition count, an
/// internal topic cannot be created (the broker's message is included), librdkafka rejects a
/// pass-through setting, the state directory is unusable, or the configuration asks for a
/// feature this runtime does not provide. Its message says what to fix. Configuration keys
/// with bad values fail earlier, in the `streams` constructor, with `core::config_exception`.
///
/// `errc` covers failures inside a running stream thread; they end up as the thread's error,
/// handed to the uncaught-error handler as a `streams_error` carrying the message.

#include "core/error.h"

#include <stdexcept>
#include <string>
#include <system_error>

namespace sluice::runtime {

class streams_error : public std::runtime_error {
 public:
  explicit streams_error(const std::string& message) : std::runtime_error(message) {}
};

/// An interactive query cannot be answered by this instance now (Kafka Streams'
/// InvalidStateStoreException). `retriable()`: the store exists but the key's task is
/// restoring, moving, or the instance is rebalancing — ask again (HTTP 503 with Retry-After);
/// otherwise the store does not exist, is of another kind, or the key's task runs on another
/// instance (`streams::query_metadata_for_key` says which).
class invalid_state_store : public streams_error {
 public:
  enum class reason {
    unknown_store,  ///< the topology has no store of that name
    wrong_kind,     ///< the store is not of the kind (or key and value types) asked for
    not_local,      ///< the key's task runs on another instance
    unavailable,    ///< restoring, moving or rebalancing: retry
  };
  invalid_state_store(reason why, const std::string& message) : streams_error(message), _why(why) {}
  reason why() const noexcept { return _why; }
  bool retriable() const noexcept { return _why == reason::unavailable; }

 private:
  reason _why;
};

enum class errc {
  ok = 0,
  kafka_error = 1,   ///< librdkafka reported an error the runtime cannot recover from
  produce_failed,    ///< a record (output, repartition or changelog) was not delivered
  store_failed,      ///< a state store failed (open, flush, restore, checkpoint)
  task_migrated,     ///< the consumer lost its group membership; its tasks moved elsewhere
  transaction_failed,  ///< exactly-once: the current transaction cannot commit (abort, redo)
  producer_fenced,   ///< exactly-once: the producer is unusable (fenced, fatal): recreate it
};

const std::error_category& runtime_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), runtime_category()};
}

}  // namespace sluice::runtime

template <>
struct std::is_error_code_enum<sluice::runtime::errc> : std::true_type {};

namespace sluice {
using runtime::invalid_state_store;
using runtime::streams_error;
}  // namespace sluice
