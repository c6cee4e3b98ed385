#pragma once
/// The members of `rocksdb_resources` (module-private). Forward declarations only: RocksDB
/// headers stay in state/*.cc.

#include "state/rocksdb_resources.h"

#include <atomic>
#include <cstddef>
#include <memory>

namespace rocksdb {
class Cache;
class WriteBufferManager;
class TableFactory;
}  // namespace rocksdb

namespace sluice::state {

struct rocksdb_resources::impl {
  rocksdb_resources_config config;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
  std::shared_ptr<rocksdb::TableFactory> table_factory;
  int compression = 0;  // a rocksdb::CompressionType
  const char* compression_name = "none";
  std::atomic<std::size_t> open_stores{0};
};

}  // namespace sluice::state
