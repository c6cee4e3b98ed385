#include "runtime/detail/changelog_reader.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.restore");

constexpr auto progress_log_interval = std::chrono::seconds(10);

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) {
  return std::chrono::duration<double>(steady::now() - t).count();
}

}  // namespace

/// One changelog partition being restored, with the records read but not applied yet. Keys and
/// values are copied into one arena, so a batch of small records costs a few allocations.
struct changelog_reader::partition_state {
  stream_task* task = nullptr;
  task_stores::changelog* changelog = nullptr;
  int64_t start = 0;
  int64_t end = -1;  ///< the end offset last seen in a fetch (-1: not yet)
  int64_t fetch_next = 0;  ///< after the last record read (applied or buffered)
  struct entry {
    std::size_t key_at = 0;
    std::size_t key_size = 0;
    std::size_t value_at = 0;
    std::size_t value_size = 0;
    bool tombstone = false;
  };
  bytes arena;
  std::vector<entry> entries;
  int64_t records = 0;
  int64_t bytes_read = 0;
  steady::time_point started = steady::now();
  steady::time_point last_log = steady::now();
  core::gauge* remaining = nullptr;
  core::metric_labels labels;
};

changelog_reader::changelog_reader(core::properties settings, std::string thread_name,
                                   core::metrics_registry& metrics, options opts)
    : _thread(std::move(thread_name)),
      _metrics(metrics),
      _options(opts),
      _restored_records(metrics.register_counter("sluice_streams_restored_records_total",
                                                 "Changelog records applied to restoring stores.",
                                                 {{"thread", _thread}})),
      _restored_bytes(metrics.register_counter("sluice_streams_restored_bytes_total",
                                               "Key and value bytes applied to restoring stores.",
                                               {{"thread", _thread}})) {
  settings["enable.auto.commit"] = "false";
  settings["enable.partition.eof"] = "true";
  // Caught up = the end-of-partition event, which a fetch at the end reports after at most
  // fetch.wait.max.ms: keep it short (the restore consumer only fetches while restoring).
  if (!settings.contains("fetch.wait.max.ms")) settings["fetch.wait.max.ms"] = "10";
  // A store ahead of its changelog must be an error, not a silent restore from scratch.
  settings["auto.offset.reset"] = "error";
  settings["isolation.level"] = "read_committed";
  _consumer = make_client(client_type::consumer, settings, _thread + " restore consumer");
}

changelog_reader::~changelog_reader() {
  for (auto& [tp, p] : _partitions) {
    if (p->remaining != nullptr) _metrics.unregister("sluice_streams_restore_remaining_records", p->labels);
  }
}

void changelog_reader::update_assignment() {
  partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(_partitions.size())));
  for (auto& [tp, p] : _partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset =
        p->fetch_next;
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(_consumer.get(), list.get()); err) {
    log.error("{}: cannot assign changelog partitions: {}", _thread, rd_kafka_err2str(err));
  }
}

result<void> changelog_reader::add(stream_task& task) {
  int pending = 0;
  for (auto& c : task.stores()->changelogs()) {
    auto p = std::make_unique<partition_state>();
    p->task = &task;
    p->changelog = &c;
    p->start = c.restore_from;
    p->fetch_next = c.restore_from;
    p->labels = {{"topic", c.topic.topic}, {"partition", std::to_string(c.topic.partition.value())}};
    p->remaining = &_metrics.register_gauge(
        "sluice_streams_restore_remaining_records",
        "Changelog records left to restore, per changelog partition being restored.", p->labels);
    log.debug("{}: task {}: restoring store '{}' from {}-{} at offset {}", _thread,
              task.id().to_string(), c.spec->name, c.topic.topic, c.topic.partition.value(),
              p->start);
    _partitions[c.topic] = std::move(p);
    ++pending;
  }
  if (pending == 0) {
    _completed.push_back(&task);
    return core::success();
  }
  _pending_per_task[&task] = pending;
  update_assignment();
  return core::success();
}

void changelog_reader::remove(stream_task& task) {
  bool changed = false;
  for (auto it = _partitions.begin(); it != _partitions.end();) {
    if (it->second->task == &task) {
      _metrics.unregister("sluice_streams_restore_remaining_records", it->second->labels);
      it = _partitions.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  _pending_per_task.erase(&task);
  std::erase(_completed, &task);
  if (changed) update_assignment();
}

std::vector<stream_task*> changelog_reader::take_completed() { return std::exchange(_completed, {}); }

result<void> changelog_reader::apply(partition_state& p) {
  if (p.entries.empty() && p.changelog->restore_from >= p.fetch_next) return core::success();
  std::vector<state::changelog_record> batch;
  batch.reserve(p.entries.size());
  for (const auto& e : p.entries) {
    state::changelog_record r;
    r.key = bytes_view(p.arena).subspan(e.key_at, e.key_size);
    if (!e.tombstone) r.value = bytes_view(p.arena).subspan(e.value_at, e.value_size);
    batch.push_back(r);
  }
  if (auto ok = p.changelog->store->restore_batch(batch, core::offset{p.fetch_next}); !ok) {
    log.error("{}: task {}: restoring store '{}' failed: {}", _thread, p.task->id().to_string(),
              p.changelog->spec->name, ok.error().message());
    return ok;
  }
  p.changelog->restore_from = p.fetch_next;
  _restored_records.inc(p.entries.size());
  _restored_bytes.inc(p.arena.size());
  p.entries.clear();
  p.arena.clear();
  update_remaining(p);
  return core::success();
}

void changelog_reader::update_remaining(partition_state& p) {
  int64_t low = 0, high = 0;
  // The end offset librdkafka last saw in a fetch response: no request is made.
  if (rd_kafka_get_watermark_offsets(_consumer.get(), p.changelog->topic.topic.c_str(),
                                     p.changelog->topic.partition.value(), &low,
                                     &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      high >= 0) {
    p.end = high;
    p.remaining->set(static_cast<double>(std::max<int64_t>(0, high - p.fetch_next)));
  }
}

void changelog_reader::finish(partition_state& p) {
  const double secs = seconds_since(p.started);
  log.log(p.records > 0 ? core::log_level::info : core::log_level::debug,
          "{}: task {}: restored store '{}' from {}-{} offsets [{}, {}): {} records, {:.1f} MB "
           "in {:.2f} s ({:.1f} MB/s)",
           _thread, p.task->id().to_string(), p.changelog->spec->name,
           p.changelog->topic.topic, p.changelog->topic.partition.value(), p.start,
           p.fetch_next, p.records,
           static_cast<double>(p.bytes_read) / 1e6, secs,
           secs > 0 ? static_cast<double>(p.bytes_read) / 1e6 / secs : 0.0);
  _metrics.unregister("sluice_streams_restore_remaining_records", p.labels);
  p.remaining = nullptr;
  stream_task* task = p.task;
  if (--_pending_per_task[task] == 0) {
    _pending_per_task.erase(task);
    _completed.push_back(task);
  }
}

result<void> changelog_reader::step(std::chrono::milliseconds max_wait) {
  if (_partitions.empty()) return core::success();
  // Wait up to max_wait for the first record, then apply for a bounded slice of time, so
  // running tasks on the same thread keep being served.
  const auto deadline = steady::now() + max_wait + std::chrono::milliseconds(50);
  std::vector<core::topic_partition> done;
  int timeout = timeout_ms(max_wait);
  for (int polled = 0; polled < 100000; ++polled) {
    const kafka::message owned = kafka::poll(_consumer.get(), timeout);
    rd_kafka_message_t* m = owned.get();
    if (m == nullptr) break;
    timeout = 0;
    if (m->rkt == nullptr) {
      log.warn("{}: restore consumer: {}", _thread, rd_kafka_message_errstr(m));
      continue;
    }
    const core::topic_partition tp{rd_kafka_topic_name(m->rkt), core::partition_id{m->partition}};
    auto it = _partitions.find(tp);
    if (it == _partitions.end()) continue;  // removed meanwhile
    partition_state& p = *it->second;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end of the changelog (its last stable offset under read_committed): caught up.
      if (m->offset < p.start) {
        log.error("{}: task {}: store '{}' is at changelog offset {} but {}-{} ends at {}: the "
                  "changelog was deleted or recreated; remove the task directory {} to restore "
                  "the store from scratch",
                  _thread, p.task->id().to_string(), p.changelog->spec->name, p.start,
                  tp.topic, tp.partition.value(), m->offset,
                  p.task->stores()->directory().string());
        return core::failure(make_error_code(errc::store_failed));
      }
      p.fetch_next = std::max(p.fetch_next, m->offset);
      done.push_back(tp);
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log.error("{}: task {}: reading changelog {}-{} failed: {}", _thread,
                p.task->id().to_string(), tp.topic, tp.partition.value(),
                rd_kafka_message_errstr(m));
      return core::failure(make_error_code(errc::kafka_error));
    }
    if (m->offset < p.fetch_next) continue;
    partition_state::entry e;
    e.key_at = p.arena.size();
    e.key_size = m->key_len;
    const auto* key = static_cast<const std::byte*>(m->key);
    p.arena.insert(p.arena.end(), key, key + m->key_len);
    e.tombstone = m->payload == nullptr;
    e.value_at = p.arena.size();
    e.value_size = m->len;
    if (!e.tombstone) {
      const auto* value = static_cast<const std::byte*>(m->payload);
      p.arena.insert(p.arena.end(), value, value + m->len);
    }
    p.entries.push_back(e);
    p.fetch_next = m->offset + 1;
    ++p.records;
    p.bytes_read += static_cast<int64_t>(m->key_len + m->len);
    if (p.entries.size() >= _options.batch_records || p.arena.size() >= _options.batch_bytes) {
      SLUICE_TRY(apply(p));
    }
    if (steady::now() >= deadline) break;
  }
  for (const auto& tp : done) {
    auto it = _partitions.find(tp);
    if (it == _partitions.end()) continue;
    SLUICE_TRY(apply(*it->second));
    finish(*it->second);
    _partitions.erase(it);
  }
  const auto now = steady::now();
  for (auto& [tp, p] : _partitions) {
    update_remaining(*p);
    if (now - p->last_log < progress_log_interval) continue;
    p->last_log = now;
    log.info("{}: task {}: restoring store '{}' from {}-{}: {} records applied, about {} to go, "
             "{:.1f} s",
             _thread, p->task->id().to_string(), p->changelog->spec->name, tp.topic,
             tp.partition.value(), p->fetch_next - p->start, p->end >= 0 ? p->end - p->fetch_next : -1,
             seconds_since(p->started));
  }
  if (!done.empty()) update_assignment();
  return core::success();
}

}  // namespace sluice::runtime::detail
