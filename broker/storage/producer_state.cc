#include "broker/storage/producer_state.h"
#include "core/big_endian.h"

#include "broker/storage/errc.h"
#include "core/crc32c.h"

#include <algorithm>
#include <limits>

namespace sluice::broker::storage {
namespace {

constexpr int16_t snapshot_version = 1;
constexpr size_t snapshot_header_size = 2 + 4 + 8 + 4;
constexpr size_t producer_fixed_size = 8 + 2 + 4 + 8 + 8 + 1;
constexpr size_t batch_record_size = 4 + 4 + 8 + 8;

}  // namespace

int32_t next_sequence(int32_t sequence) noexcept {
  return sequence == std::numeric_limits<int32_t>::max() ? 0 : sequence + 1;
}

int32_t last_sequence_of(int32_t base_sequence, int32_t last_offset_delta) noexcept {
  // In 64 bits: a stored batch's delta may be anything (a negative one is corrupt, but replay
  // still reads it), and no int32 arithmetic on it may overflow.
  constexpr int64_t max = std::numeric_limits<int32_t>::max();
  const int64_t last = int64_t{base_sequence} + last_offset_delta;
  return static_cast<int32_t>(last > max ? last - max - 1 : last);
}

const producer_entry* producer_state::find(core::producer_id id) const noexcept {
  auto it = _producers.find(id.value());
  return it == _producers.end() ? nullptr : &it->second;
}

result<std::optional<producer_batch>> producer_state::check(const batch_header& h) const {
  auto it = _producers.find(h.producer_id.value());
  if (it == _producers.end()) return std::optional<producer_batch>{};  // unknown: accept
  const producer_entry& e = it->second;
  const int16_t epoch = h.producer_epoch.value();
  if (epoch < e.epoch) return errc::invalid_producer_epoch;
  if (epoch > e.epoch) {
    if (h.base_sequence != 0) return errc::out_of_order_sequence;
    return std::optional<producer_batch>{};
  }
  const int32_t last = last_sequence_of(h.base_sequence, h.last_offset_delta);
  for (const auto& b : e.batches) {
    if (b.first_sequence == h.base_sequence && b.last_sequence == last) {
      return std::optional<producer_batch>{b};
    }
  }
  if (e.batches.empty()) {
    // The epoch came from a marker: the producer restarts its sequence.
    if (h.base_sequence != 0) return errc::out_of_order_sequence;
    return std::optional<producer_batch>{};
  }
  if (h.base_sequence != next_sequence(e.batches.back().last_sequence)) {
    return errc::out_of_order_sequence;
  }
  return std::optional<producer_batch>{};
}

void producer_state::open_txn(int64_t producer, producer_entry& e, int64_t first_offset) {
  e.txn_first_offset = first_offset;
  _open.emplace(first_offset, producer);
}

void producer_state::close_txn(int64_t producer, producer_entry& e) {
  if (e.txn_first_offset < 0) return;
  _open.erase({e.txn_first_offset, producer});
  e.txn_first_offset = -1;
}

void producer_state::on_append(const batch_header& h, bool track_sequence) {
  const int64_t id = h.producer_id.value();
  producer_entry& e = _producers[id];
  const int16_t epoch = h.producer_epoch.value();
  if (epoch > e.epoch) {
    // A new epoch restarts the sequence history.
    e.epoch = epoch;
    e.batches.clear();
  } else if (epoch < e.epoch) {
    // Only unchecked writes get here (a coordinator's batch of an older epoch): the newer
    // epoch and its sequence history stay.
    track_sequence = false;
  }
  if (track_sequence && h.base_sequence >= 0) {
    e.batches.push_back({h.base_sequence, last_sequence_of(h.base_sequence, h.last_offset_delta),
                         h.base_offset.value(), h.last_offset().value()});
    while (e.batches.size() > max_batches) e.batches.pop_front();
  }
  e.last_timestamp = std::max(e.last_timestamp, h.max_timestamp);
  if (h.is_transactional() && e.txn_first_offset < 0) open_txn(id, e, h.base_offset.value());
}

std::optional<aborted_txn_entry> producer_state::on_marker(core::producer_id producer,
                                                           int16_t epoch, bool commit,
                                                           int32_t coordinator_epoch,
                                                           int64_t marker_offset,
                                                           int64_t timestamp, int64_t log_end) {
  producer_entry& e = _producers[producer.value()];
  if (epoch > e.epoch) {
    e.epoch = epoch;
    e.batches.clear();
  }
  e.coordinator_epoch = coordinator_epoch;
  e.last_timestamp = std::max(e.last_timestamp, timestamp);
  const int64_t first = e.txn_first_offset;
  close_txn(producer.value(), e);
  if (commit || first < 0) return std::nullopt;
  aborted_txn_entry entry;
  entry.producer_id = producer.value();
  entry.first_offset = first;
  entry.last_offset = marker_offset;
  entry.last_stable_offset = first_unstable_offset().value_or(log_end);
  return entry;
}

result<std::optional<aborted_txn_entry>> producer_state::replay(const batch_header& h,
                                                                bytes_view batch,
                                                                int64_t log_end) {
  if (h.producer_id.value() < 0) return std::optional<aborted_txn_entry>{};
  if (!h.is_control()) {
    on_append(h);
    return std::optional<aborted_txn_entry>{};
  }
  auto reader = protocol::record_batch_reader::open(batch, {.verify_crc = false});
  if (!reader) return errc::corrupt_batch;
  auto first = reader.value().next();
  if (!first || !first.value() || !first.value()->record.key) return errc::corrupt_batch;
  auto type = protocol::decode_control_record_key(*first.value()->record.key);
  if (!type) return errc::corrupt_batch;
  int32_t coordinator_epoch = -1;
  const auto& value = first.value()->record.value;
  if (value && value->size() >= 6) coordinator_epoch = core::load_be<int32_t>(value->data() + 2);
  return on_marker(h.producer_id, h.producer_epoch.value(),
                   type.value() == protocol::control_record_type::commit, coordinator_epoch,
                   h.base_offset.value(), h.max_timestamp, log_end);
}

std::optional<int64_t> producer_state::first_unstable_offset() const noexcept {
  if (_open.empty()) return std::nullopt;
  return _open.begin()->first;
}

size_t producer_state::expire(int64_t log_start, int64_t now_ms, int64_t max_idle_ms) {
  size_t expired = 0;
  for (auto it = _producers.begin(); it != _producers.end();) {
    const producer_entry& e = it->second;
    const bool data_gone = e.batches.empty() || e.batches.back().last_offset < log_start;
    const bool idle = e.last_timestamp < 0 || now_ms - e.last_timestamp > max_idle_ms;
    if (e.txn_first_offset < 0 && data_gone && idle) {
      it = _producers.erase(it);
      ++expired;
    } else {
      ++it;
    }
  }
  return expired;
}

void producer_state::clear() {
  _producers.clear();
  _open.clear();
}

bytes producer_state::serialize(int64_t offset) const {
  size_t size = snapshot_header_size;
  for (const auto& [id, e] : _producers) size += producer_fixed_size + e.batches.size() * batch_record_size;
  bytes out(size);
  std::byte* p = out.data();
  auto put16 = [&](int16_t v) {
    p[0] = static_cast<std::byte>((static_cast<uint16_t>(v) >> 8) & 0xff);
    p[1] = static_cast<std::byte>(static_cast<uint16_t>(v) & 0xff);
    p += 2;
  };
  auto put32 = [&](int32_t v) { core::store_be<int32_t>(p, v); p += 4; };
  auto put64 = [&](int64_t v) { core::store_be<int64_t>(p, v); p += 8; };
  put16(snapshot_version);
  p += 4;  // CRC, filled in below
  put64(offset);
  put32(static_cast<int32_t>(_producers.size()));
  for (const auto& [id, e] : _producers) {
    put64(id);
    put16(e.epoch);
    put32(e.coordinator_epoch);
    put64(e.last_timestamp);
    put64(e.txn_first_offset);
    *p++ = static_cast<std::byte>(e.batches.size());
    for (const auto& b : e.batches) {
      put32(b.first_sequence);
      put32(b.last_sequence);
      put64(b.first_offset);
      put64(b.last_offset);
    }
  }
  const uint32_t crc = core::crc32c(bytes_view(out).subspan(6));
  core::store_be<int32_t>(out.data() + 2, static_cast<int32_t>(crc));
  return out;
}

result<std::pair<int64_t, producer_state>> producer_state::deserialize(bytes_view data) {
  if (data.size() < snapshot_header_size) return errc::corrupt_batch;
  const std::byte* p = data.data();
  const std::byte* end = data.data() + data.size();
  auto get16 = [&] {
    auto v = static_cast<int16_t>((static_cast<uint16_t>(p[0]) << 8) | static_cast<uint16_t>(p[1]));
    p += 2;
    return v;
  };
  auto get32 = [&] { auto v = core::load_be<int32_t>(p); p += 4; return v; };
  auto get64 = [&] { auto v = core::load_be<int64_t>(p); p += 8; return v; };
  if (get16() != snapshot_version) return errc::corrupt_batch;
  const auto crc = static_cast<uint32_t>(get32());
  if (core::crc32c(data.subspan(6)) != crc) return errc::corrupt_batch;
  const int64_t offset = get64();
  const int32_t count = get32();
  if (count < 0) return errc::corrupt_batch;
  producer_state state;
  for (int32_t i = 0; i < count; ++i) {
    if (static_cast<size_t>(end - p) < producer_fixed_size) return errc::corrupt_batch;
    const int64_t id = get64();
    // serialize() writes ids in increasing order. A repeated id would replace its entry but
    // leave the first one's open transaction behind, holding the LSO back forever.
    if (!state._producers.empty() && id <= state._producers.rbegin()->first) return errc::corrupt_batch;
    producer_entry e;
    e.epoch = get16();
    e.coordinator_epoch = get32();
    e.last_timestamp = get64();
    const int64_t txn_first = get64();
    const auto n = static_cast<size_t>(*p++);
    if (n > max_batches || static_cast<size_t>(end - p) < n * batch_record_size) {
      return errc::corrupt_batch;
    }
    for (size_t j = 0; j < n; ++j) {
      producer_batch b;
      b.first_sequence = get32();
      b.last_sequence = get32();
      b.first_offset = get64();
      b.last_offset = get64();
      e.batches.push_back(b);
    }
    auto& stored = state._producers[id];
    stored = std::move(e);
    if (txn_first >= 0) state.open_txn(id, stored, txn_first);
  }
  if (p != end) return errc::corrupt_batch;
  return std::make_pair(offset, std::move(state));
}

}  // namespace sluice::broker::storage
