// The key-value store over an engine (RocksDB or memory backend), and its factories.

#include "core/assert.h"
#include "state/changelog_format.h"
#include "core/big_endian.h"
#include "state/detail/engine.h"
#include "state/detail/memory_backend.h"
#include "state/detail/merge.h"
#include "state/detail/rocksdb_backend.h"
#include "state/detail/store_meta.h"
#include "state/errc.h"
#include "state/stores.h"

namespace sluice::state {
namespace {

using detail::engine;
using detail::keyspace_ptr;
using detail::scan_bounds;

/// Keyspace of the data (a column family named "kv" in RocksDB).
constexpr std::string_view data_keyspace = "kv";

/// Single-threaded; owned by one task.
class engine_key_value_store final : public key_value_store {
 public:
  static result<std::unique_ptr<key_value_store>> open(std::string name,
                                                       std::unique_ptr<detail::backend> backend) {
    auto store = std::unique_ptr<engine_key_value_store>(
        new engine_key_value_store(std::move(name), std::move(backend)));
    SLUICE_TRY(detail::check_format(store->_engine, detail::store_kind::key_value));
    SLUICE_TRY(store->_data, store->_engine.open_keyspace(data_keyspace));
    return std::unique_ptr<key_value_store>(std::move(store));
  }

  const std::string& name() const noexcept override { return _name; }
  bool persistent() const noexcept override { return _engine.persistent(); }
  bool is_open() const noexcept override { return _engine.is_open(); }

  result<std::optional<bytes>> get(bytes_view key) override { return _engine.get(_data, key); }

  result<void> put(bytes_view key, bytes_view value, core::timestamp) override {
    return _engine.put(_data, key, value);
  }

  result<std::optional<bytes>> put_if_absent(bytes_view key, bytes_view value, core::timestamp) override {
    SLUICE_TRY(auto existing, _engine.get(_data, key));
    if (existing) return existing;
    SLUICE_TRY(_engine.put(_data, key, value));
    return std::optional<bytes>();
  }

  result<std::optional<bytes>> remove(bytes_view key, core::timestamp) override {
    SLUICE_TRY(auto existing, _engine.get(_data, key));
    if (existing) {
      SLUICE_TRY(_engine.remove(_data, key));
    }
    return existing;
  }

  result<void> put_all(std::span<const key_value_write> writes, core::timestamp) override {
    if (!_engine.is_open()) return errc::store_closed;
    auto batch = _engine.new_batch();
    for (const auto& w : writes) {
      if (w.value) {
        batch.put(_data, w.key, *w.value);
      } else {
        batch.remove(_data, w.key);
      }
    }
    return _engine.write(std::move(batch));
  }

  result<std::uint64_t> approximate_num_entries() override {
    return _engine.approximate_count(_data);
  }

  result<void> flush() override { return _engine.flush(); }
  result<void> close() override {
    if (!_engine.is_open()) return core::success();
    return _engine.close();
  }

  result<void> begin_batch() override { return _engine.begin(); }

  result<void> commit_batch(core::offset changelog_position) override {
    const detail::meta_write meta[] = {
        {detail::meta_position, core::to_be_bytes<std::int64_t>(changelog_position.value())}};
    return _engine.commit(meta);
  }

  result<void> abort_batch() override { return _engine.abort(); }
  bool batch_active() const noexcept override { return _engine.pending(); }

  result<std::optional<core::offset>> committed_offset() override {
    if (!_engine.is_open()) return errc::store_closed;
    return detail::read_position(_engine);
  }

  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override {
    if (!_engine.is_open()) return errc::store_closed;
    if (_engine.pending()) return errc::invalid_state;
    auto batch = _engine.new_batch();
    for (const auto& r : records) {
      if (r.value) {
        batch.put(_data, r.key, *r.value);
      } else {
        batch.remove(_data, r.key);
      }
    }
    batch.put_meta(detail::meta_position, core::to_be_bytes<std::int64_t>(next_position.value()));
    return _engine.write(std::move(batch));
  }

 protected:
  result<key_value_iterator> do_range(bytes_view from, bytes_view to,
                                      iteration_order order) override {
    if (!_engine.is_open()) return errc::store_closed;
    if (compare_bytes(from, to) > 0) return key_value_iterator(detail::empty_source());
    scan_bounds bounds;
    bounds.lower.emplace(from.begin(), from.end());
    bounds.upper.emplace(to.begin(), to.end());
    bounds.upper->push_back(std::byte{0});  // the smallest key after `to`
    return _engine.scan(_data, std::move(bounds), order);
  }

  result<key_value_iterator> do_prefix_scan(bytes_view prefix, iteration_order order) override {
    scan_bounds bounds;
    if (!prefix.empty()) bounds.lower.emplace(prefix.begin(), prefix.end());
    bounds.upper = prefix_successor(prefix);
    return _engine.scan(_data, std::move(bounds), order);
  }

  result<key_value_iterator> do_all(iteration_order order) override {
    return _engine.scan(_data, scan_bounds{}, order);
  }

 private:
  engine_key_value_store(std::string name, std::unique_ptr<detail::backend> backend)
      : _name(std::move(name)), _engine(std::move(backend)) {}

  std::string _name;
  engine _engine;
  keyspace_ptr _data;
};

}  // namespace

std::filesystem::path rocksdb_store_directory(const std::filesystem::path& task_dir,
                                              std::string_view name) {
  return task_dir / "rocksdb" / std::string(name);
}

result<std::unique_ptr<key_value_store>> open_rocksdb_key_value_store(
    std::string name, const std::filesystem::path& task_dir, rocksdb_resources& resources,
    const rocksdb_store_options& options) {
  detail::validate_store_name(name);
  SLUICE_TRY(auto backend, detail::open_rocksdb_backend(rocksdb_store_directory(task_dir, name),
                                                        resources, options));
  return engine_key_value_store::open(std::move(name), std::move(backend));
}

std::unique_ptr<key_value_store> make_in_memory_key_value_store(std::string name) {
  detail::validate_store_name(name);
  auto store = engine_key_value_store::open(std::move(name), detail::make_memory_backend());
  SLUICE_ASSERT(store.has_value(), "opening an in-memory store cannot fail");
  return std::move(store).value();
}

}  // namespace sluice::state
