// The RocksDB backend. Every rocksdb::Status of the state module is converted here.

#include "state/detail/rocksdb_backend.h"

#include "core/assert.h"
#include "core/log.h"
#include "state/detail/rocksdb_resources_impl.h"
#include "state/errc.h"
#include "state/rocksdb_options.h"

#include <rocksdb/comparator.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <string>
#include <system_error>

namespace sluice::state::detail {
namespace {

const core::logger& log() {
  static const core::logger instance("state.rocksdb");
  return instance;
}

rocksdb::Slice to_slice(bytes_view b) noexcept {
  // An empty span may have a null data pointer, which RocksDB's Slice::compare asserts on.
  if (b.empty()) return {"", 0};
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bytes_view to_view(const rocksdb::Slice& s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// The one conversion of rocksdb::Status to an error code; logs RocksDB's message.
std::error_code from_status(const rocksdb::Status& s, const char* operation,
                            const std::string& path) {
  log().error("state store {}: rocksdb {} failed: {}", path, operation, s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kOk:
      break;
    case rocksdb::Status::kCorruption:
      return errc::corruption;
    case rocksdb::Status::kInvalidArgument:
      return errc::invalid_argument;
    case rocksdb::Status::kNotSupported:
      return errc::not_supported;
    case rocksdb::Status::kIOError:
      if (s.IsNoSpace()) return errc::no_space;
      return errc::io_error;
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kTryAgain:
      return errc::busy;
    case rocksdb::Status::kNotFound:
    case rocksdb::Status::kMergeInProgress:
    case rocksdb::Status::kIncomplete:
    case rocksdb::Status::kShutdownInProgress:
    case rocksdb::Status::kAborted:
    case rocksdb::Status::kExpired:
    case rocksdb::Status::kCompactionTooLarge:
    case rocksdb::Status::kColumnFamilyDropped:
    case rocksdb::Status::kMaxCode:
      return errc::storage_error;
  }
  return errc::storage_error;
}

/// Orders window or session keys (see changelog_format.h) inside RocksDB.
class layout_comparator final : public rocksdb::Comparator {
 public:
  layout_comparator(const char* name, key_layout layout) : _name(name), _layout(layout) {}
  const char* Name() const override { return _name; }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return compare_keys(_layout, to_view(a), to_view(b));
  }
  // Doing nothing is always correct: index blocks just keep full keys.
  void FindShortestSeparator(std::string*, const rocksdb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}

 private:
  const char* _name;
  key_layout _layout;
};

const rocksdb::Comparator* comparator_for(key_layout layout) {
  static const layout_comparator window("sluice.window_key.v1", key_layout::window);
  static const layout_comparator session("sluice.session_key.v1", key_layout::session);
  switch (layout) {
    case key_layout::window:
      return &window;
    case key_layout::session:
      return &session;
    case key_layout::bytewise:
      break;
  }
  return rocksdb::BytewiseComparator();
}

class rocksdb_keyspace final : public keyspace {
 public:
  rocksdb_keyspace(std::string name, rocksdb::DB* db, rocksdb::ColumnFamilyHandle* handle)
      : keyspace(std::move(name)), _db(db), _handle(handle) {}
  ~rocksdb_keyspace() override { release(); }

  rocksdb::ColumnFamilyHandle* handle() const noexcept { return _handle; }

  /// Destroys the handle (the column family's data stays unless it was dropped).
  void release() noexcept {
    if (!_handle) return;
    auto s = _db->DestroyColumnFamilyHandle(_handle);
    if (!s.ok()) {
      log().error("state store: destroying column family handle {} failed: {}", name(),
                  s.ToString());
    }
    _handle = nullptr;
  }

 private:
  rocksdb::DB* _db;
  rocksdb::ColumnFamilyHandle* _handle;
};

class rocksdb_source final : public iterator_source {
 public:
  rocksdb_source(rocksdb::DB& db, std::shared_ptr<rocksdb_keyspace> ks, scan_bounds bounds,
                 iteration_order order, iterator_guard guard, const std::string& path)
      : _ks(std::move(ks)),
        _bounds(std::move(bounds)),
        _order(order),
        _guard(std::move(guard)),
        _path(&path) {
    rocksdb::ReadOptions ro;
    if (_bounds.lower) {
      _lower = to_slice(*_bounds.lower);
      ro.iterate_lower_bound = &_lower;
    }
    if (_bounds.upper) {
      _upper = to_slice(*_bounds.upper);
      ro.iterate_upper_bound = &_upper;
    }
    _it.reset(db.NewIterator(ro, _ks->handle()));
    if (_order == iteration_order::forward) {
      if (_bounds.lower) {
        _it->Seek(_lower);
      } else {
        _it->SeekToFirst();
      }
    } else {
      _it->SeekToLast();  // honours iterate_upper_bound
    }
    check();
  }

  bool valid() const noexcept override { return _it->Valid(); }
  bytes_view key() const noexcept override { return to_view(_it->key()); }
  bytes_view value() const noexcept override { return to_view(_it->value()); }
  void next() override {
    if (_order == iteration_order::forward) {
      _it->Next();
    } else {
      _it->Prev();
    }
    check();
  }
  std::error_code status() const noexcept override { return _error; }

 private:
  void check() {
    if (!_it->Valid() && !_it->status().ok())
      _error = from_status(_it->status(), "iterate", *_path);
  }

  std::shared_ptr<rocksdb_keyspace> _ks;
  scan_bounds _bounds;  // the slices below point into it
  rocksdb::Slice _lower;
  rocksdb::Slice _upper;
  iteration_order _order;
  iterator_guard _guard;
  const std::string* _path;
  std::unique_ptr<rocksdb::Iterator> _it;
  std::error_code _error;
};

class rocksdb_batch final : public backend_batch {
 public:
  rocksdb_batch(rocksdb::ColumnFamilyHandle* meta) : _meta(meta) {}
  void put(keyspace& ks, bytes_view key, bytes_view value) override {
    record(batch.Put(static_cast<rocksdb_keyspace&>(ks).handle(), to_slice(key), to_slice(value)));
  }
  void remove(keyspace& ks, bytes_view key) override {
    record(batch.Delete(static_cast<rocksdb_keyspace&>(ks).handle(), to_slice(key)));
  }
  void put_meta(std::string_view key, bytes_view value) override {
    record(batch.Put(_meta, rocksdb::Slice(key.data(), key.size()), to_slice(value)));
  }

  rocksdb::WriteBatch batch;
  rocksdb::Status first_error;

 private:
  void record(const rocksdb::Status& s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  rocksdb::ColumnFamilyHandle* _meta;
};

class rocksdb_backend final : public backend {
 public:
  rocksdb_backend(rocksdb_resources& resources, rocksdb_store_options options, std::string path)
      : _resources(&resources), _options(options), _path(std::move(path)) {
    _write_options.disableWAL = _options.wal == wal_mode::disabled;
    _write_options.sync = false;
  }

  ~rocksdb_backend() override {
    if (_db) (void)close();
  }

  result<void> open() {
    rocksdb::DBOptions db_options;
    configure_db_options(*_resources, _options, db_options);

    std::vector<std::string> names;
    std::error_code ec;
    const bool exists = std::filesystem::exists(std::filesystem::path(_path) / "CURRENT", ec);
    if (exists) {
      auto s = rocksdb::DB::ListColumnFamilies(db_options, _path, &names);
      if (!s.ok()) return from_status(s, "list column families", _path);
    } else {
      names.push_back(rocksdb::kDefaultColumnFamilyName);
    }

    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (auto& name : names) {
      rocksdb::ColumnFamilyOptions cf;
      configure_column_family_options(*_resources, _options, cf);
      cf.comparator = comparator_for(layout_of_keyspace(name));
      descriptors.emplace_back(name, cf);
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    auto s = rocksdb::DB::Open(db_options, _path, descriptors, &handles, &db);
    if (!s.ok()) return from_status(s, "open", _path);
    _db.reset(db);
    ++_resources->internals().open_stores;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == rocksdb::kDefaultColumnFamilyName) {
        _meta = handles[i];
      } else {
        _spaces.emplace(names[i], std::make_shared<rocksdb_keyspace>(names[i], db, handles[i]));
      }
    }
    SLUICE_ASSERT(_meta != nullptr, "RocksDB opened without its default column family");
    return core::success();
  }

  bool persistent() const noexcept override { return true; }

  std::vector<keyspace_ptr> keyspaces() override {
    std::vector<keyspace_ptr> out;
    for (auto& [name, ks] : _spaces) out.push_back(ks);
    return out;
  }

  result<keyspace_ptr> create_keyspace(std::string name) override {
    if (_spaces.contains(name)) return errc::invalid_argument;
    rocksdb::ColumnFamilyOptions cf;
    configure_column_family_options(*_resources, _options, cf);
    cf.comparator = comparator_for(layout_of_keyspace(name));
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    auto s = _db->CreateColumnFamily(cf, name, &handle);
    if (!s.ok()) return from_status(s, "create column family", _path);
    auto ks = std::make_shared<rocksdb_keyspace>(name, _db.get(), handle);
    _spaces.emplace(std::move(name), ks);
    return keyspace_ptr(ks);
  }

  result<void> drop_keyspace(keyspace& ks) override {
    auto it = _spaces.find(ks.name());
    if (it == _spaces.end()) return errc::invalid_argument;
    // A metadata-only operation: the files go once no reader references them.
    auto s = _db->DropColumnFamily(it->second->handle());
    if (!s.ok()) return from_status(s, "drop column family", _path);
    _spaces.erase(it);  // the handle is destroyed with the last reference
    return core::success();
  }

  result<std::optional<bytes>> get(keyspace& ks, bytes_view key) override {
    rocksdb::PinnableSlice value;
    auto s = _db->Get(rocksdb::ReadOptions(), static_cast<rocksdb_keyspace&>(ks).handle(),
                      to_slice(key), &value);
    if (s.IsNotFound()) return std::optional<bytes>();
    if (!s.ok()) return from_status(s, "get", _path);
    const auto v = to_view(value);
    return std::optional<bytes>(std::in_place, v.begin(), v.end());
  }

  result<std::optional<bytes>> get_meta(std::string_view key) override {
    rocksdb::PinnableSlice value;
    auto s =
        _db->Get(rocksdb::ReadOptions(), _meta, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<bytes>();
    if (!s.ok()) return from_status(s, "get metadata", _path);
    const auto v = to_view(value);
    return std::optional<bytes>(std::in_place, v.begin(), v.end());
  }

  result<std::unique_ptr<iterator_source>> scan(const keyspace_ptr& ks, scan_bounds bounds,
                                                iteration_order order,
                                                iterator_guard guard) override {
    return std::unique_ptr<iterator_source>(
        std::make_unique<rocksdb_source>(*_db, std::static_pointer_cast<rocksdb_keyspace>(ks),
                                         std::move(bounds), order, std::move(guard), _path));
  }

  result<std::uint64_t> approximate_count(keyspace& ks) override {
    std::uint64_t n = 0;
    if (!_db->GetIntProperty(static_cast<rocksdb_keyspace&>(ks).handle(),
                             rocksdb::DB::Properties::kEstimateNumKeys, &n)) {
      return errc::not_supported;
    }
    return n;
  }

  result<void> put(keyspace& ks, bytes_view key, bytes_view value) override {
    auto s = _db->Put(_write_options, static_cast<rocksdb_keyspace&>(ks).handle(), to_slice(key),
                      to_slice(value));
    if (!s.ok()) return from_status(s, "put", _path);
    return core::success();
  }

  result<void> remove(keyspace& ks, bytes_view key) override {
    auto s =
        _db->Delete(_write_options, static_cast<rocksdb_keyspace&>(ks).handle(), to_slice(key));
    if (!s.ok()) return from_status(s, "delete", _path);
    return core::success();
  }

  std::unique_ptr<backend_batch> new_batch() override {
    return std::make_unique<rocksdb_batch>(_meta);
  }

  result<void> write(backend_batch& batch) override {
    auto& b = static_cast<rocksdb_batch&>(batch);
    if (!b.first_error.ok()) return from_status(b.first_error, "build write batch", _path);
    if (b.batch.Count() == 0) return core::success();
    auto s = _db->Write(_write_options, &b.batch);
    if (!s.ok()) return from_status(s, "write batch", _path);
    return core::success();
  }

  result<void> commit_barrier() override {
    if (_options.wal == wal_mode::disabled) return core::success();
    auto s = _db->FlushWAL(false);
    if (!s.ok()) return from_status(s, "flush WAL", _path);
    return core::success();
  }

  result<void> flush() override {
    if (_options.wal != wal_mode::disabled) {
      const bool sync = _options.wal == wal_mode::buffered;
      auto s = _db->FlushWAL(sync);
      if (!s.ok()) return from_status(s, sync ? "sync WAL" : "flush WAL", _path);
      return core::success();
    }
    return flush_memtables();
  }

  result<void> close() override {
    if (!_db) return core::success();
    // Flushing memtables makes the next open fast (no WAL replay) and, without a WAL, is what
    // makes the data durable at all.
    auto flushed = flush_memtables();
    if (flushed && _options.wal != wal_mode::disabled) {
      if (auto s = _db->FlushWAL(true); !s.ok()) flushed = from_status(s, "sync WAL", _path);
    }
    for (auto& [name, ks] : _spaces) ks->release();
    _spaces.clear();
    if (_meta) {
      if (auto s = _db->DestroyColumnFamilyHandle(_meta); !s.ok()) {
        log().error("state store {}: destroying default handle failed: {}", _path, s.ToString());
      }
      _meta = nullptr;
    }
    auto s = _db->Close();
    _db.reset();
    --_resources->internals().open_stores;
    if (!s.ok()) return from_status(s, "close", _path);
    return flushed;
  }

 private:
  result<void> flush_memtables() {
    std::vector<rocksdb::ColumnFamilyHandle*> handles{_meta};
    for (auto& [name, ks] : _spaces) handles.push_back(ks->handle());
    rocksdb::FlushOptions fo;
    fo.wait = true;
    fo.allow_write_stall = true;
    auto s = _db->Flush(fo, handles);
    if (!s.ok()) return from_status(s, "flush memtables", _path);
    return core::success();
  }

  rocksdb_resources* _resources;
  rocksdb_store_options _options;
  std::string _path;
  rocksdb::WriteOptions _write_options;
  std::unique_ptr<rocksdb::DB> _db;
  rocksdb::ColumnFamilyHandle* _meta = nullptr;
  std::map<std::string, std::shared_ptr<rocksdb_keyspace>, std::less<>> _spaces;
};

}  // namespace

result<std::unique_ptr<backend>> open_rocksdb_backend(const std::filesystem::path& dir,
                                                      rocksdb_resources& resources,
                                                      const rocksdb_store_options& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    log().error("state store {}: cannot create directory: {}", dir.string(), ec.message());
    return errc::io_error;
  }
  auto b = std::make_unique<rocksdb_backend>(resources, options, dir.string());
  SLUICE_TRY(b->open());
  return std::unique_ptr<backend>(std::move(b));
}

}  // namespace sluice::state::detail
