#include "broker/storage/log_manager.h"

#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/logger.h"

#include <nlohmann/json.hpp>

#include <random>
#include <sstream>

namespace sluice::broker::storage {
namespace {

constexpr const char* topics_file = "topics.json";
constexpr const char* recovery_file = "recovery-point-offset-checkpoint";
constexpr const char* start_file = "log-start-offset-checkpoint";
constexpr const char* clean_marker = ".clean-shutdown";

/// A random topic id; never the all-zero id, which means "no id" on the wire (KIP-516).
topic_id random_topic_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  topic_id id{};
  while (id == topic_id{}) {
    for (size_t i = 0; i < id.size(); i += 8) {
      uint64_t v = rng();
      for (size_t j = 0; j < 8; ++j) id[i + j] = static_cast<uint8_t>(v >> (j * 8));
    }
  }
  return id;
}

std::string hex(const topic_id& id) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : id) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

/// The id written by hex(); the zero id (none) for anything else.
topic_id unhex(const std::string& s) {
  topic_id id{};
  if (s.size() != 2 * id.size()) return topic_id{};
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < id.size(); ++i) {
    const int hi = digit(s[2 * i]);
    const int lo = digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return topic_id{};
    id[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return id;
}

using offsets_map = std::map<core::topic_partition, int64_t>;

/// Parses Kafka's offset checkpoint text format. Malformed files read as empty (the caller then
/// recovers conservatively).
offsets_map read_checkpoint(const std::filesystem::path& path) {
  offsets_map out;
  auto data = read_whole_file(path);
  if (!data) return out;
  std::istringstream in(core::to_string(data.value()));
  int version = -1;
  size_t count = 0;
  if (!(in >> version >> count) || version != 0) return {};
  for (size_t i = 0; i < count; ++i) {
    std::string topic;
    int32_t p = 0;
    int64_t off = 0;
    if (!(in >> topic >> p >> off)) return {};
    out[{topic, core::partition_id{p}}] = off;
  }
  return out;
}

result<void> write_checkpoint(const std::filesystem::path& path, const offsets_map& m) {
  std::string text = "0\n" + std::to_string(m.size()) + "\n";
  for (const auto& [tp, off] : m) {
    text += tp.topic + " " + std::to_string(tp.partition.value()) + " " + std::to_string(off) + "\n";
  }
  return write_file_atomically(path, core::as_bytes(text));
}

}  // namespace

bool valid_topic_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::filesystem::path log_manager::partition_dir(const std::string& topic, int32_t p) const {
  return _dir / (topic + "-" + std::to_string(p));
}

result<std::unique_ptr<log_manager>> log_manager::open(std::filesystem::path data_dir,
                                                       log_config defaults) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return ec;
  std::unique_ptr<log_manager> m(new log_manager(data_dir, defaults));
  m->_was_clean = std::filesystem::exists(data_dir / clean_marker);

  auto raw = read_whole_file(data_dir / topics_file);
  bool ids_assigned = false;
  if (raw) {
    auto doc = nlohmann::json::parse(core::as_string_view(raw.value()), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      log().error("{}: unreadable topic catalogue", (data_dir / topics_file).string());
      return errc::io_error;
    }
    for (auto& [name, t] : doc["topics"].items()) {
      topic_info info;
      info.name = name;
      info.id = unhex(t.value("id", std::string()));
      info.partitions = t.value("partitions", 0);
      for (auto& [k, v] : t["configs"].items()) info.configs[k] = v.get<std::string>();
      if (info.id == topic_id{}) {
        // A catalogue from before topic ids (or with a damaged one): every topic has an id.
        info.id = random_topic_id();
        log().warn("topic {} had no valid topic id; assigned {}", name, hex(info.id));
        ids_assigned = true;
      }
      m->_names_by_id.emplace(info.id, name);
      m->_topics.emplace(name, std::move(info));
    }
  }
  if (ids_assigned) SLUICE_TRY(m->save_topics_locked());

  auto recovery = read_checkpoint(data_dir / recovery_file);
  auto starts = read_checkpoint(data_dir / start_file);
  for (const auto& [name, info] : m->_topics) {
    auto cfg = resolve_log_config(defaults, info.configs);
    for (int32_t p = 0; p < info.partitions; ++p) {
      core::topic_partition tp{name, core::partition_id{p}};
      auto rp = recovery.find(tp);
      auto st = starts.find(tp);
      SLUICE_TRY(auto plog, partition_log::open(m->partition_dir(name, p), tp, cfg, m->_was_clean,
                                                core::offset{rp == recovery.end() ? 0 : rp->second},
                                                core::offset{st == starts.end() ? 0 : st->second}));
      m->_logs.emplace(tp, std::shared_ptr<partition_log>(std::move(plog)));
    }
  }
  std::filesystem::remove(data_dir / clean_marker, ec);
  SLUICE_TRY(sync_directory(data_dir));
  log().info("opened {} topic(s), {} partition(s) in {} ({})", m->_topics.size(), m->_logs.size(),
             data_dir.string(),
             !raw ? "new data directory" : m->_was_clean ? "clean shutdown" : "recovered after an unclean shutdown");
  return m;
}

log_manager::~log_manager() = default;

result<void> log_manager::save_topics_locked() const {
  nlohmann::json doc;
  doc["version"] = 1;
  doc["topics"] = nlohmann::json::object();
  for (const auto& [name, info] : _topics) {
    nlohmann::json t;
    t["id"] = hex(info.id);
    t["partitions"] = info.partitions;
    t["configs"] = nlohmann::json::object();
    for (const auto& [k, v] : info.configs) t["configs"][k] = v;
    doc["topics"][name] = std::move(t);
  }
  return write_file_atomically(_dir / topics_file, core::as_bytes(doc.dump(2)));
}

result<topic_info> log_manager::create_topic(const std::string& name, int32_t partitions,
                                             const topic_overrides& configs) {
  if (!valid_topic_name(name)) return errc::invalid_topic;
  if (partitions <= 0 || partitions > 100000) return errc::invalid_partitions;
  std::unique_lock lock(_mutex);
  if (_topics.contains(name)) return errc::topic_exists;
  topic_info info{name, random_topic_id(), partitions, configs};
  auto cfg = resolve_log_config(_defaults, configs);
  std::vector<std::pair<core::topic_partition, std::shared_ptr<partition_log>>> created;
  for (int32_t p = 0; p < partitions; ++p) {
    core::topic_partition tp{name, core::partition_id{p}};
    auto dir = partition_dir(name, p);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // leftovers of a half-finished deletion
    SLUICE_TRY(auto plog, partition_log::open(dir, tp, cfg, true, core::offset{0}, core::offset{0}));
    created.emplace_back(tp, std::shared_ptr<partition_log>(std::move(plog)));
  }
  _topics.emplace(name, info);
  _names_by_id.emplace(info.id, name);
  SLUICE_TRY(save_topics_locked());
  for (auto& [tp, plog] : created) {
    if (_listener.added) _listener.added(plog);
    _logs.emplace(tp, std::move(plog));
  }
  log().info("created topic {} with {} partition(s)", name, partitions);
  return info;
}

result<void> log_manager::delete_topic(const std::string& name) {
  std::vector<std::shared_ptr<partition_log>> doomed;
  {
    std::unique_lock lock(_mutex);
    auto it = _topics.find(name);
    if (it == _topics.end()) return errc::unknown_partition;
    for (int32_t p = 0; p < it->second.partitions; ++p) {
      auto l = _logs.find({name, core::partition_id{p}});
      if (l != _logs.end()) {
        doomed.push_back(l->second);
        _logs.erase(l);
        if (_listener.removed) _listener.removed({name, core::partition_id{p}});
      }
    }
    _names_by_id.erase(it->second.id);
    _topics.erase(it);
    SLUICE_TRY(save_topics_locked());
  }
  for (auto& plog : doomed) SLUICE_TRY(plog->remove_all());
  log().info("deleted topic {}", name);
  return core::success();
}

result<void> log_manager::create_partitions(const std::string& name, int32_t total) {
  std::unique_lock lock(_mutex);
  auto it = _topics.find(name);
  if (it == _topics.end()) return errc::unknown_partition;
  if (total <= it->second.partitions || total > 100000) return errc::invalid_partitions;
  auto cfg = resolve_log_config(_defaults, it->second.configs);
  for (int32_t p = it->second.partitions; p < total; ++p) {
    core::topic_partition tp{name, core::partition_id{p}};
    SLUICE_TRY(auto plog, partition_log::open(partition_dir(name, p), tp, cfg, true, core::offset{0}, core::offset{0}));
    std::shared_ptr<partition_log> shared(std::move(plog));
    if (_listener.added) _listener.added(shared);
    _logs.emplace(tp, std::move(shared));
  }
  it->second.partitions = total;
  return save_topics_locked();
}

result<void> log_manager::set_topic_configs(const std::string& name,
                                            const topic_overrides& configs) {
  std::unique_lock lock(_mutex);
  auto it = _topics.find(name);
  if (it == _topics.end()) return errc::unknown_partition;
  it->second.configs = configs;
  auto cfg = resolve_log_config(_defaults, configs);
  for (int32_t p = 0; p < it->second.partitions; ++p) {
    auto l = _logs.find({name, core::partition_id{p}});
    if (l != _logs.end()) l->second->set_config(cfg);
  }
  return save_topics_locked();
}

log_config log_manager::defaults() const {
  std::shared_lock lock(_mutex);
  return _defaults;
}

void log_manager::set_defaults(const log_config& defaults) {
  std::unique_lock lock(_mutex);
  _defaults = defaults;
  for (const auto& [name, info] : _topics) {
    auto cfg = resolve_log_config(_defaults, info.configs);
    for (int32_t p = 0; p < info.partitions; ++p) {
      auto l = _logs.find({name, core::partition_id{p}});
      if (l != _logs.end()) l->second->set_config(cfg);
    }
  }
}

void log_manager::set_partition_listener(partition_listener listener) {
  std::unique_lock lock(_mutex);
  _listener = std::move(listener);
  if (_listener.added) {
    for (const auto& [tp, plog] : _logs) _listener.added(plog);
  }
}

std::shared_ptr<partition_log> log_manager::get(const core::topic_partition& tp) const {
  std::shared_lock lock(_mutex);
  auto it = _logs.find(tp);
  return it == _logs.end() ? nullptr : it->second;
}

std::optional<topic_info> log_manager::topic(const std::string& name) const {
  std::shared_lock lock(_mutex);
  auto it = _topics.find(name);
  if (it == _topics.end()) return std::nullopt;
  return it->second;
}

std::optional<topic_info> log_manager::topic_by_id(const topic_id& id) const {
  std::shared_lock lock(_mutex);
  auto named = _names_by_id.find(id);
  if (named == _names_by_id.end()) return std::nullopt;
  return _topics.at(named->second);
}

std::optional<std::string> log_manager::topic_name(const topic_id& id) const {
  std::shared_lock lock(_mutex);
  auto named = _names_by_id.find(id);
  if (named == _names_by_id.end()) return std::nullopt;
  return named->second;
}

std::vector<topic_info> log_manager::topics() const {
  std::shared_lock lock(_mutex);
  std::vector<topic_info> out;
  out.reserve(_topics.size());
  for (const auto& [name, info] : _topics) out.push_back(info);
  return out;
}

result<void> log_manager::write_checkpoints_locked() const {
  offsets_map recovery, starts;
  for (const auto& [tp, plog] : _logs) {
    recovery[tp] = plog->recovery_point().value();
    starts[tp] = plog->log_start_offset().value();
  }
  std::lock_guard guard(_checkpoint_mutex);
  SLUICE_TRY(write_checkpoint(_dir / recovery_file, recovery));
  return write_checkpoint(_dir / start_file, starts);
}

result<void> log_manager::housekeeping(int64_t now_ms, bool run_retention) {
  std::vector<std::shared_ptr<partition_log>> logs;
  {
    std::shared_lock lock(_mutex);
    for (const auto& [tp, plog] : _logs) logs.push_back(plog);
  }
  auto now = std::chrono::steady_clock::now();
  bool changed = false;
  for (auto& plog : logs) {
    auto start_before = plog->log_start_offset();
    auto rp_before = plog->recovery_point();
    if (run_retention) SLUICE_TRY(plog->enforce_retention(now_ms));
    if (plog->flush_due(now)) SLUICE_TRY(plog->flush());
    SLUICE_TRY(plog->delete_retired_files(now));  // file.delete.delay.ms
    changed = changed || plog->log_start_offset() != start_before ||
              plog->recovery_point() != rp_before;
  }
  if (!changed) return core::success();
  std::shared_lock lock(_mutex);
  return write_checkpoints_locked();
}

result<void> log_manager::checkpoint() {
  std::shared_lock lock(_mutex);
  for (const auto& [tp, plog] : _logs) SLUICE_TRY(plog->flush());
  return write_checkpoints_locked();
}

result<void> log_manager::shutdown() {
  std::unique_lock lock(_mutex);
  for (const auto& [tp, plog] : _logs) SLUICE_TRY(plog->close());
  SLUICE_TRY(write_checkpoints_locked());
  SLUICE_TRY(write_file_atomically(_dir / clean_marker, core::as_bytes("clean\n")));
  log().info("log manager shut down cleanly ({} partitions)", _logs.size());
  return core::success();
}

}  // namespace sluice::broker::storage
