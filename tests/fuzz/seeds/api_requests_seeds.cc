// Seeds for the `api_requests` and `request_header` targets beyond the golden tests' (which
// tests/core/protocol/golden.h writes): every API's default request at every version of its
// window. Also checks that tests/fuzz/request_types.h lists exactly the supported APIs.

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
#include "core/protocol/supported_apis.h"
#include "core/protocol/sync_group.h"
#include "core/protocol/txn_offset_commit.h"
#include "tests/fuzz/request_types.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

namespace sluice::fuzz {
namespace {

using protocol::reader;
using protocol::supported_apis;
using protocol::writer;

TEST(fuzz_seeds, request_types_list_every_supported_api_once) {
  EXPECT_EQ(request_types::size, static_cast<int>(supported_apis().size()));
  for (const auto& api : supported_apis()) {
    int found = 0;
    request_types::for_each([&]<class Entry>() { found += Entry::key == api.key ? 1 : 0; });
    EXPECT_EQ(found, 1) << protocol::name(api.key);
  }
}

TEST(fuzz_seeds, default_request_at_every_version) {
  int written = 0;
  request_types::for_each([&]<class Entry>() {
    using request = typename Entry::type;
    const auto window = protocol::supported_versions(Entry::key);
    ASSERT_TRUE(window.has_value());
    for (int16_t v = window->min; v <= window->max; ++v) {
      core::bytes body;
      writer w(body);
      request{}.encode(w, v);
      reader r(body);
      auto decoded = request::decode(r, v);
      ASSERT_TRUE(decoded) << protocol::name(Entry::key) << " v" << v;
      // Fields a version lacks keep their defaults, which need not be request{}'s: compare the
      // encodings.
      core::bytes again;
      writer w2(again);
      decoded.value().encode(w2, v);
      EXPECT_TRUE(core::equal(again, body)) << protocol::name(Entry::key) << " v" << v;
      write_request_seed(Entry::key, v, body);
      ++written;
    }
  });
  EXPECT_GT(written, request_types::size);
}

}  // namespace
}  // namespace sluice::fuzz
