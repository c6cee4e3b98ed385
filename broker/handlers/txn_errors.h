#pragma once
/// The transaction coordinator's errors as Kafka codes, shared by the transaction handlers.
/// Module-private.

#include "core/protocol/error_code.h"
#include "broker/txn/errc.h"

namespace sluice::broker {

/// `fenced_code` is what a fenced producer hears: PRODUCER_FENCED exists only from
/// InitProducerId v4 / EndTxn, AddPartitionsToTxn, AddOffsetsToTxn v2; older versions get
/// INVALID_PRODUCER_EPOCH, as Apache Kafka answers them.
inline protocol::error_code map_txn_error(txn::errc e, bool producer_fenced_known) noexcept {
  using protocol::error_code;
  using txn::errc;
  switch (e) {
    case errc::ok: return error_code::none;
    case errc::invalid_request: return error_code::invalid_request;
    case errc::invalid_transaction_timeout: return error_code::invalid_transaction_timeout;
    case errc::concurrent_transactions: return error_code::concurrent_transactions;
    case errc::invalid_producer_id_mapping: return error_code::invalid_producer_id_mapping;
    case errc::producer_fenced:
      return producer_fenced_known ? error_code::producer_fenced : error_code::invalid_producer_epoch;
    case errc::invalid_txn_state: return error_code::invalid_txn_state;
    case errc::coordinator_not_available:
    case errc::producer_ids_exhausted: return error_code::coordinator_not_available;
    case errc::corrupt_log: return error_code::unknown_server_error;
  }
  return error_code::unknown_server_error;
}

}  // namespace sluice::broker
