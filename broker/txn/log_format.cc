#include "broker/txn/log_format.h"

#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "broker/txn/errc.h"

#include <map>
#include <vector>

namespace sluice::broker::txn {
namespace {

constexpr int16_t key_version = 0;
constexpr int16_t highest_value_version = 1;

/// Kafka's TransactionState ids beyond ours.
constexpr int8_t dead_state = 6;
constexpr int8_t prepare_epoch_fence_state = 7;

/// TransactionLogValue v1's tagged field that is kept (tags 0 and 1, the previous and next
/// producer id, are not: Kafka does not write them either).
constexpr uint32_t client_transaction_version_tag = 2;

bool finished(const protocol::reader& r) {
  return r.ok() && r.remaining() == 0;
}

}  // namespace

std::string_view to_string(txn_state s) noexcept {
  switch (s) {
    case txn_state::empty:
      return "Empty";
    case txn_state::ongoing:
      return "Ongoing";
    case txn_state::prepare_commit:
      return "PrepareCommit";
    case txn_state::prepare_abort:
      return "PrepareAbort";
    case txn_state::complete_commit:
      return "CompleteCommit";
    case txn_state::complete_abort:
      return "CompleteAbort";
  }
  return "Unknown";
}

core::bytes encode_txn_key(std::string_view transactional_id) {
  core::bytes out;
  protocol::writer w(out);
  w.write_int16(key_version);
  w.write_string(transactional_id);
  return out;
}

core::bytes encode_txn_value(const txn_metadata& m) {
  core::bytes out;
  protocol::writer w(out);
  w.write_int16(txn_value_version);
  w.write_int64(m.producer_id.value());
  w.write_int16(m.producer_epoch.value());
  w.write_int32(m.timeout_ms);
  w.write_int8(static_cast<int8_t>(m.state));
  if (m.state == txn_state::empty) {
    w.write_compact_array_length(-1);  // Kafka writes no partition list for Empty
  } else {
    // Partitions grouped by topic (the set is ordered by topic, then partition).
    std::map<std::string_view, std::vector<int32_t>> by_topic;
    for (const auto& tp : m.partitions) by_topic[tp.topic].push_back(tp.partition.value());
    w.write_compact_array_length(static_cast<int32_t>(by_topic.size()));
    for (const auto& [topic, ids] : by_topic) {
      w.write_compact_string(topic);
      w.write_compact_array_length(static_cast<int32_t>(ids.size()));
      for (int32_t id : ids) w.write_int32(id);
      w.write_empty_tagged_fields();
    }
  }
  w.write_int64(m.update_ms);
  w.write_int64(m.start_ms);
  // Tagged fields with their default value are left out, as Kafka does.
  if (m.client_transaction_version != 0) {
    w.write_uvarint(1);
    w.write_uvarint(client_transaction_version_tag);
    w.write_uvarint(2);
    w.write_int16(m.client_transaction_version);
  } else {
    w.write_empty_tagged_fields();
  }
  return out;
}

result<std::string> decode_txn_key(core::bytes_view bytes) {
  protocol::reader r(bytes);
  if (r.read_int16() != key_version) return errc::corrupt_log;
  std::string id = r.read_string();
  if (!finished(r)) return errc::corrupt_log;
  return id;
}

result<std::optional<txn_metadata>> decode_txn_value(core::bytes_view bytes) {
  protocol::reader r(bytes);
  const int16_t version = r.read_int16();
  if (!r.ok() || version < 0 || version > highest_value_version) return errc::corrupt_log;
  const bool flexible = version >= 1;
  txn_metadata m;
  m.producer_id = core::producer_id{r.read_int64()};
  m.producer_epoch = core::producer_epoch{r.read_int16()};
  m.timeout_ms = r.read_int32();
  const int8_t state = r.read_int8();
  if (state < 0 || state > prepare_epoch_fence_state) return errc::corrupt_log;
  // PrepareEpochFence is Kafka's in-memory step before PrepareAbort: read as the abort it
  // leads to.
  m.state = state == prepare_epoch_fence_state ? txn_state::prepare_abort
            : state == dead_state              ? txn_state::empty
                                               : static_cast<txn_state>(state);
  // Each topic takes at least 4 (flexible) or 6 bytes, each partition id 4.
  const int32_t topics = flexible ? r.read_compact_array_length(4) : r.read_array_length(6);
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    std::string topic = flexible ? r.read_compact_string() : r.read_string();
    const int32_t ids = flexible ? r.read_compact_array_length(4) : r.read_array_length(4);
    if (ids < 0) return errc::corrupt_log;
    for (int32_t j = 0; j < ids && r.ok(); ++j) {
      m.partitions.insert(core::topic_partition{topic, core::partition_id{r.read_int32()}});
    }
    if (flexible) r.skip_tagged_fields();
  }
  m.update_ms = r.read_int64();
  m.start_ms = r.read_int64();
  if (flexible) {
    const uint32_t count = r.read_uvarint();
    for (uint32_t i = 0; i < count && r.ok(); ++i) {
      const uint32_t tag = r.read_uvarint();
      const uint32_t size = r.read_uvarint();
      if (tag == client_transaction_version_tag && size == 2) {
        m.client_transaction_version = r.read_int16();
      } else {
        // The previous and next producer id (tags 0, 1), NextProducerEpoch (tag 3, Kafka
        // 4.1) and any newer tag.
        r.skip(size);
      }
    }
  }
  if (!finished(r)) return errc::corrupt_log;
  if (state == dead_state) return std::optional<txn_metadata>{};
  // Kafka ignores the partitions of an Empty record.
  if (m.state == txn_state::empty) m.partitions.clear();
  return std::optional<txn_metadata>(std::move(m));
}

}  // namespace sluice::broker::txn
