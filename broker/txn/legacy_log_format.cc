#include "broker/txn/legacy_log_format.h"

#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "broker/txn/errc.h"

namespace sluice::broker::txn::legacy {
namespace {

constexpr int16_t key_version = 0;
constexpr int16_t value_version = 0;

bool finished(const protocol::reader& r) { return r.ok() && r.remaining() == 0; }

}  // namespace

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
  w.write_int16(value_version);
  w.write_int64(m.producer_id.value());
  w.write_int16(m.producer_epoch.value());
  w.write_int32(m.timeout_ms);
  w.write_int8(static_cast<int8_t>(m.state));
  w.write_int64(m.start_ms);
  w.write_int64(m.update_ms);
  w.write_int32(static_cast<int32_t>(m.partitions.size()));
  for (const auto& tp : m.partitions) {
    w.write_string(tp.topic);
    w.write_int32(tp.partition.value());
  }
  w.write_int32(static_cast<int32_t>(m.groups.size()));
  for (const auto& g : m.groups) w.write_string(g);
  return out;
}

result<std::string> decode_txn_key(core::bytes_view bytes) {
  protocol::reader r(bytes);
  if (r.read_int16() != key_version) return txn::errc::corrupt_log;
  std::string id = r.read_string();
  if (!finished(r)) return txn::errc::corrupt_log;
  return id;
}

result<txn_metadata> decode_txn_value(core::bytes_view bytes) {
  protocol::reader r(bytes);
  if (r.read_int16() != value_version) return txn::errc::corrupt_log;
  txn_metadata m;
  m.producer_id = core::producer_id{r.read_int64()};
  m.producer_epoch = core::producer_epoch{r.read_int16()};
  m.timeout_ms = r.read_int32();
  int8_t state = r.read_int8();
  if (state < 0 || state > static_cast<int8_t>(txn_state::complete_abort)) return txn::errc::corrupt_log;
  m.state = static_cast<txn_state>(state);
  m.start_ms = r.read_int64();
  m.update_ms = r.read_int64();
  int32_t partitions = r.read_array_length(6);  // each takes at least 6 bytes
  if (!r.ok() || partitions < 0) return txn::errc::corrupt_log;
  for (int32_t i = 0; i < partitions && r.ok(); ++i) {
    std::string topic = r.read_string();
    int32_t p = r.read_int32();
    m.partitions.insert(core::topic_partition{std::move(topic), core::partition_id{p}});
  }
  int32_t groups = r.read_array_length(2);
  if (!r.ok() || groups < 0) return txn::errc::corrupt_log;
  for (int32_t i = 0; i < groups && r.ok(); ++i) m.groups.insert(r.read_string());
  if (!finished(r)) return txn::errc::corrupt_log;
  return m;
}

}  // namespace sluice::broker::txn::legacy
