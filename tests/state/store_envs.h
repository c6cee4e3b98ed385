#pragma once
// The store implementations the typed suites run against. Every environment builds the same
// interfaces; the suites check that they behave identically.

#include "state/caching_key_value_store.h"
#include "state/caching_window_store.h"
#include "state/changelog_sink.h"
#include "state/changelogging_key_value_store.h"
#include "state/changelogging_session_store.h"
#include "state/changelogging_window_store.h"
#include "state/record_cache.h"
#include "state/rocksdb_resources.h"
#include "state/stores.h"
#include "tests/state/test_util.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::state::testing {

inline rocksdb_resources_config small_rocksdb_config() {
  rocksdb_resources_config c;
  c.memory_budget_bytes = std::size_t{16} << 20;
  c.write_buffer_size = std::size_t{1} << 20;
  c.background_threads = 1;
  return c;
}

/// RocksDB stores in a temporary task directory.
class rocksdb_env {
 public:
  static constexpr const char* name = "rocksdb";
  rocksdb_env() : _resources(small_rocksdb_config()) {}

  std::unique_ptr<key_value_store> kv(const std::string& store = "kv") {
    return open_rocksdb_key_value_store(store, _dir.path(), _resources).value();
  }
  std::unique_ptr<window_store> window(const window_store_options& o,
                                       const std::string& store = "win") {
    return open_rocksdb_window_store(store, _dir.path(), o, _resources).value();
  }
  std::unique_ptr<session_store> session(const session_store_options& o,
                                         const std::string& store = "sess") {
    return open_rocksdb_session_store(store, _dir.path(), o, _resources).value();
  }

  const std::filesystem::path& dir() const { return _dir.path(); }
  rocksdb_resources& resources() { return _resources; }

 private:
  temp_dir _dir;
  rocksdb_resources _resources;
};

/// In-memory stores.
class memory_env {
 public:
  static constexpr const char* name = "memory";
  std::unique_ptr<key_value_store> kv(const std::string& store = "kv") {
    return make_in_memory_key_value_store(store);
  }
  std::unique_ptr<window_store> window(const window_store_options& o,
                                       const std::string& store = "win") {
    return make_in_memory_window_store(store, o);
  }
  std::unique_ptr<session_store> session(const session_store_options& o,
                                         const std::string& store = "sess") {
    return make_in_memory_session_store(store, o);
  }
};

/// A changelog sink that remembers everything it was told.
class recording_sink final : public changelog_sink {
 public:
  struct change {
    bytes key;
    std::optional<bytes> value;
    timestamp ts;
    bool operator==(const change&) const = default;
  };
  void on_change(bytes_view key, std::optional<bytes_view> value, timestamp ts) override {
    std::optional<bytes> v;
    if (value) v.emplace(value->begin(), value->end());
    changes.push_back({bytes(key.begin(), key.end()), std::move(v), ts});
  }
  std::vector<change> changes;
};

/// Change-logging over a base environment's stores.
template <class Base>
class logged_env {
 public:
  static constexpr const char* name = "logged_rocksdb";
  std::unique_ptr<key_value_store> kv(const std::string& store = "kv") {
    return std::make_unique<changelogging_key_value_store>(base.kv(store), sink);
  }
  std::unique_ptr<window_store> window(const window_store_options& o,
                                       const std::string& store = "win") {
    return std::make_unique<changelogging_window_store>(base.window(o, store), sink);
  }
  std::unique_ptr<session_store> session(const session_store_options& o,
                                         const std::string& store = "sess") {
    return std::make_unique<changelogging_session_store>(base.session(o, store), sink);
  }

  Base base;
  recording_sink sink;
};

/// The full stack: caching over change-logging over a base environment's stores, with a
/// record cache of `CacheBytes` (tiny budgets force evictions on nearly every write). Session
/// stores and stores with duplicates are not cached, as in Kafka Streams.
template <class Base, std::size_t CacheBytes, const char* Name>
class cached_env {
 public:
  static constexpr const char* name = Name;
  std::unique_ptr<key_value_store> kv(const std::string& store = "kv") {
    return std::make_unique<caching_key_value_store>(logged.kv(store), cache);
  }
  std::unique_ptr<window_store> window(const window_store_options& o,
                                       const std::string& store = "win") {
    auto below = logged.window(o, store);
    if (o.retain_duplicates) return below;
    return std::make_unique<caching_window_store>(std::move(below), cache);
  }
  std::unique_ptr<session_store> session(const session_store_options& o,
                                         const std::string& store = "sess") {
    return logged.session(o, store);
  }

  logged_env<Base> logged;
  record_cache cache{CacheBytes};
};

inline constexpr char cached_memory_tiny_name[] = "cached_memory_tiny";
inline constexpr char cached_rocksdb_name[] = "cached_rocksdb";

using store_env_types =
    ::testing::Types<rocksdb_env, memory_env, logged_env<rocksdb_env>,
                     cached_env<memory_env, 1024, cached_memory_tiny_name>,
                     cached_env<rocksdb_env, std::size_t{1} << 20, cached_rocksdb_name>>;

struct env_names {
  template <class T>
  static std::string GetName(int) {
    return T::name;
  }
};

}  // namespace sluice::state::testing
