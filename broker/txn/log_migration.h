#pragma once
/// How `__transaction_state` records written in Sluice's old private format
/// (legacy_log_format.h) become Kafka's (log_format.h); the driver and its crash-safety
/// argument are in broker/internal_topic_migration.h. `transaction_coordinator::open` is the
/// only user.
///
/// The conversion keeps the newest record of each transactional id (a tombstone forgets the
/// id) and writes it as a TransactionLogValue v1: producer id and epoch, timeout, state (the old
/// state codes were already Kafka's TransactionState ids), start and update times and the
/// partitions unchanged. The old record's group list (the groups AddOffsetsToTxn added) has
/// no field in Kafka's format and is dropped: each of those groups' `__consumer_offsets`
/// partition is already among the partitions, which is all that Kafka keeps and all that the
/// coordinator needs (the markers written there settle the groups' pending offsets). The
/// client transaction version, which the old format did not record, is written as 0.

#include "broker/internal_topic_migration.h"

namespace sluice::broker::txn {

/// The old format of `__transaction_state`, for `open_internal_topic_format`.
legacy_format transaction_state_legacy_format();

}  // namespace sluice::broker::txn
