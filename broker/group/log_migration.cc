#include "broker/group/log_migration.h"

#include "broker/group/legacy_log_format.h"
#include "broker/group/log_format.h"
#include "broker/group/logger.h"
#include "core/time.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <map>
#include <utility>

namespace sluice::broker::group {
namespace {

using offset_id = std::pair<std::string, core::topic_partition>;  // group, partition

/// A transaction marker's key: int16 version 0, int16 type (0 abort, 1 commit).
std::optional<bool> marker_commits(const protocol::decoded_record& rec) {
  if (!rec.record.key || rec.record.key->size() != 4) return std::nullopt;
  return static_cast<uint8_t>((*rec.record.key)[3]) == 1;
}

/// Whether one data record reads in the old format (key and, unless a tombstone, value).
bool legacy_readable(const core::raw_record& r) {
  if (!r.key) return false;
  auto key = legacy::decode_key(*r.key);
  if (!key) return false;
  if (!r.value) return true;
  if (std::holds_alternative<legacy::offset_key>(key.value())) {
    return bool(legacy::decode_offset_value(*r.value));
  }
  return bool(legacy::decode_group_value(*r.value));
}

group_value from_legacy(const legacy::group_value& old) {
  group_value v;
  v.protocol_type = old.protocol_type;
  v.generation = old.generation;
  v.protocol_name = old.protocol_name;
  v.leader = old.leader;
  v.state_timestamp_ms = old.state_timestamp_ms;
  for (const auto& om : old.members) {
    member_value m;
    m.member_id = om.member_id;
    m.instance_id = om.instance_id;
    m.client_id = om.client_id;
    m.client_host = om.client_host;
    m.rebalance_timeout_ms = om.rebalance_timeout_ms;
    m.session_timeout_ms = om.session_timeout_ms;
    if (old.protocol_name) {
      auto p = std::find_if(
          om.protocols.begin(), om.protocols.end(),
          [&](const legacy::protocol_value& pv) { return pv.name == *old.protocol_name; });
      if (p != om.protocols.end()) m.subscription = p->metadata;
    }
    m.assignment = om.assignment;
    v.members.push_back(std::move(m));
  }
  return v;
}

offset_value from_legacy(const legacy::offset_value& old) {
  return offset_value{old.offset, old.leader_epoch, old.metadata.value_or(std::string()),
                      old.commit_timestamp_ms, -1};
}

core::raw_record offset_record(const offset_id& id, const offset_value& v, core::timestamp now) {
  core::raw_record r;
  r.key = encode_key(offset_key{id.first, id.second});
  r.value = encode_value(v);
  r.ts = now;
  return r;
}

result<bool> holds_legacy(const storage::partition_log& plog) {
  bool any = false;
  bool all = true;
  auto visit = [&](const protocol::record_batch_header& h, const protocol::decoded_record& rec,
                   int64_t) -> result<void> {
    if (h.is_control()) return core::success();
    any = true;
    if (legacy_readable(rec.record)) return core::success();
    all = false;
    return std::errc::interrupted;  // one is enough to decide
  };
  auto walked = for_each_record(plog, plog.log_end_offset().value(), visit);
  if (!walked && walked.error() != std::errc::interrupted) return walked.error();
  return any && all;
}

/// The state the old records of one partition reach, replayed as the old broker replayed them.
class old_state {
 public:
  explicit old_state(const storage::partition_log& plog) : _plog(plog) {}

  result<void> apply(const protocol::record_batch_header& h, const protocol::decoded_record& rec,
                     int64_t at) {
    if (h.is_control()) {
      // A marker commits or drops the producer's pending offsets in this partition's groups.
      const auto commit = marker_commits(rec);
      if (!commit) return core::success();
      auto node = _open.extract(h.producer_id);
      if (!node.empty() && *commit) {
        for (auto& [id, v] : node.mapped().offsets) _offsets[id] = std::move(v);
      }
      return core::success();
    }
    if (!rec.record.key) return fail(at, "record without a key");
    auto key = legacy::decode_key(*rec.record.key);
    if (!key) return fail(at, "unknown key kind or version");
    const auto& value = rec.record.value;
    if (const auto* k = std::get_if<legacy::offset_key>(&key.value())) {
      offset_id id{k->group, k->tp};
      if (!value) {
        _offsets.erase(id);
        return core::success();
      }
      auto v = legacy::decode_offset_value(*value);
      if (!v) return fail(at, "unreadable committed-offset value");
      if (h.is_transactional()) {
        auto& t = _open[h.producer_id];
        t.epoch = h.producer_epoch;
        t.offsets[id] = from_legacy(v.value());
      } else {
        _offsets[id] = from_legacy(v.value());
      }
      return core::success();
    }
    const auto& group_id = std::get<legacy::group_key>(key.value()).group;
    if (!value) {
      _groups.erase(group_id);
      return core::success();
    }
    auto v = legacy::decode_group_value(*value);
    if (!v) return fail(at, "unreadable group-metadata value");
    _groups[group_id] = from_legacy(v.value());
    return core::success();
  }

  /// The state in Kafka's format: group metadata and committed offsets, then per producer
  /// with an open transaction its pending offsets as transactional batches.
  result<std::vector<core::bytes>> batches() const {
    const auto now = core::wall_clock_now();
    const size_t max_batch =
        static_cast<size_t>(std::max<int32_t>(_plog.config().max_message_bytes / 2, 1024));
    std::vector<core::raw_record> records;
    for (const auto& [id, v] : _groups) {
      core::raw_record r;
      r.key = encode_key(group_key{id});
      r.value = encode_value(v);
      r.ts = now;
      records.push_back(std::move(r));
    }
    for (const auto& [id, v] : _offsets) records.push_back(offset_record(id, v, now));
    SLUICE_TRY(auto out, encode_in_batches(std::move(records), {}, max_batch));
    for (const auto& [producer, t] : _open) {
      std::vector<core::raw_record> pending;
      for (const auto& [id, v] : t.offsets) pending.push_back(offset_record(id, v, now));
      protocol::record_batch_options options;
      options.transactional = true;
      options.producer_id = producer;
      options.producer_epoch = t.epoch;
      options.base_sequence = 0;  // as group_log's own transactional batches
      SLUICE_TRY(auto batches, encode_in_batches(std::move(pending), options, max_batch));
      for (auto& b : batches) out.push_back(std::move(b));
    }
    return out;
  }

 private:
  struct open_transaction {
    core::producer_epoch epoch{-1};
    std::map<offset_id, offset_value> offsets;
  };

  errc fail(int64_t at, const char* what) const {
    log().error("{} offset {}: {} (migrating the old record format)", fmt::streamed(_plog.tp()), at,
                what);
    return errc::corrupt_log;
  }

  const storage::partition_log& _plog;
  std::map<offset_id, offset_value> _offsets;
  std::map<std::string, group_value> _groups;
  std::map<core::producer_id, open_transaction> _open;
};

result<std::vector<core::bytes>> convert(const storage::partition_log& plog, int64_t end) {
  old_state state(plog);
  SLUICE_TRY(for_each_record(
      plog, end,
      [&](const protocol::record_batch_header& h, const protocol::decoded_record& rec, int64_t at) {
        return state.apply(h, rec, at);
      }));
  return state.batches();
}

}  // namespace

legacy_format offsets_topic_legacy_format() {
  legacy_format f;
  f.holds_legacy = holds_legacy;
  f.convert = convert;
  f.corrupt = errc::corrupt_log;
  return f;
}

}  // namespace sluice::broker::group
