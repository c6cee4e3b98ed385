#include "runtime/detail/task_stores.h"

#include "core/log.h"
#include "runtime/errors.h"
#include "dsl/detail/store_builder.h"
#include "state/stores.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.stores");

}  // namespace

/// Sends a store's changes to its changelog partition through the thread's producer.
class task_stores::sink final : public state::changelog_sink {
 public:
  sink(kafka_record_collector& collector, core::topic_partition topic)
      : _collector(collector), _topic(std::move(topic)), _position(collector.position(_topic)) {}
  void on_change(bytes_view key, std::optional<bytes_view> value, core::timestamp ts) override {
    _collector.send_changelog(_topic, _position, key, value, ts);
  }
  const core::topic_partition& topic() const noexcept { return _topic; }
  kafka_record_collector::changelog_position& position() noexcept { return _position; }

 private:
  kafka_record_collector& _collector;
  core::topic_partition _topic;
  kafka_record_collector::changelog_position& _position;
};

task_stores::task_stores(dsl::task_id id, std::vector<const dsl::store_spec*> specs, resources res)
    : _id(id),
      _specs(std::move(specs)),
      _res(std::move(res)),
      _dir(_res.state_dir / _res.application_id / id.to_string()),
      _checkpoint(_dir / std::string(state::checkpoint_file::default_name)) {}

task_stores::~task_stores() {
  if (_open) close(false);
}

result<std::unique_ptr<state::state_store>> task_stores::open_one(const dsl::store_spec& spec,
                                                                  sink* changelog_sink) {
  dsl::detail::store_layers layers;
  layers.persistent = spec.type != dsl::store_type::in_memory;
  layers.task_dir = _dir;
  layers.rocksdb = _res.rocksdb;
  // Exactly-once stores keep their committed position in the same atomic batches as their data
  // (no checkpoint file), so a commit need not fsync the WAL: see state::wal_mode::unsynced.
  if (_res.exactly_once) layers.rocksdb_options.wal = state::wal_mode::unsynced;
  layers.changelog = changelog_sink;
  layers.cache = _res.cache;
  return dsl::detail::build_store(spec, layers);
}

result<void> task_stores::open() {
  if (_open) return core::success();
  std::vector<state::checkpoint_entry> checkpointed;
  if (_res.exactly_once) {
    // The positions inside the stores are exact; a checkpoint file (left by an at-least-once
    // run) could only claim more than was committed.
  } else if (auto read = _checkpoint.read(); read) {
    checkpointed = std::move(read).value();
  } else {
    // The stores' own positions are authoritative; a damaged checkpoint only costs a longer
    // restore.
    log.warn("task {}: ignoring unreadable checkpoint file {}: {}", _id.to_string(),
             _checkpoint.path().string(), read.error().message());
  }
  std::vector<entry> entries;
  std::vector<changelog> changelogs;
  // On a failure every store opened so far is closed again: the caller retries later.
  auto abandon = [&](std::error_code ec) -> result<void> {
    for (auto& done : entries) (void)done.store->close();
    return core::failure(ec);
  };
  for (const dsl::store_spec* spec : _specs) {
    entry e;
    e.spec = spec;
    if (spec->logged) {
      e.changelog_sink = std::make_unique<sink>(
          *_res.collector,
          core::topic_partition{spec->changelog_topic(_res.application_id), _id.partition});
    }
    auto opened = open_one(*spec, e.changelog_sink.get());
    if (!opened) return abandon(opened.error());
    e.store = std::move(opened).value();
    if (e.changelog_sink) {
      changelog c;
      c.spec = spec;
      c.store = e.store.get();
      c.topic = e.changelog_sink->topic();
      c.produced = &e.changelog_sink->position();
      c.restore_from = 0;
      if (e.store->persistent()) {
        auto committed = e.store->committed_offset();
        if (!committed) {
          (void)e.store->close();
          return abandon(committed.error());
        }
        if (committed.value()) {
          c.restore_from = committed.value()->value();
          for (const auto& cp : checkpointed) {
            if (cp.store == spec->name && cp.changelog == c.topic) {
              c.restore_from = std::max(c.restore_from, cp.offset.value());
            }
          }
        }
      }
      changelogs.push_back(c);
    }
    entries.push_back(std::move(e));
  }
  _entries = std::move(entries);
  _changelogs = std::move(changelogs);
  _open = true;
  return core::success();
}

state::state_store& task_stores::store(const dsl::store_spec& spec) {
  for (auto& e : _entries) {
    if (e.spec->name == spec.name) return *e.store;
  }
  throw streams_error("task " + _id.to_string() + " has no store '" + spec.name + "'");
}

result<void> task_stores::flush() {
  for (auto& e : _entries) SLUICE_TRY(e.store->flush());
  return core::success();
}

int64_t task_stores::position_of(const changelog& c) const {
  return std::max(c.produced->next, c.restore_from);
}

result<void> task_stores::begin_batches() {
  for (auto& e : _entries) {
    if (!e.store->batch_active()) SLUICE_TRY(e.store->begin_batch());
  }
  return core::success();
}

result<void> task_stores::checkpoint() {
  if (_res.exactly_once) {
    for (auto& e : _entries) {
      // Unlogged stores have no changelog position; they still commit their batch.
      int64_t pos = 0;
      for (auto& c : _changelogs) {
        if (c.store == e.store.get()) {
          pos = position_of(c);
          c.restore_from = pos;
        }
      }
      SLUICE_TRY(e.store->commit_batch(core::offset{pos}));
      SLUICE_TRY(e.store->begin_batch());
    }
    return core::success();
  }
  std::vector<state::checkpoint_entry> entries;
  for (auto& c : _changelogs) {
    const int64_t pos = position_of(c);
    c.restore_from = pos;
    SLUICE_TRY(c.store->commit_batch(core::offset{pos}));
    if (c.store->persistent()) entries.push_back({c.spec->name, c.topic, core::offset{pos}});
  }
  if (entries.empty()) return core::success();
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.store < b.store; });
  return _checkpoint.write(entries);
}

void task_stores::close(bool clean) {
  if (!_open) return;
  if (clean && !_res.exactly_once) {
    if (auto ok = checkpoint(); !ok) {
      log.warn("task {}: cannot write the checkpoint at close: {}", _id.to_string(),
               ok.error().message());
    }
  } else if (_res.exactly_once) {
    // Clean or not, the open batch is discarded below: every store stands at its last
    // committed position. Written down for the assignor (local_task_offset_sums); open()
    // keeps trusting the positions inside the stores.
    std::vector<state::checkpoint_entry> entries;
    for (const auto& c : _changelogs) {
      if (c.store->persistent()) entries.push_back({c.spec->name, c.topic, core::offset{c.restore_from}});
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.store < b.store; });
    if (!entries.empty()) {
      if (auto ok = _checkpoint.write(entries); !ok) {
        log.warn("task {}: cannot write the checkpoint at close: {}", _id.to_string(),
                 ok.error().message());
      }
    }
  }
  for (auto& e : _entries) {
    if (auto ok = e.store->close(); !ok) {
      log.warn("task {}: closing store '{}' failed: {}", _id.to_string(), e.spec->name,
               ok.error().message());
    }
  }
  _entries.clear();
  _changelogs.clear();
  _open = false;
}

namespace {

/// `<subtopology>_<partition>`, both non-negative decimals.
std::optional<dsl::task_id> parse_task_id(std::string_view name) {
  const auto sep = name.find('_');
  if (sep == std::string_view::npos) return std::nullopt;
  int32_t sub = 0;
  int32_t partition = 0;
  const auto* end = name.data() + name.size();
  auto a = std::from_chars(name.data(), name.data() + sep, sub);
  auto b = std::from_chars(name.data() + sep + 1, end, partition);
  if (sep == 0 || a.ec != std::errc{} || a.ptr != name.data() + sep || b.ec != std::errc{} ||
      b.ptr != end || sep + 1 == name.size() || sub < 0 || partition < 0) {
    return std::nullopt;
  }
  return dsl::task_id{sub, core::partition_id{partition}};
}

}  // namespace

std::map<dsl::task_id, int64_t> local_task_offset_sums(const std::filesystem::path& app_dir) {
  std::map<dsl::task_id, int64_t> sums;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(app_dir, ec)) {
    if (!entry.is_directory(ec)) continue;
    auto id = parse_task_id(entry.path().filename().string());
    if (!id) continue;
    const state::checkpoint_file file(entry.path() / std::string(state::checkpoint_file::default_name));
    auto read = file.read();
    if (!read || read.value().empty()) continue;
    int64_t sum = 0;
    for (const auto& e : read.value()) sum += e.offset.value();
    sums[*id] = sum;
  }
  return sums;
}

}  // namespace sluice::runtime::detail
