#include "broker/group/group_coordinator.h"

#include "broker/group/logger.h"

#include <algorithm>

namespace sluice::broker::group {
group_coordinator::~group_coordinator() { shutdown(); }

result<std::unique_ptr<group_coordinator>> group_coordinator::open(storage::log_manager& logs,
                                                                   durable_appender& appends,
                                                                   coordinator_config config) {
  std::unique_ptr<group_coordinator> c(new group_coordinator(config));
  SLUICE_TRY(auto glog, group_log::open(logs, appends, c->_config, c->_groups));
  c->_log = std::move(glog);
  c->_members = std::make_unique<membership>(c->_groups, *c->_log, appends.sched(), c->_config, c->_stopped);
  c->_offsets = std::make_unique<offset_manager>(c->_groups, *c->_log, *c->_members, logs, c->_config,
                                                 c->_stopped);
  const size_t members = c->_members->resume_loaded_groups();
  log().info("loaded {} group(s) with {} member(s) from {}", c->_groups.size(), members, offsets_topic);
  return c;
}

int32_t group_coordinator::partition_for(std::string_view group_id) const noexcept {
  return _log->partition_for(group_id);
}

void group_coordinator::join(join_request req, std::function<void(join_result)> done) {
  _members->join(std::move(req), std::move(done));
}

void group_coordinator::sync(sync_request req, std::function<void(sync_result)> done) {
  _members->sync(std::move(req), std::move(done));
}

errc group_coordinator::heartbeat(const heartbeat_request& req) { return _members->heartbeat(req); }

void group_coordinator::leave(std::string group_id, std::vector<member_identity> members,
                              std::function<void(leave_result)> done) {
  _members->leave(std::move(group_id), std::move(members), std::move(done));
}

void group_coordinator::commit_offsets(offset_commit_request req,
                                       std::function<void(offset_commit_result)> done) {
  _offsets->commit_offsets(std::move(req), std::move(done));
}

offset_fetch_result group_coordinator::fetch_offsets(const offset_fetch_request& req) {
  return _offsets->fetch_offsets(req);
}

void group_coordinator::delete_offsets(std::string group_id,
                                       std::vector<core::topic_partition> partitions,
                                       std::function<void(offset_delete_result)> done) {
  _offsets->delete_offsets(std::move(group_id), std::move(partitions), std::move(done));
}

void group_coordinator::on_topic_deleted(const std::string& topic) {
  _offsets->remove_topic_offsets(topic);
}

void group_coordinator::complete_transactional_offsets(int32_t offsets_partition, core::producer_id producer,
                                                       bool commit) {
  _offsets->complete_transactional_offsets(offsets_partition, producer, commit);
}

// ---- admin -----------------------------------------------------------------------------------

void group_coordinator::delete_groups(std::vector<std::string> group_ids,
                                      std::function<void(std::vector<errc>)> done) {
  auto results = std::make_shared<std::vector<errc>>(group_ids.size(), errc::ok);
  outbox out;
  for (size_t i = 0; i < group_ids.size(); ++i) {
    errc& r = (*results)[i];
    if (_stopped.load()) {
      r = errc::coordinator_not_available;
      continue;
    }
    if (group_ids[i].empty()) {
      r = errc::invalid_group_id;
      continue;
    }
    auto g = _groups.find(group_ids[i]);
    if (!g) {
      r = errc::group_id_not_found;
      continue;
    }
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) {
      r = errc::group_id_not_found;
    } else if (g->state != group_state::empty) {
      r = errc::non_empty_group;
    } else {
      std::vector<core::raw_record> tombstones;
      for (const auto& [tp, v] : g->offsets) tombstones.push_back(group_log::offset_record(g->id(), tp, nullptr));
      tombstones.push_back(group_log::group_tombstone(g->id()));
      r = _log->append(*g, std::move(tombstones), out);
      if (r == errc::ok) {
        g->state = group_state::dead;
        g->offsets.clear();
        g->pending.clear();
        _groups.forget(g);
        log().info("group {} deleted", g->id());
      }
    }
  }
  out.add([done = std::move(done), results](errc flushed) mutable {
    if (flushed != errc::ok) {
      for (auto& r : *results) {
        if (r == errc::ok) r = flushed;
      }
    }
    done(std::move(*results));
  });
  _log->deliver(std::move(out));
}

std::vector<group_description> group_coordinator::describe_groups(const std::vector<std::string>& group_ids) {
  std::vector<group_description> out;
  for (const auto& id : group_ids) {
    group_description d;
    d.group_id = id;
    if (id.empty()) {
      d.error = errc::invalid_group_id;
      out.push_back(std::move(d));
      continue;
    }
    auto g = _groups.find(id);
    if (!g) {  // Kafka describes an unknown group as Dead, without an error
      out.push_back(std::move(d));
      continue;
    }
    std::lock_guard lock(g->mutex);
    d.state = g->state;
    d.protocol_type = g->protocol_type;
    const bool stable = g->state == group_state::stable;
    if (stable) d.protocol_name = g->protocol_name.value_or(std::string());
    if (g->state != group_state::dead) {
      for (const auto& [mid, m] : g->members) {
        described_member dm;
        dm.member_id = mid;
        dm.group_instance_id = m.instance_id;
        dm.client_id = m.client_id;
        dm.client_host = m.client_host;
        if (stable) {
          if (const auto* md = m.metadata_for(d.protocol_name)) dm.metadata = *md;
          dm.assignment = m.assignment;
        }
        d.members.push_back(std::move(dm));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<group_listing> group_coordinator::list_groups(const std::vector<group_state>& states) {
  const auto all = _groups.all();
  std::vector<group_listing> out;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), g->state) == states.end()) continue;
    out.push_back({g->id(), g->protocol_type, g->state});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

// ---- misc ------------------------------------------------------------------------------------

coordinator_stats group_coordinator::stats() {
  const auto all = _groups.all();
  coordinator_stats s;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    ++s.groups;
    s.members += g->members.size();
  }
  s.rebalances = _members->rebalances();
  return s;
}

std::vector<group_snapshot> group_coordinator::snapshot() {
  const auto all = _groups.all();
  std::vector<group_snapshot> out;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    group_snapshot s;
    s.group_id = g->id();
    s.state = g->state;
    s.members = g->members.size();
    for (const auto& [tp, v] : g->offsets) s.committed.emplace_back(tp, v.offset);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

void group_coordinator::shutdown() {
  if (_stopped.exchange(true)) return;
  const auto all = _groups.all();
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    for (auto& [id, m] : g->members) {
      m.awaiting_join = nullptr;
      m.awaiting_sync = nullptr;
    }
  }
}

}  // namespace sluice::broker::group
