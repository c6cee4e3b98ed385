// Fuzz target: the producer-state snapshot decoder (`producer_state::deserialize`, the
// `<offset>.snapshot` files of broker/storage/producer_state.h), then the producer state it
// yields driven a little: the idempotence check and a replayed batch for each producer.
//
// Input: one flag byte (bit 0: recompute the snapshot's CRC first, so that mutations get past
// it), then the snapshot bytes (seeds: snapshots of real producer states — tests/fuzz/seeds/).
//
// Checked: decoding fails cleanly or yields a state whose snapshot at the same offset is no
// longer than the input and decodes to the same state; the first unstable offset is the
// smallest open transaction's (a producer listed twice must not leave a phantom one); checking and replaying batches
// against the state does not fail except cleanly.

#include "broker/storage/producer_state.h"
#include "core/assert.h"
#include "core/big_endian.h"
#include "core/crc32c.h"
#include "tests/fuzz/fuzz_input.h"

#include <optional>

namespace sluice::broker::storage {
namespace {

void check(core::bytes_view snapshot) {
  auto decoded = producer_state::deserialize(snapshot);
  if (!decoded) return;
  const int64_t offset = decoded.value().first;
  producer_state& state = decoded.value().second;
  const core::bytes again = state.serialize(offset);
  SLUICE_ASSERT(again.size() <= snapshot.size(), "a decoded snapshot encodes to more bytes");
  auto redecoded = producer_state::deserialize(again);
  SLUICE_ASSERT(redecoded && redecoded.value().first == offset && redecoded.value().second == state,
                "a re-encoded snapshot decodes to another state");
  SLUICE_ASSERT(redecoded.value().second.first_unstable_offset() == state.first_unstable_offset(),
                "a re-encoded snapshot has another first unstable offset");

  std::optional<int64_t> first_open;
  for (const auto& [id, e] : state.producers()) {
    if (e.txn_first_offset >= 0 && (!first_open || e.txn_first_offset < *first_open)) first_open = e.txn_first_offset;
  }
  SLUICE_ASSERT(state.first_unstable_offset() == first_open, "first unstable offset is not the oldest open transaction's");

  // The next batch of each producer (its next sequence in the same epoch), checked and replayed.
  std::vector<batch_header> next;
  for (const auto& [id, e] : state.producers()) {
    if (id < 0) continue;
    batch_header h;
    h.producer_id = core::producer_id{id};
    h.producer_epoch = core::producer_epoch{e.epoch};
    h.base_sequence = e.batches.empty() ? 0 : next_sequence(e.batches.back().last_sequence);
    h.last_offset_delta = 2;
    h.record_count = 3;
    h.base_offset = core::offset{0};
    h.max_timestamp = e.last_timestamp;
    next.push_back(h);
  }
  for (const auto& h : next) {
    auto checked = state.check(h);
    if (checked && !checked.value()) state.on_append(h);
  }
  (void)state.expire(0, 1'700'000'000'000, 1000);
}

}  // namespace
}  // namespace sluice::broker::storage

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::quiet();
  sluice::fuzz::fuzz_input in(sluice::fuzz::as_bytes(data, size));
  const bool fix_crc = in.flag();
  const auto rest = in.rest();
  sluice::core::bytes snapshot(rest.begin(), rest.end());
  if (fix_crc && snapshot.size() >= 6) {
    sluice::core::store_be<uint32_t>(snapshot.data() + 2, sluice::core::crc32c(sluice::core::bytes_view(snapshot).subspan(6)));
  }
  sluice::broker::storage::check(snapshot);
  return 0;
}
