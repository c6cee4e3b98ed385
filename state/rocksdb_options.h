#pragma once
/// How Sluice configures RocksDB, exposed so that tools and benchmarks can open a raw
/// `rocksdb::DB` with exactly the options of a Sluice store (a fair baseline). Include
/// <rocksdb/options.h> yourself and link RocksDB to use these; this header only declares.
///
/// Thread safety: both functions only read `resources`.

#include "state/rocksdb_resources.h"

namespace rocksdb {
struct DBOptions;
struct ColumnFamilyOptions;
}  // namespace rocksdb

namespace sluice::state {

/// DB-wide options of every Sluice store: shared write buffer manager and thread pool, WAL
/// policy, recovery mode, log files.
void configure_db_options(const rocksdb_resources& resources, const rocksdb_store_options& store,
                          rocksdb::DBOptions& out);

/// Column-family options of every Sluice keyspace with bytewise keys: shared block cache and
/// table factory (bloom filters, cached index/filter blocks), compression, memtable size,
/// compaction style. Window and session segments use the same options with their comparator.
void configure_column_family_options(const rocksdb_resources& resources,
                                     const rocksdb_store_options& store,
                                     rocksdb::ColumnFamilyOptions& out);

}  // namespace sluice::state
