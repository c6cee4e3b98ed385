#pragma once
/// `log_manager`: every partition log under one data directory, the topic catalogue, and the
/// files that make restarts safe.
///
/// Data directory layout:
/// | path                               | content                                            |
/// |------------------------------------|----------------------------------------------------|
/// | `topics.json`                      | topic name → id, partition count, config overrides |
/// | `<topic>-<partition>/`             | the partition's segments (see segment.h)           |
/// | `recovery-point-offset-checkpoint` | per partition: offsets below this are on disk      |
/// | `log-start-offset-checkpoint`      | per partition: the log start offset                |
/// | `.clean-shutdown`                  | present only after a clean shutdown                |
///
/// Checkpoint files are text: a version line `0`, a count line, then one `topic partition
/// offset` line per partition (Kafka's format). All metadata files are replaced atomically.
///
/// Threads: all methods are thread-safe. Partition logs are handed out as `shared_ptr` so that a
/// request in flight keeps a deleted topic's log alive until it finishes.

#include "broker/storage/partition_log.h"
#include "broker/storage/topic_config.h"
#include "core/error.h"
#include "core/types.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace sluice::broker::storage {

using topic_id = std::array<uint8_t, 16>;

struct topic_info {
  std::string name;
  topic_id id{};
  int32_t partitions = 0;
  topic_overrides configs;
};

/// Kafka's topic name rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
bool valid_topic_name(std::string_view name) noexcept;

class log_manager {
 public:
  /// Opens the data directory, loading every topic and recovering partitions if the previous
  /// run did not shut down cleanly. Removes the clean-shutdown marker.
  static result<std::unique_ptr<log_manager>> open(std::filesystem::path data_dir,
                                                   log_config defaults);
  ~log_manager();

  /// Whether the previous shutdown was clean (recovery scans were skipped).
  bool recovered_from_clean_shutdown() const noexcept { return _was_clean; }

  result<topic_info> create_topic(const std::string& name, int32_t partitions,
                                  const topic_overrides& configs);
  result<void> delete_topic(const std::string& name);
  /// Grows a topic to `total` partitions.
  result<void> create_partitions(const std::string& name, int32_t total);
  /// Replaces a topic's overrides (validated by the caller) and applies them live.
  result<void> set_topic_configs(const std::string& name, const topic_overrides& configs);

  std::shared_ptr<partition_log> get(const core::topic_partition& tp) const;
  std::optional<topic_info> topic(const std::string& name) const;
  /// The topic whose id (KIP-516) is `id`; nullopt for the zero id or an unknown one.
  std::optional<topic_info> topic_by_id(const topic_id& id) const;
  /// Only the name of that topic (what the Fetch and Produce paths need, without the configs).
  std::optional<std::string> topic_name(const topic_id& id) const;
  std::vector<topic_info> topics() const;
  /// The broker-wide defaults every topic's overrides apply over.
  log_config defaults() const;
  /// Replaces the defaults (a dynamic broker config change) and applies the result to every
  /// partition live. Nothing is persisted here (config_manager keeps dynamic broker configs).
  void set_defaults(const log_config& defaults);
  const std::filesystem::path& dir() const noexcept { return _dir; }

  /// Told when partitions appear (open, CreateTopics, CreatePartitions) and disappear
  /// (DeleteTopics); the broker hangs its per-partition metrics on it. Called with the manager's
  /// lock held: the callbacks must not call back into the manager.
  struct partition_listener {
    std::function<void(const std::shared_ptr<partition_log>&)> added;
    std::function<void(const core::topic_partition&)> removed;
  };
  /// Installs the listener and calls `added` for every existing partition.
  void set_partition_listener(partition_listener listener);

  /// Periodic work: time-based flushes, retention (when `run_retention`), unlinking removed
  /// segments whose file.delete.delay.ms has passed, checkpoints. Cheap when nothing is due.
  result<void> housekeeping(int64_t now_ms, bool run_retention = true);
  /// Flushes every partition and writes the checkpoint files.
  result<void> checkpoint();
  /// Flushes and closes every partition and writes the clean-shutdown marker.
  result<void> shutdown();

 private:
  log_manager(std::filesystem::path dir, log_config defaults)
      : _dir(std::move(dir)), _defaults(defaults) {}

  result<void> save_topics_locked() const;
  result<void> write_checkpoints_locked() const;
  std::filesystem::path partition_dir(const std::string& topic, int32_t p) const;

  std::filesystem::path _dir;
  log_config _defaults;
  bool _was_clean = false;
  mutable std::shared_mutex _mutex;
  std::map<std::string, topic_info> _topics;
  std::map<topic_id, std::string> _names_by_id;  ///< the zero id is never a key
  std::map<core::topic_partition, std::shared_ptr<partition_log>> _logs;
  mutable std::mutex _checkpoint_mutex;
  partition_listener _listener;
};

}  // namespace sluice::broker::storage
