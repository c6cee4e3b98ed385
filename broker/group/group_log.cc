#include "broker/group/group_log.h"

#include "broker/group/log_format.h"
#include "broker/group/log_migration.h"
#include "broker/internal_topic_migration.h"
#include "core/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/storage/topic_config.h"
#include "broker/group/logger.h"
#include "core/murmur2.h"
#include "core/time.h"

#include <algorithm>
#include <map>
#include <vector>

namespace sluice::broker::group {
namespace {

int64_t wall_now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

/// The group as Kafka's GroupMetadataValue: a member's subscription is its metadata for the
/// selected protocol (Kafka keeps no other), its other protocols are not stored.
group_value to_value(const group& g) {
  group_value v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  v.protocol_name = g.protocol_name;
  v.leader = g.leader;
  v.state_timestamp_ms = wall_now_ms();
  if (g.state == group_state::empty) return v;
  for (const auto& [id, m] : g.members) {
    member_value mv;
    mv.member_id = m.id;
    mv.instance_id = m.instance_id;
    mv.client_id = m.client_id;
    mv.client_host = m.client_host;
    mv.rebalance_timeout_ms = m.rebalance_timeout_ms;
    mv.session_timeout_ms = m.session_timeout_ms;
    if (g.protocol_name) {
      if (const core::bytes* md = m.metadata_for(*g.protocol_name)) mv.subscription = *md;
    }
    mv.assignment = m.assignment;
    v.members.push_back(std::move(mv));
  }
  return v;
}

/// A replayed GroupMetadataValue: the group's generation, protocol, leader and members.
void apply_group_value(group& g, group_value&& gv) {
  g.protocol_type = std::move(gv.protocol_type);
  g.generation = gv.generation;
  g.protocol_name = std::move(gv.protocol_name);
  g.leader = std::move(gv.leader);
  g.persisted = true;
  if (!g.protocol_name && !gv.members.empty()) {
    // Kafka never writes members without a selected protocol; without one they cannot vote.
    log().warn("group {}: metadata lists members but no protocol; loading it without them",
               g.id());
    return;
  }
  for (auto& mv : gv.members) {
    member m;
    m.id = std::move(mv.member_id);
    m.instance_id = std::move(mv.instance_id);
    m.client_id = std::move(mv.client_id);
    m.client_host = std::move(mv.client_host);
    m.session_timeout_ms = mv.session_timeout_ms;
    m.rebalance_timeout_ms =
        mv.rebalance_timeout_ms < 0 ? mv.session_timeout_ms : mv.rebalance_timeout_ms;
    m.protocol_type = g.protocol_type;
    // Kafka's format keeps the selected protocol's metadata only (member::only_selected_protocol).
    m.protocols.push_back({*g.protocol_name, std::move(mv.subscription)});
    m.only_selected_protocol = true;
    m.assignment = std::move(mv.assignment);
    if (m.instance_id) g.static_members[*m.instance_id] = m.id;
    g.members.emplace(m.id, std::move(m));
  }
}

}  // namespace

result<std::unique_ptr<group_log>> group_log::open(storage::log_manager& logs,
                                                   durable_appender& appends,
                                                   const coordinator_config& config,
                                                   group_registry& groups) {
  std::unique_ptr<group_log> self(new group_log(appends, groups));
  const std::string topic(offsets_topic);
  // Compaction keeps the newest record per key; ask for it when storage accepts the policy.
  const bool compact_ok = !storage::validate_topic_config("cleanup.policy", "compact");
  auto info = logs.topic(topic);
  const bool new_topic = !info;
  if (!info) {
    storage::topic_overrides overrides;
    overrides["segment.bytes"] = std::to_string(config.offsets_topic_segment_bytes);
    if (compact_ok) overrides["cleanup.policy"] = "compact";
    SLUICE_TRY(auto created, logs.create_topic(topic, config.offsets_topic_partitions, overrides));
    info = created;
    log().info("created {} with {} partition(s){}", topic, created.partitions,
               compact_ok ? ", cleanup.policy=compact" : " (cleanup.policy=compact not available yet)");
  } else {
    if (info->partitions != config.offsets_topic_partitions) {
      log().warn("{} has {} partitions; offsets.topic.num.partitions={} applies only when the "
                 "topic is created, so {} stay in use",
                 topic, info->partitions, config.offsets_topic_partitions, info->partitions);
    }
    auto policy = info->configs.find("cleanup.policy");
    if (compact_ok && (policy == info->configs.end() || policy->second != "compact")) {
      auto configs = info->configs;
      configs["cleanup.policy"] = "compact";
      if (auto r = logs.set_topic_configs(topic, configs); !r) {
        log().warn("could not switch {} to cleanup.policy=compact: {}", topic, r.error().message());
      }
    }
  }
  self->_partitions = info->partitions;
  // A data directory from before Kafka's format is converted first (log_migration.h).
  SLUICE_TRY(auto starts,
             open_internal_topic_format(logs, topic, new_topic, offsets_topic_legacy_format()));
  for (int32_t p = 0; p < self->_partitions; ++p) {
    auto plog = logs.get({topic, core::partition_id{p}});
    if (!plog) return storage::errc::unknown_partition;
    SLUICE_TRY(self->replay_partition(plog, starts.at(static_cast<size_t>(p))));
    self->_partition_logs.push_back(std::move(plog));
  }
  return self;
}

int32_t group_log::partition_for(std::string_view group_id) const noexcept {
  return core::partition_for_key(core::as_bytes(group_id), _partitions);
}

result<void> group_log::replay_partition(const std::shared_ptr<storage::partition_log>& plog, int64_t from) {
  size_t skipped = 0;  // records of group types this broker does not serve
  // The groups with transactional offsets of each producer in this partition: what a marker
  // here settles (as in Kafka, a marker acts on its own partition's records).
  std::map<core::producer_id, std::vector<std::shared_ptr<group>>> pending_here;
  auto replayed = storage::replay_log(*plog, [&](protocol::record_batch_reader& reader, int64_t next) -> result<void> {
    const auto& h = reader.header();
    const int64_t first = std::max(next, from);
    if (h.last_offset().value() < first) return core::success();  // below the Kafka-format records
    if (h.is_control()) {
      // A transaction marker: the producer's pending offsets in this partition's groups are
      // committed or dropped, as they were when the marker was first written.
      SLUICE_TRY(auto marker, reader.next());
      if (!marker || !marker->record.key || marker->record.key->size() != 4) return core::success();
      const bool commit = static_cast<uint8_t>((*marker->record.key)[3]) == 1;
      auto settled = pending_here.extract(h.producer_id);
      if (settled.empty()) return core::success();
      for (auto& g : settled.mapped()) {
        auto node = g->pending_txn_offsets.extract(h.producer_id);
        if (node.empty() || !commit) continue;
        for (auto& [tp, v] : node.mapped()) g->offsets[tp] = std::move(v);
      }
      return core::success();
    }
    for (;;) {
      SLUICE_TRY(auto rec, reader.next());
      if (!rec) break;
      int64_t at = h.base_offset.value() + rec->offset_delta;
      if (at < first) continue;
      auto fail = [&](const char* what) {
        log().error("{}-{} offset {}: {}", plog->tp().topic, plog->tp().partition.value(), at, what);
        return errc::corrupt_log;
      };
      if (!rec->record.key) return fail("record without a key");
      auto key = decode_key(*rec->record.key);
      if (!key) return fail("unreadable key");
      const auto& value = rec->record.value;
      if (auto* ok = std::get_if<offset_key>(&key.value())) {
        auto g = _groups.get_or_create(ok->group);
        if (!value) {
          g->offsets.erase(ok->tp);
          continue;
        }
        auto v = decode_offset_value(*value);
        if (!v) return fail("unreadable OffsetCommitValue (unknown version or malformed)");
        committed_offset c{v.value().offset, v.value().leader_epoch, std::move(v.value().metadata),
                           v.value().commit_timestamp_ms};
        if (h.is_transactional()) {
          auto& here = pending_here[h.producer_id];
          if (std::find(here.begin(), here.end(), g) == here.end()) here.push_back(g);
          g->pending_txn_offsets[h.producer_id][ok->tp] = std::move(c);
        } else {
          g->offsets[ok->tp] = std::move(c);
        }
      } else if (auto* gk = std::get_if<group_key>(&key.value())) {
        auto g = _groups.get_or_create(gk->group);
        g->members.clear();
        g->static_members.clear();
        g->leader.reset();
        g->protocol_name.reset();
        if (!value) {  // the group was deleted; its offsets have their own tombstones
          g->protocol_type.clear();
          g->generation = 0;
          g->persisted = false;
          continue;
        }
        auto v = decode_group_value(*value);
        if (!v) return fail("unreadable GroupMetadataValue (unknown version or malformed)");
        apply_group_value(*g, std::move(v).value());
      } else {
        ++skipped;  // Kafka skips record types it does not know too
      }
    }
    return core::success();
  });
  if (skipped > 0) {
    log().warn("{}-{}: skipped {} record(s) of group types this broker does not serve (KIP-848 "
               "consumer groups, share groups); their groups' committed offsets are loaded",
               plog->tp().topic, plog->tp().partition.value(), skipped);
  }
  return replayed;
}

core::raw_record group_log::offset_record(const std::string& group_id, const core::topic_partition& tp,
                           const committed_offset* value) {
  core::raw_record r;
  r.key = encode_key(offset_key{group_id, tp});
  if (value != nullptr) {
    r.value = encode_value(offset_value{value->offset, value->leader_epoch,
                                        value->metadata.value_or(std::string()),
                                        value->commit_timestamp_ms, -1});
  }
  r.ts = core::wall_clock_now();
  return r;
}

core::raw_record group_log::group_tombstone(const std::string& group_id) {
  core::raw_record gone;
  gone.key = encode_key(group_key{group_id});
  gone.ts = core::wall_clock_now();
  return gone;
}

// ---- writes ----------------------------------------------------------------------------------

errc group_log::write_group_metadata(group& g, outbox& out) {
  core::raw_record r;
  r.key = encode_key(group_key{g.id()});
  r.value = encode_value(to_value(g));
  r.ts = core::wall_clock_now();
  std::vector<core::raw_record> records;
  records.push_back(std::move(r));
  errc e = append(g, std::move(records), out);
  if (e == errc::ok) g.persisted = true;
  return e;
}

errc group_log::append(const group& g, std::vector<core::raw_record> records, outbox& out,
                       const std::optional<txn_producer>& txn) {
  const auto& plog = _partition_logs.at(static_cast<size_t>(partition_for(g.id())));
  protocol::record_batch_options options;
  if (txn) {
    options.transactional = true;
    options.producer_id = txn->id;
    options.producer_epoch = txn->epoch;
    options.base_sequence = 0;  // the coordinator's batches are not sequence-checked
  }
  auto batch = protocol::encode_record_batch(records, options);
  if (!batch) {
    log().error("group {}: could not encode a batch: {}", g.id(), batch.error().message());
    return errc::storage_error;
  }
  auto appended = _appends.append(plog, batch.value(), storage::append_origin::coordinator, out.flush);
  if (!appended) {
    log().error("group {}: append to {}-{} failed: {}", g.id(), plog->tp().topic,
                plog->tp().partition.value(), appended.error().message());
    return appended.error() == storage::errc::message_too_large ? errc::record_too_large
                                                                : errc::storage_error;
  }
  return errc::ok;
}

void group_log::deliver(outbox&& out) {
  // The flush policy wants these records durable before anyone hears of them.
  _appends.when_durable(std::move(out.flush), [replies = std::move(out.replies)](
                                                  std::vector<flush_set::log_ptr> failed) mutable {
    const errc result = failed.empty() ? errc::ok : errc::storage_error;
    for (auto& reply : replies) reply(result);
  });
}

}  // namespace sluice::broker::group
