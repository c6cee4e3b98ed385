#include "state/rocksdb_resources.h"

#include "core/assert.h"
#include "state/detail/rocksdb_resources_impl.h"
#include "state/rocksdb_options.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sluice::state {
namespace {

void require(bool ok, const char* field, const char* rule) {
  if (!ok) {
    throw std::invalid_argument(std::string("rocksdb_resources_config.") + field + " " + rule);
  }
}

void validate(const rocksdb_resources_config& c) {
  require(c.memory_budget_bytes >= (std::size_t{8} << 20), "memory_budget_bytes",
          "must be at least 8 MiB");
  require(c.memtable_fraction > 0.0 && c.memtable_fraction < 1.0, "memtable_fraction",
          "must be in (0, 1)");
  require(c.index_filter_fraction >= 0.0 && c.index_filter_fraction < 1.0, "index_filter_fraction",
          "must be in [0, 1)");
  require(c.write_buffer_size >= (std::size_t{64} << 10), "write_buffer_size",
          "must be at least 64 KiB");
  require(c.background_threads >= 1, "background_threads", "must be at least 1");
  require(c.max_open_files_per_store == -1 || c.max_open_files_per_store >= 16,
          "max_open_files_per_store", "must be -1 or at least 16");
  require(c.bloom_bits_per_key >= 0.0, "bloom_bits_per_key", "must not be negative");
}

}  // namespace

rocksdb_resources::rocksdb_resources(const rocksdb_resources_config& config)
    : _impl(std::make_unique<impl>()) {
  validate(config);
  _impl->config = config;

  rocksdb::LRUCacheOptions cache_options;
  cache_options.capacity = config.memory_budget_bytes;
  cache_options.num_shard_bits = -1;
  cache_options.strict_capacity_limit = false;
  cache_options.high_pri_pool_ratio = config.index_filter_fraction;
  _impl->cache = rocksdb::NewLRUCache(cache_options);

  // Memtables are charged to the block cache: one budget for both.
  const auto memtable_bytes = static_cast<std::size_t>(
      static_cast<double>(config.memory_budget_bytes) * config.memtable_fraction);
  _impl->write_buffers =
      std::make_shared<rocksdb::WriteBufferManager>(memtable_bytes, _impl->cache, false);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = _impl->cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;
  // XXH3 block checksums: Debian's RocksDB computes CRC32C with its portable software version
  // (no SSE4.2 path), which showed up as ~10% of a restoring thread's time. The WAL still uses
  // CRC32C; files written with CRC32C blocks stay readable.
  table.checksum = rocksdb::kXXH3;
  table.optimize_filters_for_memory = true;
  if (config.bloom_bits_per_key > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(config.bloom_bits_per_key, false));
    table.whole_key_filtering = true;
  }
  _impl->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  const auto supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  if (has(rocksdb::kLZ4Compression)) {
    _impl->compression = rocksdb::kLZ4Compression;
    _impl->compression_name = "LZ4";
  } else if (has(rocksdb::kSnappyCompression)) {
    _impl->compression = rocksdb::kSnappyCompression;
    _impl->compression_name = "Snappy";
  } else {
    _impl->compression = rocksdb::kNoCompression;
    _impl->compression_name = "none";
  }

  // The default Env's thread pools are process-wide: every store's flushes and compactions
  // share them. One high-priority thread for flushes, the rest for compactions.
  auto* env = rocksdb::Env::Default();
  env->IncBackgroundThreadsIfNeeded(1, rocksdb::Env::Priority::HIGH);
  env->IncBackgroundThreadsIfNeeded(std::max(1, config.background_threads - 1),
                                    rocksdb::Env::Priority::LOW);
}

rocksdb_resources::~rocksdb_resources() {
  SLUICE_ASSERT(_impl->open_stores.load() == 0,
                "rocksdb_resources destroyed while stores using it are still open");
}

const rocksdb_resources_config& rocksdb_resources::config() const noexcept {
  return _impl->config;
}

std::size_t rocksdb_resources::cache_usage() const noexcept {
  return _impl->cache->GetUsage();
}

std::size_t rocksdb_resources::cache_pinned_usage() const noexcept {
  return _impl->cache->GetPinnedUsage();
}

std::size_t rocksdb_resources::memtable_usage() const noexcept {
  return _impl->write_buffers->memory_usage();
}

std::size_t rocksdb_resources::open_stores() const noexcept {
  return _impl->open_stores.load();
}

const char* rocksdb_resources::compression_name() const noexcept {
  return _impl->compression_name;
}

void configure_db_options(const rocksdb_resources& resources, const rocksdb_store_options& store,
                          rocksdb::DBOptions& out) {
  const auto& r = resources.internals();
  out.create_if_missing = true;
  out.create_missing_column_families = true;
  out.env = rocksdb::Env::Default();
  out.write_buffer_manager = r.write_buffers;
  out.max_background_jobs = r.config.background_threads;
  out.max_open_files = r.config.max_open_files_per_store;
  // Buffered WAL: appends stay in memory until a commit (FlushWAL) or flush (fsync); no
  // write(2) per put. Without a WAL, cross-column-family consistency needs atomic flushes.
  out.manual_wal_flush = store.wal != wal_mode::disabled;
  out.atomic_flush = store.wal == wal_mode::disabled;
  out.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // Column families that stop receiving writes (old segments, the metadata family) would pin
  // WAL files forever; past this size RocksDB flushes them so the WAL can be recycled.
  out.max_total_wal_size = 4 * r.config.write_buffer_size;
  out.avoid_unnecessary_blocking_io = true;
  out.bytes_per_sync = std::uint64_t{1} << 20;
  out.info_log_level = rocksdb::InfoLogLevel::INFO_LEVEL;
  out.max_log_file_size = std::size_t{1} << 20;
  out.keep_log_file_num = 3;
  out.stats_dump_period_sec = 0;
  out.stats_persist_period_sec = 0;
}

void configure_column_family_options(const rocksdb_resources& resources,
                                     const rocksdb_store_options& /*store*/,
                                     rocksdb::ColumnFamilyOptions& out) {
  const auto& r = resources.internals();
  out.table_factory = r.table_factory;
  out.compression = static_cast<rocksdb::CompressionType>(r.compression);
  out.bottommost_compression = static_cast<rocksdb::CompressionType>(r.compression);
  out.write_buffer_size = r.config.write_buffer_size;
  out.max_write_buffer_number = 3;
  out.min_write_buffer_number_to_merge = 1;
  out.level_compaction_dynamic_level_bytes = true;
  out.target_file_size_base = std::uint64_t{64} << 20;
  out.max_bytes_for_level_base = std::uint64_t{256} << 20;
}

}  // namespace sluice::state
