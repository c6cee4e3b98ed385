#pragma once
/// `store_context`: the little the store decorators need to know about the record being
/// processed — its timestamp, which change-logging stamps on changelog records.
///
/// Owned by the task (one per task); the runtime sets `record_timestamp` before it hands each
/// record to the processors. The caching layer sets it temporarily to a cached entry's own
/// timestamp while it flushes that entry, so the changelog record carries the timestamp of the
/// write that produced it, not of the record that happened to trigger the flush.
/// Single-threaded, like the task.

#include "core/time.h"

namespace sluice::state {

struct store_context {
  core::timestamp record_timestamp{};
};

}  // namespace sluice::state
