#pragma once
/// `rocksdb_resources`: the process-wide RocksDB memory and threads that every RocksDB store
/// shares, created from one memory budget.
///
/// One LRU block cache of `memory_budget_bytes` holds data, index and filter blocks of every
/// store; one WriteBufferManager caps all memtables at `memtable_fraction` of the budget and
/// charges them to that same cache, so the total — block cache plus memtables — stays near the
/// budget however many stores and segments (column families) the process opens. Index and
/// filter blocks live in the cache too (high priority), so they are bounded as well. Flushes
/// and compactions of all stores run on RocksDB's shared background thread pool.
///
/// Ownership: create one at start-up (the `Streams` application object owns it) and pass it
/// by reference to every RocksDB store; it must outlive them all (checked on destruction).
/// Thread safety: the object is immutable after construction and every member function is
/// thread-safe; stores on different stream threads use it concurrently.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sluice::state {

struct rocksdb_resources_config {
  /// Total bytes for the shared block cache, memtables included. At least 8 MiB.
  std::size_t memory_budget_bytes = std::size_t{256} << 20;
  /// Share of the budget that memtables may hold before flushes are forced. In (0, 1).
  double memtable_fraction = 0.5;
  /// Share of the cache reserved for index and filter blocks. In [0, 1).
  double index_filter_fraction = 0.1;
  /// Memtable size per column family (flush trigger); the budget still caps the sum. ≥ 64 KiB.
  std::size_t write_buffer_size = std::size_t{16} << 20;
  /// Background threads for flushes and compactions, shared by all stores. ≥ 1.
  int background_threads = 2;
  /// Open SST files per store; -1 keeps all open (fastest; watch the fd limit).
  int max_open_files_per_store = -1;
  /// Bloom filter bits per key for point lookups; 0 disables filters.
  double bloom_bits_per_key = 10.0;
};

/// Write-ahead-log policy of a RocksDB store (see state/README.md, "Durability").
enum class wal_mode : std::uint8_t {
  /// WAL on, buffered in memory (manual_wal_flush): commits hand it to the OS (survives a
  /// process crash), flush() fsyncs it. The default.
  buffered,
  /// WAL on, buffered in memory; commits and flush() hand it to the OS, only close() fsyncs
  /// it. For stores whose committed position is written in the same atomic batches as their
  /// data (exactly-once tasks): an OS crash loses a tail of writes together with the position
  /// they reached, so the store restores that tail from its changelog. A process crash loses
  /// nothing.
  unsynced,
  /// WAL off; flush() flushes memtables (atomically across column families). A crash loses
  /// the writes since the last memtable flush — together with their committed position, so the
  /// store is restored from the changelog from an older offset, never left inconsistent.
  disabled,
};

/// Per-store RocksDB settings.
struct rocksdb_store_options {
  wal_mode wal = wal_mode::buffered;
};

class rocksdb_resources {
 public:
  /// Throws std::invalid_argument naming the offending rocksdb_resources_config field.
  explicit rocksdb_resources(const rocksdb_resources_config& config = {});
  rocksdb_resources(const rocksdb_resources&) = delete;
  rocksdb_resources& operator=(const rocksdb_resources&) = delete;
  /// REQUIRES: every store opened with these resources is closed or destroyed.
  ~rocksdb_resources();

  const rocksdb_resources_config& config() const noexcept;
  /// Bytes currently charged to the shared cache (blocks and memtable reservations).
  std::size_t cache_usage() const noexcept;
  /// Bytes of the cache pinned by readers and by memtable reservations.
  std::size_t cache_pinned_usage() const noexcept;
  /// Bytes of memtable memory of all stores, as the WriteBufferManager counts it.
  std::size_t memtable_usage() const noexcept;
  /// Stores currently open with these resources.
  std::size_t open_stores() const noexcept;
  /// The compression used for SST files: "LZ4" if RocksDB was built with it, else "Snappy",
  /// else "none".
  const char* compression_name() const noexcept;

  /// Module-internal (the RocksDB backend uses it); opaque outside state/*.cc.
  struct impl;
  impl& internals() const noexcept { return *_impl; }

 private:
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::state
