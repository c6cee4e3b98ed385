#include "state/detail/cache_batches.h"

#include "state/detail/named_cache.h"
#include "state/errc.h"

namespace sluice::state::detail {

result<void> cache_flush(named_cache& cache, state_store& inner) {
  if (!inner.is_open()) return errc::store_closed;
  SLUICE_TRY(cache.flush());
  return inner.flush();
}

result<void> cache_close(named_cache& cache, state_store& inner) {
  if (!inner.is_open()) return core::success();
  result<void> flushed = core::success();
  if (!inner.batch_active()) flushed = cache.flush();
  cache.clear();
  auto closed = inner.close();
  SLUICE_TRY(flushed);
  return closed;
}

result<void> cache_begin_batch(named_cache& cache, state_store& inner) {
  if (cache.dirty_count() != 0) return errc::invalid_state;
  return inner.begin_batch();
}

result<void> cache_commit_batch(named_cache& cache, state_store& inner, core::offset changelog_position) {
  if (cache.dirty_count() != 0) return errc::invalid_state;
  return inner.commit_batch(changelog_position);
}

result<void> cache_abort_batch(named_cache& cache, state_store& inner) {
  // Clean entries may mirror pending writes as well: drop everything.
  cache.clear();
  return inner.abort_batch();
}

result<void> cache_restore_batch(named_cache& cache, state_store& inner,
                                 std::span<const changelog_record> records, core::offset next_position) {
  if (cache.dirty_count() != 0) return errc::invalid_state;
  cache.clear();
  return inner.restore_batch(records, next_position);
}

}  // namespace sluice::state::detail
