#include "broker/durable_appender.h"

#include "core/log.h"

#include <fmt/ostream.h>

#include <algorithm>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.append");
  return instance;
}

}  // namespace

void fetch_waiters::add(const core::topic_partition& tp, std::shared_ptr<waiter> w) {
  std::lock_guard lock(_mutex);
  auto& list = _waiters[tp];
  std::erase_if(list, [](const std::weak_ptr<waiter>& x) { return x.expired(); });
  list.push_back(std::move(w));
}

void fetch_waiters::notify(const core::topic_partition& tp) {
  std::vector<std::weak_ptr<waiter>> woken;
  {
    std::lock_guard lock(_mutex);
    auto it = _waiters.find(tp);
    if (it == _waiters.end()) return;
    woken.swap(it->second);
    _waiters.erase(it);
  }
  for (auto& w : woken) {
    if (auto fn = w.lock()) (*fn)();
  }
}

void flush_set::add(log_ptr log) {
  if (std::find(_logs.begin(), _logs.end(), log) == _logs.end()) _logs.push_back(std::move(log));
}

std::vector<flush_set::log_ptr> flush_set::flush_now() {
  std::vector<log_ptr> failed;
  for (auto& l : _logs) {
    if (auto r = l->flush(); !r) {
      log().error("{}: flush failed: {}", fmt::streamed(l->tp()), r.error().message());
      failed.push_back(l);
    }
  }
  _logs.clear();
  return failed;
}

result<storage::append_result> durable_appender::append(const log_ptr& log, bytes_view batch,
                                                        storage::append_origin origin,
                                                        flush_set& owed) {
  auto appended = log->append(batch, origin);
  if (!appended) return appended;
  if (appended.value().flush_required) owed.add(log);
  if (!appended.value().duplicate) _waiters.notify(log->tp());
  return appended;
}

result<storage::append_result> durable_appender::append_marker(const log_ptr& log,
                                                               core::producer_id producer,
                                                               core::producer_epoch epoch, bool commit,
                                                               int32_t coordinator_epoch,
                                                               flush_set& owed) {
  auto appended = log->append_marker(producer, epoch, commit, coordinator_epoch);
  if (!appended) return appended;
  if (appended.value().flush_required) owed.add(log);
  _waiters.notify(log->tp());
  return appended;
}

void durable_appender::after_fsyncs(flush_set owed, continuation then) {
  _sched.run_blocking([owed = std::move(owed), then = std::move(then)]() mutable {
    then(owed.flush_now());
  });
}

void durable_appender::when_durable_later(flush_set owed, continuation then) {
  if (owed.empty()) {
    _sched.run_after(std::chrono::milliseconds(0), [then = std::move(then)] { then({}); });
    return;
  }
  after_fsyncs(std::move(owed), std::move(then));
}

}  // namespace sluice::broker
