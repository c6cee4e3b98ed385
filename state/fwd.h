#pragma once
/// Forward declarations of the state module's public types, for headers that only pass them
/// around.

#include <cstdint>

namespace sluice::state {

enum class errc;
enum class iteration_order : std::uint8_t;
enum class wal_mode : std::uint8_t;

struct changelog_record;
struct checkpoint_entry;
struct key_value;
struct key_value_write;
struct rocksdb_resources_config;
struct rocksdb_store_options;
struct session_entry;
struct session_store_options;
struct session_window;
struct window_put_result;
struct window_store_options;
struct windowed_entry;

class caching_key_value_store;
class caching_window_store;
class changelog_sink;
class changelogging_key_value_store;
class changelogging_session_store;
class changelogging_window_store;
class checkpoint_file;
class iterator_source;
class key_value_iterator;
class key_value_store;
class record_cache;
class rocksdb_resources;
class session_iterator;
class session_store;
class state_store;
class window_iterator;
class window_store;

}  // namespace sluice::state
