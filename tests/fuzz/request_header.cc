// Fuzz target: the first bytes of every request frame, as the dispatcher reads them.
//
// Input: one request frame after its int32 size (seeds: every golden request of
// tests/core/protocol with its header). Checked: `peek_request_prefix` sees exactly the first
// 8 bytes; `request_header::decode` either fails cleanly or agrees with the prefix, and what it
// decodes re-encodes to a header that decodes to the same value, never longer than what was
// read (tag sections are dropped, varints shortened); the client-side response header decoder
// round-trips the same way.

#include "core/protocol/api_key.h"
#include "core/protocol/errc.h"
#include "core/protocol/request_header.h"
#include "core/assert.h"
#include "core/big_endian.h"
#include "tests/fuzz/fuzz_input.h"

namespace sluice::protocol {
namespace {

void check_prefix(bytes_view frame) {
  const auto prefix = peek_request_prefix(frame);
  SLUICE_ASSERT(prefix.has_value() == (frame.size() >= 8), "peek_request_prefix: wrong length check");
  if (!prefix) return;
  SLUICE_ASSERT(prefix->api_key == core::load_be<int16_t>(frame.data()) &&
                    prefix->api_version == core::load_be<int16_t>(frame.data() + 2) &&
                    prefix->correlation_id == core::load_be<int32_t>(frame.data() + 4),
                "peek_request_prefix: fields differ from the frame's first 8 bytes");
}

void check_request_header(bytes_view frame) {
  reader r(frame);
  auto h = request_header::decode(r);
  if (!h) {
    const auto e = h.error();
    SLUICE_ASSERT(e == errc::malformed || e == errc::unknown_api_key, "request_header: unexpected error");
    SLUICE_ASSERT(e != errc::unknown_api_key || !to_api_key(core::load_be<int16_t>(frame.data())),
                  "request_header: a known API key refused");
    return;
  }
  const auto prefix = peek_request_prefix(frame);
  SLUICE_ASSERT(prefix && static_cast<int16_t>(h.value().key) == prefix->api_key &&
                    h.value().api_version == prefix->api_version &&
                    h.value().correlation_id == prefix->correlation_id,
                "request_header: decoded fields differ from the prefix");
  SLUICE_ASSERT(r.position() <= frame.size(), "request_header: read past the frame");

  core::bytes again;
  writer w(again);
  h.value().encode(w);
  SLUICE_ASSERT(again.size() <= r.position(), "request_header: re-encoding is longer than the input");
  reader r2(again);
  auto h2 = request_header::decode(r2);
  SLUICE_ASSERT(h2 && h2.value() == h.value() && r2.remaining() == 0,
                "request_header: re-encoded header decodes differently");
}

void check_response_header(bytes_view frame) {
  const auto prefix = peek_request_prefix(frame);
  if (!prefix) return;
  const auto key = to_api_key(prefix->api_key);
  if (!key) return;
  // The client side reads a response header in the version the request implies.
  reader r(frame.subspan(8));
  auto correlation = decode_response_header(r, *key, prefix->api_version);
  if (!correlation) return;
  core::bytes again;
  writer w(again);
  encode_response_header(w, *key, prefix->api_version, correlation.value());
  SLUICE_ASSERT(again.size() <= r.position(), "response header: re-encoding is longer than the input");
  reader r2(again);
  auto c2 = decode_response_header(r2, *key, prefix->api_version);
  SLUICE_ASSERT(c2 && c2.value() == correlation.value() && r2.remaining() == 0,
                "response header: re-encoded header decodes differently");
}

}  // namespace
}  // namespace sluice::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  sluice::fuzz::quiet();
  const sluice::bytes_view frame = sluice::fuzz::as_bytes(data, size);
  check_prefix(frame);
  check_request_header(frame);
  check_response_header(frame);
  return 0;
}
