#pragma once
/// `engine`: a backend plus the pending (exactly-once) batch, implemented once for every
/// backend (module-private).
///
/// Outside a batch, writes go straight to the backend. Inside one (`begin` .. `commit`/`abort`)
/// writes land in an in-memory overlay — one ordered map per keyspace holding values and
/// tombstones, plus metadata writes — which reads consult first (gets) or merge in (scans).
/// `commit` turns the overlay and the given metadata into one backend write batch: one
/// atomic `rocksdb::WriteBatch`. `abort` just drops the overlay.
///
/// Keyspace creation is immediate even inside a batch (an empty column family is harmless if
/// the batch is aborted); dropping one is not allowed inside a batch (stores defer segment
/// drops to the commit).
///
/// Single-threaded: owned by one store.

#include "core/bytes.h"
#include "core/error.h"
#include "state/detail/backend.h"
#include "state/key_value_iterator.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::state::detail {

/// A metadata write handed to `engine::commit`.
struct meta_write {
  std::string_view key;
  bytes value;
};

class engine;

/// Writes that `engine::write` applies atomically.
class engine_batch {
 public:
  void put(const keyspace_ptr& ks, bytes_view key, bytes_view value);
  void remove(const keyspace_ptr& ks, bytes_view key);
  void put_meta(std::string_view key, bytes_view value);

 private:
  friend class engine;
  struct op {
    keyspace_ptr ks;
    bytes key;
    std::optional<bytes> value;
  };
  std::unique_ptr<backend_batch> _direct;  // outside a pending batch
  std::vector<op> _ops;                    // inside one
  std::vector<std::pair<std::string, bytes>> _meta;
};

class engine {
 public:
  explicit engine(std::unique_ptr<backend> backend);
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;
  ~engine();

  bool persistent() const noexcept { return _persistent; }
  bool is_open() const noexcept { return _backend != nullptr; }
  bool pending() const noexcept { return _pending; }
  std::size_t open_iterators() const noexcept { return _open_iterators; }

  std::vector<keyspace_ptr> keyspaces();
  /// The keyspace with this name, created if missing.
  result<keyspace_ptr> open_keyspace(std::string_view name);
  /// REQUIRES: !pending() and no live iterator over it is used afterwards by the store.
  result<void> drop_keyspace(const keyspace_ptr& ks);

  result<std::optional<bytes>> get(const keyspace_ptr& ks, bytes_view key);
  result<std::optional<bytes>> get_meta(std::string_view key);
  result<key_value_iterator> scan(const keyspace_ptr& ks, scan_bounds bounds,
                                  iteration_order order);
  /// Like scan, as a raw source (for stores that merge several keyspaces).
  result<std::unique_ptr<iterator_source>> scan_source(const keyspace_ptr& ks, scan_bounds bounds,
                                                       iteration_order order);
  result<std::uint64_t> approximate_count(const keyspace_ptr& ks);

  result<void> put(const keyspace_ptr& ks, bytes_view key, bytes_view value);
  result<void> remove(const keyspace_ptr& ks, bytes_view key);
  engine_batch new_batch();
  result<void> write(engine_batch&& batch);

  /// Starts a pending batch. Fails with invalid_state if one is open.
  result<void> begin();
  /// Applies the pending batch (if any) plus `meta` atomically. REQUIRES: no live iterator.
  result<void> commit(std::span<const meta_write> meta);
  /// Drops the pending batch. Fails with invalid_state if none is open.
  /// REQUIRES: no live iterator.
  result<void> abort();

  result<void> flush();
  /// Discards any pending batch, then closes the backend. REQUIRES: no live iterator.
  result<void> close();

 private:
  struct overlay_space {
    keyspace_ptr ks;
    std::map<bytes, std::optional<bytes>, key_less> entries;
    std::uint64_t erase_generation = 0;
  };

  overlay_space& overlay_for(const keyspace_ptr& ks);
  void overlay_set(const keyspace_ptr& ks, bytes_view key, std::optional<bytes_view> value);
  result<void> check_open() const;

  std::unique_ptr<backend> _backend;
  bool _persistent;
  bool _pending = false;
  std::size_t _open_iterators = 0;
  std::map<const keyspace*, overlay_space> _overlay;
  std::map<std::string, bytes, std::less<>> _overlay_meta;
};

}  // namespace sluice::state::detail
