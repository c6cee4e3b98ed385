#include "broker/storage/log_cleaner.h"

#include "broker/storage/log_manager.h"
#include "broker/storage/logger.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <chrono>

namespace sluice::broker::storage {
namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// ---- log_cleaner --------------------------------------------------------------------------

log_cleaner::log_cleaner(log_manager& logs, cleaner_options options)
    : _logs(logs), _options(std::move(options)) {}

log_cleaner::~log_cleaner() { stop(); }

void log_cleaner::start() {
  if (_thread.joinable()) return;
  _thread = std::thread([this] { loop(); });
}

void log_cleaner::stop() {
  {
    std::lock_guard lock(_mutex);
    _stopping.store(true);
  }
  _cv.notify_all();
  if (_thread.joinable()) _thread.join();
}

void log_cleaner::wake() {
  {
    std::lock_guard lock(_mutex);
    _woken = true;
  }
  _cv.notify_all();
}

result<size_t> log_cleaner::run_once(int64_t now_ms, bool force) {
  size_t cleaned = 0;
  for (const auto& topic : _logs.topics()) {
    for (int32_t p = 0; p < topic.partitions; ++p) {
      if (_stopping.load()) return cleaned;
      auto plog = _logs.get({topic.name, core::partition_id{p}});
      if (!plog || !plog->config().cleanup_compact) continue;
      auto r = clean_log(*plog, now_ms, _options, force, &_stopping);
      if (!r) {
        std::error_code ec;
        if (_stopping.load() || !std::filesystem::exists(plog->dir(), ec)) continue;
        cleaner_log().error("{}: compaction failed: {}", fmt::streamed(plog->tp()), r.error().message());
        continue;
      }
      if (!r.value().cleaned) continue;
      ++cleaned;
      const auto& s = r.value();
      _bytes_cleaned.fetch_add(s.bytes_before);
      cleaner_log().info("{}: compacted offsets [{}, {}): {} -> {} bytes, {} record(s) removed ({} "
                 "tombstone(s)), {} -> {} closed segment(s)",
                 fmt::streamed(plog->tp()), s.first_dirty, s.end_offset, s.bytes_before,
                 s.bytes_after, s.records_removed, s.tombstones_removed, s.segments_before,
                 s.segments_after);
    }
  }
  _passes.fetch_add(1);
  return cleaned;
}

void log_cleaner::loop() {
  while (!_stopping.load()) {
    auto cleaned = run_once(wall_ms());
    if (cleaned && cleaned.value() > 0) continue;  // more may be due right away
    std::unique_lock lock(_mutex);
    _cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, _options.backoff_ms)),
                 [this] { return _stopping.load() || _woken; });
    _woken = false;
  }
}

}  // namespace sluice::broker::storage
