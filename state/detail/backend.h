#pragma once
/// `backend`: the storage primitives under every store (module-private) — named ordered
/// keyspaces (RocksDB column families / std::maps), a metadata keyspace, atomic write batches
/// and bounded scans. Two implementations: RocksDB (rocksdb_backend.cc) and memory
/// (memory_backend.cc). Pending (exactly-once) batches are handled above, in `engine`, once for
/// both; a backend only ever sees committed writes.
///
/// Single-threaded: owned by one store's engine.

#include "core/bytes.h"
#include "core/error.h"
#include "state/detail/key_layout.h"
#include "state/key_value_iterator.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::state::detail {

/// One ordered keyspace. Its layout follows from its name (layout_of_keyspace). Shared between
/// the backend, the store and open iterators, so that dropping a keyspace while an iterator
/// still reads it is safe.
class keyspace {
 public:
  keyspace(const keyspace&) = delete;
  keyspace& operator=(const keyspace&) = delete;
  virtual ~keyspace() = default;

  const std::string& name() const noexcept { return _name; }
  key_layout layout() const noexcept { return _layout; }

 protected:
  explicit keyspace(std::string name)
      : _name(std::move(name)), _layout(layout_of_keyspace(_name)) {}

 private:
  std::string _name;
  key_layout _layout;
};

using keyspace_ptr = std::shared_ptr<keyspace>;

/// Counts the engine's live iterators (the iterator-lifetime REQUIRES are checked with it).
class iterator_guard {
 public:
  explicit iterator_guard(std::size_t* count) noexcept : _count(count) { ++*_count; }
  iterator_guard(iterator_guard&& other) noexcept : _count(std::exchange(other._count, nullptr)) {}
  iterator_guard& operator=(iterator_guard&&) = delete;
  iterator_guard(const iterator_guard&) = delete;
  iterator_guard& operator=(const iterator_guard&) = delete;
  ~iterator_guard() {
    if (_count) --*_count;
  }

 private:
  std::size_t* _count;
};

/// Writes applied atomically by `backend::write`.
class backend_batch {
 public:
  virtual ~backend_batch() = default;
  virtual void put(keyspace& ks, bytes_view key, bytes_view value) = 0;
  virtual void remove(keyspace& ks, bytes_view key) = 0;
  virtual void put_meta(std::string_view key, bytes_view value) = 0;
};

class backend {
 public:
  virtual ~backend() = default;

  virtual bool persistent() const noexcept = 0;

  /// Every user keyspace (the metadata keyspace excluded), in name order.
  virtual std::vector<keyspace_ptr> keyspaces() = 0;
  /// Creates a keyspace; fails if it exists.
  virtual result<keyspace_ptr> create_keyspace(std::string name) = 0;
  /// Drops a keyspace and its data; open iterators over it keep working.
  virtual result<void> drop_keyspace(keyspace& ks) = 0;

  virtual result<std::optional<bytes>> get(keyspace& ks, bytes_view key) = 0;
  virtual result<std::optional<bytes>> get_meta(std::string_view key) = 0;
  /// Keys in [bounds.lower, bounds.upper) in `order`. The source keeps `ks` alive.
  virtual result<std::unique_ptr<iterator_source>> scan(const keyspace_ptr& ks, scan_bounds bounds,
                                                        iteration_order order,
                                                        iterator_guard guard) = 0;
  virtual result<std::uint64_t> approximate_count(keyspace& ks) = 0;

  virtual result<void> put(keyspace& ks, bytes_view key, bytes_view value) = 0;
  virtual result<void> remove(keyspace& ks, bytes_view key) = 0;
  virtual std::unique_ptr<backend_batch> new_batch() = 0;
  virtual result<void> write(backend_batch& batch) = 0;

  /// Called after a commit: makes it survive a process crash (RocksDB with a buffered WAL
  /// hands the WAL buffer to the OS).
  virtual result<void> commit_barrier() = 0;
  /// Makes every write so far durable (fsync'd WAL, or memtables flushed without a WAL).
  virtual result<void> flush() = 0;
  /// Flushes and closes. REQUIRES: no live iterator.
  virtual result<void> close() = 0;
};

}  // namespace sluice::state::detail
