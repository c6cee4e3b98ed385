// Fuzz target: every request decoder of core/protocol, at every version of its window, as
// the dispatcher drives it.
//
// Input: one request frame after its int32 size — request header, then body (seeds: every
// golden request of tests/core/protocol, and each API's default request at every version).
// The header names the API and version; the target decodes the body with that API's codec
// (tests/fuzz/request_types.h lists them). Checked:
// - a version outside the codec's window fails with `unsupported_version`, whatever the body;
// - inside it, decoding fails with `malformed` or succeeds; what decodes re-encodes to bytes
//   that decode to an equal request with nothing left over, no longer than what was read, and
//   re-encode to the same bytes again;
// - an unsupported ApiVersions version gets the v0 fallback answer, which encodes.

#include "core/protocol/add_offsets_to_txn.h"
#include "core/protocol/add_partitions_to_txn.h"
#include "core/protocol/alter_configs.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/create_partitions.h"
#include "core/protocol/create_topics.h"
#include "core/protocol/delete_groups.h"
#include "core/protocol/delete_records.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/describe_cluster.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/describe_groups.h"
#include "core/protocol/describe_log_dirs.h"
#include "core/protocol/describe_producers.h"
#include "core/protocol/describe_topic_partitions.h"
#include "core/protocol/describe_transactions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/errc.h"
#include "core/protocol/fetch.h"
#include "core/protocol/find_coordinator.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/incremental_alter_configs.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/join_group.h"
#include "core/protocol/leave_group.h"
#include "core/protocol/list_groups.h"
#include "core/protocol/list_offsets.h"
#include "core/protocol/list_transactions.h"
#include "core/protocol/metadata.h"
#include "core/protocol/offset_commit.h"
#include "core/protocol/offset_delete.h"
#include "core/protocol/offset_fetch.h"
#include "core/protocol/offset_for_leader_epoch.h"
#include "core/protocol/produce.h"
#include "core/protocol/request_header.h"
#include "core/protocol/supported_apis.h"
#include "core/protocol/sync_group.h"
#include "core/protocol/txn_offset_commit.h"
#include "core/assert.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/request_types.h"

namespace sluice::protocol {
namespace {

template <class Request>
core::bytes encode(const Request& m, int16_t version) {
  core::bytes out;
  writer w(out);
  m.encode(w, version);
  return out;
}

template <class Request>
void check_body(bytes_view body, int16_t version, version_range window) {
  reader r(body);
  auto m = Request::decode(r, version);
  if (!window.contains(version)) {
    SLUICE_ASSERT(!m && m.error() == errc::unsupported_version,
                  "a version outside the window did not fail with unsupported_version");
    return;
  }
  if (!m) {
    SLUICE_ASSERT(m.error() == errc::malformed, "a request failed with an error other than malformed");
    return;
  }
  const core::bytes again = encode(m.value(), version);
  SLUICE_ASSERT(again.size() <= r.position(), "the re-encoded request is longer than the bytes read");
  reader r2(again);
  auto m2 = Request::decode(r2, version);
  SLUICE_ASSERT(m2.has_value(), "the re-encoded request does not decode");
  SLUICE_ASSERT(m2.value() == m.value(), "the re-encoded request decodes to another request");
  SLUICE_ASSERT(r2.remaining() == 0, "the re-encoded request decodes with bytes left over");
  SLUICE_ASSERT(core::equal(encode(m2.value(), version), again), "encoding is not stable");
}

/// Every API of supported_apis() has a codec in request_types, checked once.
void check_request_types() {
  static const bool checked = [] {
    int found = 0;
    for (const auto& api : supported_apis()) {
      fuzz::request_types::for_each([&]<class Entry>() { found += Entry::key == api.key ? 1 : 0; });
    }
    SLUICE_ASSERT(found == static_cast<int>(supported_apis().size()) &&
                      found == fuzz::request_types::size,
                  "tests/fuzz/request_types.h does not list exactly the supported APIs");
    return true;
  }();
  (void)checked;
}

void check_frame(bytes_view frame) {
  const auto prefix = peek_request_prefix(frame);
  if (!prefix) return;
  const auto key = to_api_key(prefix->api_key);
  if (!key) return;
  const auto window = supported_versions(*key);
  SLUICE_ASSERT(window.has_value(), "an API key without a codec");
  const int16_t version = prefix->api_version;
  if (*key == api_key::api_versions && !window->contains(version)) {
    // The dispatcher's answer, without parsing the body.
    core::bytes out;
    writer w(out);
    api_versions_response::unsupported_version_fallback(
        {{static_cast<int16_t>(api_key::api_versions), 0, window->max}})
        .encode(w, 0);
  }
  reader r(frame);
  auto header = request_header::decode(r);
  if (!header) return;
  const bytes_view body = frame.subspan(r.position());
  fuzz::request_types::for_each([&]<class Entry>() {
    if (Entry::key == *key) check_body<typename Entry::type>(body, version, *window);
  });
}

}  // namespace
}  // namespace sluice::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  sluice::fuzz::quiet();
  check_request_types();
  check_frame(sluice::fuzz::as_bytes(data, size));
  return 0;
}
