// Fuzz target: what the members of a consumer group send each other through the coordinator —
// ConsumerProtocolSubscription and ConsumerProtocolAssignment (core/protocol/consumer_protocol.h,
// v0–v3, as any Kafka client writes them) and the streams runtime's user data inside them
// (runtime/detail/streams_protocol.h). A leader decodes every member's subscription, every
// member its assignment: another process's bytes.
//
// Input: one selector byte (n % 4: subscription, assignment, subscription_info,
// assignment_info), then the payload (seeds: encoded payloads of every kind —
// tests/fuzz/seeds/).
//
// Checked: each decoder fails cleanly or yields a value whose encoding decodes again, to a
// value that encodes to the same bytes (a consumer-protocol value also decodes to itself).

#include "core/assert.h"
#include "core/protocol/consumer_protocol.h"
#include "runtime/detail/streams_protocol.h"
#include "tests/fuzz/fuzz_input.h"

namespace sluice::fuzz {
namespace {

/// `encode(decode(encode(v)))` == `encode(v)`; with `exact`, also decode(encode(v)) == v.
template <class T, class Encode, class Decode>
void check_stable(const T& v, Encode encode, Decode decode, bool exact) {
  const core::bytes once = encode(v);
  auto again = decode(core::bytes_view(once));
  SLUICE_ASSERT(again.has_value(), "an encoded payload does not decode");
  if (exact) SLUICE_ASSERT(again.value() == v, "an encoded payload decodes to another value");
  SLUICE_ASSERT(core::equal(encode(again.value()), once), "payload encoding is not stable");
}

void check(uint8_t selector, core::bytes_view data) {
  using protocol::consumer_protocol_assignment;
  using protocol::consumer_protocol_subscription;
  switch (selector % 4) {
    case 0:
      if (auto s = consumer_protocol_subscription::decode(data)) {
        check_stable(s.value(), [](const auto& x) { return x.to_bytes(3); },
                     [](core::bytes_view b) { return consumer_protocol_subscription::decode(b); }, true);
      }
      break;
    case 1:
      if (auto a = consumer_protocol_assignment::decode(data)) {
        check_stable(a.value(), [](const auto& x) { return x.to_bytes(3); },
                     [](core::bytes_view b) { return consumer_protocol_assignment::decode(b); }, true);
      }
      break;
    case 2:
      if (auto s = runtime::detail::decode_subscription_info(data)) {
        check_stable(s.value(), [](const auto& x) { return runtime::detail::encode(x); },
                     runtime::detail::decode_subscription_info, false);
      }
      break;
    default:
      if (auto a = runtime::detail::decode_assignment_info(data)) {
        check_stable(a.value(), [](const auto& x) { return runtime::detail::encode(x); },
                     runtime::detail::decode_assignment_info, false);
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
