// Fuzz target: the record decoders of the internal topics the coordinators replay at start-up —
// `__consumer_offsets` keys and values (broker/group/log_format.h) and `__transaction_state`
// keys and values (broker/txn/log_format.h).
//
// Input: one selector byte (n % 5: group key, offset value, group value, transaction key,
// transaction value), then the record's key or value bytes (seeds: encoded records of every
// kind — tests/fuzz/seeds/).
//
// Checked: each decoder fails cleanly or yields a value that encodes to bytes that decode to
// the same value (an offset value's negative expire timestamps all read as -1, none), with an
// encoding that is then stable.

#include "broker/group/errc.h"
#include "broker/group/log_format.h"
#include "broker/txn/errc.h"
#include "broker/txn/log_format.h"
#include "core/assert.h"
#include "tests/fuzz/fuzz_input.h"

#include <variant>

namespace sluice::fuzz {
namespace {

namespace group = broker::group;
namespace txn = broker::txn;

/// decode(encode(v)) == v, and encode is stable.
template <class T, class Encode, class Decode>
void check_round_trip(const T& v, Encode encode, Decode decode) {
  const core::bytes once = encode(v);
  auto again = decode(once);
  SLUICE_ASSERT(again.has_value(), "an encoded record does not decode");
  SLUICE_ASSERT(again.value() == v, "an encoded record decodes to another value");
  SLUICE_ASSERT(core::equal(encode(again.value()), once), "record encoding is not stable");
}

void check_group_key(core::bytes_view data) {
  auto key = group::decode_key(data);
  if (!key) return;
  if (const auto* k = std::get_if<group::offset_key>(&key.value())) {
    check_round_trip(*k, [](const auto& x) { return group::encode_key(x); },
                     [](core::bytes_view b) -> result<group::offset_key> {
                       SLUICE_TRY(auto decoded, group::decode_key(b));
                       if (!std::holds_alternative<group::offset_key>(decoded)) return group::errc::corrupt_log;
                       return std::get<group::offset_key>(std::move(decoded));
                     });
  } else if (const auto* g = std::get_if<group::group_key>(&key.value())) {
    check_round_trip(*g, [](const auto& x) { return group::encode_key(x); },
                     [](core::bytes_view b) -> result<group::group_key> {
                       SLUICE_TRY(auto decoded, group::decode_key(b));
                       if (!std::holds_alternative<group::group_key>(decoded)) return group::errc::corrupt_log;
                       return std::get<group::group_key>(std::move(decoded));
                     });
  }
}

void check(uint8_t selector, core::bytes_view data) {
  switch (selector % 5) {
    case 0: check_group_key(data); break;
    case 1:
      if (auto v = group::decode_offset_value(data)) {
        // Every negative expire timestamp means none (-1): it is written as v3, without one.
        if (v.value().expire_timestamp_ms < 0) v.value().expire_timestamp_ms = -1;
        check_round_trip(v.value(), [](const auto& x) { return group::encode_value(x); }, group::decode_offset_value);
      }
      break;
    case 2:
      if (auto v = group::decode_group_value(data)) {
        check_round_trip(v.value(), [](const auto& x) { return group::encode_value(x); }, group::decode_group_value);
      }
      break;
    case 3:
      if (auto v = txn::decode_txn_key(data)) {
        check_round_trip(v.value(), [](const std::string& x) { return txn::encode_txn_key(x); }, txn::decode_txn_key);
      }
      break;
    default:
      // nullopt: Kafka's Dead state, which the coordinator never writes.
      if (auto v = txn::decode_txn_value(data); v && v.value()) {
        check_round_trip(*v.value(), [](const auto& x) { return txn::encode_txn_value(x); },
                         [](core::bytes_view b) -> result<txn::txn_metadata> {
                           SLUICE_TRY(auto decoded, txn::decode_txn_value(b));
                           if (!decoded) return txn::errc::corrupt_log;
                           return std::move(*decoded);
                         });
      }
      break;
  }
}

}  // namespace
}  // namespace sluice::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::quiet();
  sluice::fuzz::fuzz_input in(sluice::fuzz::as_bytes(data, size));
  const uint8_t selector = in.u8();
  sluice::fuzz::check(selector, in.rest());
  return 0;
}
