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
using runtime::streams_error;
}  // namespace sluice
