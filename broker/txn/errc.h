#pragma once
/// Errors of the transaction coordinator (`sluice.broker.txn`). Like the group coordinator's,
/// they never travel on the wire as such: each transaction handler maps them to a Kafka
/// `error_code` (and to the code its request version knows — PRODUCER_FENCED exists only from
/// InitProducerId v4).
///
/// Thread safety: stateless, usable from any thread.

#include <system_error>

namespace sluice::broker::txn {

enum class errc {
  ok = 0,
  invalid_request = 1,          ///< an empty transactional id
  invalid_transaction_timeout,  ///< timeout <= 0 or over transaction.max.timeout.ms
  concurrent_transactions,      ///< a state transition of this id is in progress: retry
  invalid_producer_id_mapping,  ///< unknown transactional id, or another producer id
  producer_fenced,              ///< an older epoch: a newer instance took over this id
  invalid_txn_state,            ///< the request does not fit the transaction's state
  coordinator_not_available,    ///< writing __transaction_state or a marker failed: retry
  corrupt_log,                  ///< __transaction_state holds a record this broker cannot read
  producer_ids_exhausted,       ///< the producer-id block file cannot be advanced
};

const std::error_category& txn_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), txn_category()}; }

}  // namespace sluice::broker::txn

template <>
struct std::is_error_code_enum<sluice::broker::txn::errc> : std::true_type {};
