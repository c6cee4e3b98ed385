#pragma once
// The store implementations the typed suites run against. Every environment builds the same
// interfaces; the suites check that they behave identically.

#include "state/rocksdb_resources.h"
#include "state/stores.h"
#include "tests/state/test_util.h"

#include <memory>
#include <string>

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

using store_env_types = ::testing::Types<rocksdb_env, memory_env>;

struct env_names {
  template <class T>
  static std::string GetName(int) {
    return T::name;
  }
};

}  // namespace sluice::state::testing
