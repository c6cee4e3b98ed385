#pragma once
/// Factories of the bytes-level stores: RocksDB-backed (persistent) and in-memory, one of each
/// for key-value, window and session stores. Both kinds behave identically through their
/// interfaces (same orders, ranges, retention and batch semantics); only persistence differs.
///
/// A RocksDB store named `name` is one RocksDB instance in `<task_dir>/rocksdb/<name>/`
/// (`state.dir/<application.id>/<task-id>/`); its layout is in state/README.md.
/// A store name must be 1..249 characters of [A-Za-z0-9._-]; a bad name or bad options are
/// topology-building mistakes and throw std::invalid_argument. I/O failures are results.
///
/// Thread safety: the factories may run on any thread; the returned store belongs to its
/// caller's thread (see state_store.h).

#include "core/error.h"
#include "state/key_value_store.h"
#include "state/rocksdb_resources.h"
#include "state/session_store.h"
#include "state/window_store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::state {

/// `<task_dir>/rocksdb/<name>`.
std::filesystem::path rocksdb_store_directory(const std::filesystem::path& task_dir,
                                              std::string_view name);

/// Opens (creating if missing) a RocksDB key-value store. Fails with
/// `errc::incompatible_store` if the directory holds another kind of store.
result<std::unique_ptr<key_value_store>> open_rocksdb_key_value_store(
    std::string name, const std::filesystem::path& task_dir, rocksdb_resources& resources,
    const rocksdb_store_options& options = {});

/// Opens (creating if missing) a RocksDB window store; `window.segment_interval` must match
/// the one the store was created with (else `errc::incompatible_store`).
result<std::unique_ptr<window_store>> open_rocksdb_window_store(
    std::string name, const std::filesystem::path& task_dir, const window_store_options& window,
    rocksdb_resources& resources, const rocksdb_store_options& options = {});

/// Opens (creating if missing) a RocksDB session store.
result<std::unique_ptr<session_store>> open_rocksdb_session_store(
    std::string name, const std::filesystem::path& task_dir, const session_store_options& session,
    rocksdb_resources& resources, const rocksdb_store_options& options = {});

std::unique_ptr<key_value_store> make_in_memory_key_value_store(std::string name);

std::unique_ptr<window_store> make_in_memory_window_store(std::string name,
                                                          const window_store_options& window);

std::unique_ptr<session_store> make_in_memory_session_store(std::string name,
                                                            const session_store_options& session);

}  // namespace sluice::state
