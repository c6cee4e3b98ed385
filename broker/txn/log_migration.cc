#include "broker/txn/log_migration.h"

#include "broker/txn/errc.h"
#include "broker/txn/legacy_log_format.h"
#include "broker/txn/log_format.h"
#include "core/log.h"
#include "core/time.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <map>

namespace sluice::broker::txn {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.txn");
  return instance;
}

txn_metadata from_legacy(const legacy::txn_metadata& old) {
  txn_metadata m;
  m.producer_id = old.producer_id;
  m.producer_epoch = old.producer_epoch;
  m.timeout_ms = old.timeout_ms;
  m.state = static_cast<txn_state>(old.state);  // the same ids, 0..5
  m.start_ms = old.start_ms;
  m.update_ms = old.update_ms;
  if (m.state != txn_state::empty) m.partitions = old.partitions;
  return m;
}

result<bool> holds_legacy(const storage::partition_log& plog) {
  // The key is the same in both formats; the value tells them apart. A partition holding only
  // tombstones reads the same either way and needs no conversion.
  bool any = false;
  bool all = true;
  auto visit = [&](const protocol::record_batch_header& h, const protocol::decoded_record& rec,
                   int64_t) -> result<void> {
    if (h.is_control() || !rec.record.value) return core::success();
    any = true;
    if (rec.record.key && legacy::decode_txn_key(*rec.record.key) &&
        legacy::decode_txn_value(*rec.record.value)) {
      return core::success();
    }
    all = false;
    return std::errc::interrupted;  // one is enough to decide
  };
  auto walked = for_each_record(plog, plog.log_end_offset().value(), visit);
  if (!walked && walked.error() != std::errc::interrupted) return walked.error();
  return any && all;
}

result<std::vector<core::bytes>> convert(const storage::partition_log& plog, int64_t end) {
  std::map<std::string, txn_metadata> latest;  // the newest record per id; tombstones forget
  auto visit = [&](const protocol::record_batch_header& h, const protocol::decoded_record& rec,
                   int64_t at) -> result<void> {
    if (h.is_control()) return core::success();
    auto fail = [&](const char* what) {
      log().error("{} offset {}: {} (migrating the old record format)", fmt::streamed(plog.tp()),
                  at, what);
      return errc::corrupt_log;
    };
    if (!rec.record.key) return fail("record without a key");
    auto id = legacy::decode_txn_key(*rec.record.key);
    if (!id) return fail("unreadable key");
    if (!rec.record.value) {
      latest.erase(id.value());
      return core::success();
    }
    auto m = legacy::decode_txn_value(*rec.record.value);
    if (!m) return fail("unreadable value");
    latest[id.value()] = from_legacy(m.value());
    return core::success();
  };
  SLUICE_TRY(for_each_record(plog, end, visit));
  const auto now = core::wall_clock_now();
  std::vector<core::raw_record> records;
  for (const auto& [id, m] : latest) {
    core::raw_record r;
    r.key = encode_txn_key(id);
    r.value = encode_txn_value(m);
    r.ts = now;
    records.push_back(std::move(r));
  }
  const size_t max_batch =
      static_cast<size_t>(std::max<int32_t>(plog.config().max_message_bytes / 2, 1024));
  return encode_in_batches(std::move(records), {}, max_batch);
}

}  // namespace

legacy_format transaction_state_legacy_format() {
  legacy_format f;
  f.holds_legacy = holds_legacy;
  f.convert = convert;
  f.corrupt = errc::corrupt_log;
  return f;
}

}  // namespace sluice::broker::txn
