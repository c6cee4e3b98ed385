#pragma once
/// The RocksDB backend: one RocksDB instance per store, one column family per keyspace, the
/// `default` column family for metadata (module-private).

#include "core/error.h"
#include "state/detail/backend.h"
#include "state/rocksdb_resources.h"

#include <filesystem>
#include <memory>

namespace sluice::state::detail {

/// Opens (creating if missing) the RocksDB instance in `dir`.
result<std::unique_ptr<backend>> open_rocksdb_backend(const std::filesystem::path& dir,
                                                      rocksdb_resources& resources,
                                                      const rocksdb_store_options& options);

}  // namespace sluice::state::detail
