#pragma once
/// `build_store`: the one place where a topology's `store_spec` becomes a stack of state
/// stores — the backend (RocksDB or in-memory), then change-logging, then caching — used by the
/// runtime (each task's stores) and by the topology test driver, so both build the same
/// stores with the same options (segment interval, retention, duplicates).
///
/// Layering, innermost first: backend ← change-logging (when a sink is given) ← caching (when a
/// cache is given and the store kind supports it: key-value stores and window stores without
/// duplicates, as in Kafka Streams).
///
/// Not user API: internal to the DSL and the runtime.

#include "core/error.h"
#include "core/time.h"
#include "dsl/topology.h"
#include "state/rocksdb_resources.h"

#include <filesystem>
#include <memory>

namespace sluice::state {
class changelog_sink;
class record_cache;
class state_store;
}  // namespace sluice::state

namespace sluice::dsl::detail {

/// The segment width of a window or session store: Kafka Streams' rule,
/// max(retention / 2, 60 s). It depends on nothing but the retention, so it never changes for
/// an existing store (a RocksDB store refuses to open with another).
core::millis segment_interval_for(core::millis retention) noexcept;

/// Where and how to build one store.
struct store_layers {
  bool persistent = true;              ///< RocksDB; false = in memory
  std::filesystem::path task_dir;      ///< RocksDB stores live in `<task_dir>/rocksdb/<name>`
  state::rocksdb_resources* rocksdb = nullptr;  ///< REQUIRED when persistent
  state::rocksdb_store_options rocksdb_options;
  state::changelog_sink* changelog = nullptr;   ///< nullptr: not change-logged
  state::record_cache* cache = nullptr;         ///< nullptr: no caching layer
};

/// Builds the store stack for `spec`. Fails with the backend's error (a RocksDB store that
/// cannot be opened); the outermost layer is returned.
result<std::unique_ptr<state::state_store>> build_store(const store_spec& spec,
                                                        const store_layers& layers);

}  // namespace sluice::dsl::detail
