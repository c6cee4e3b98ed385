#pragma once
/// The lifecycle and batch steps that every caching store takes the same way around the store
/// it wraps (module-private): a cache's dirty entries are written down before anything below
/// may flush or close, and no batch boundary may pass while entries are dirty.
///
/// - flush: the cache writes its dirty entries down, then the store below flushes.
/// - close: the same (unless a batch is open: its writes are dropped), then the cache empties.
/// - begin/commit batch: refused (invalid_state) while entries are dirty.
/// - abort batch: the cache empties (clean entries may mirror the aborted writes).
/// - restore batch: refused while entries are dirty; the cache empties, restoration writes below.

#include "core/error.h"
#include "core/types.h"
#include "state/state_store.h"

#include <span>

namespace sluice::state::detail {

class named_cache;

result<void> cache_flush(named_cache& cache, state_store& inner);
result<void> cache_close(named_cache& cache, state_store& inner);
result<void> cache_begin_batch(named_cache& cache, state_store& inner);
result<void> cache_commit_batch(named_cache& cache, state_store& inner, core::offset changelog_position);
result<void> cache_abort_batch(named_cache& cache, state_store& inner);
result<void> cache_restore_batch(named_cache& cache, state_store& inner,
                                 std::span<const changelog_record> records, core::offset next_position);

}  // namespace sluice::state::detail
