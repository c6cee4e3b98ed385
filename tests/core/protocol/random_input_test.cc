// Property tests over every implemented (API, version): decoding arbitrary bytes never
// crashes, and whatever decodes re-encodes to something that decodes to the same message.

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
#include "core/protocol/request_header.h"
#include "core/protocol/supported_apis.h"
#include "core/protocol/sync_group.h"
#include "core/protocol/txn_offset_commit.h"
#include "golden.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice::protocol {
namespace {

/// Bytes biased towards what makes decoders take their branches: small lengths and counts,
/// -1 (null), 0 and random values.
core::bytes random_message(std::mt19937& gen) {
  core::bytes b(gen() % 48);
  for (auto& x : b) {
    switch (gen() % 6) {
      case 0:
      case 1: x = std::byte{0}; break;
      case 2: x = std::byte{0xff}; break;
      case 3: x = static_cast<std::byte>(gen() % 4); break;
      default: x = static_cast<std::byte>(gen() & 0xff); break;
    }
  }
  return b;
}

/// A valid encoding (of the default message) with a few bytes overwritten and random bytes
/// appended: mostly well-formed, so decoders get deep into their structures.
core::bytes mutated(const core::bytes& valid, std::mt19937& gen) {
  core::bytes b = valid;
  const core::bytes extra = random_message(gen);
  b.insert(b.end(), extra.begin(), extra.end());
  const size_t flips = 1 + gen() % 3;
  for (size_t i = 0; i < flips && !b.empty(); ++i) {
    b[gen() % b.size()] = static_cast<std::byte>(gen() % 3 == 0 ? 0xff : gen() % 4);
  }
  if (gen() % 4 == 0 && !b.empty()) b.resize(gen() % b.size());
  return b;
}

template <class M>
void check_random_inputs(int16_t version, uint32_t seed, int& decoded) {
  std::mt19937 gen(seed);
  const core::bytes valid = test::encode(M{}, version);
  for (int i = 0; i < 3000; ++i) {
    const core::bytes input = (i % 2 == 0) ? random_message(gen) : mutated(valid, gen);
    reader r(input);
    auto m = M::decode(r, version);
    if (!m) continue;
    ++decoded;
    const core::bytes again = test::encode(m.value(), version);
    reader r2(again);
    auto m2 = M::decode(r2, version);
    ASSERT_TRUE(m2) << "re-encoded message does not decode: " << test::dump(again);
    EXPECT_TRUE(m2.value() == m.value()) << test::dump(input);
    EXPECT_EQ(r2.remaining(), 0u);
  }
}

template <class Request, class Response>
void check_api(version_range versions) {
  for (int16_t v = versions.min; v <= versions.max; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    int decoded = 0;
    check_random_inputs<Request>(v, 1000u + static_cast<uint32_t>(v), decoded);
    check_random_inputs<Response>(v, 2000u + static_cast<uint32_t>(v), decoded);
    // Small random inputs must decode some of the time, or this test checks nothing.
    EXPECT_GT(decoded, 0);
  }
}

TEST(random_input, every_api_and_version) {
  for (const auto& api : supported_apis()) {
    SCOPED_TRACE(std::string(name(api.key)));
    switch (api.key) {
      case api_key::produce: check_api<produce_request, produce_response>(api.versions); break;
      case api_key::fetch: check_api<fetch_request, fetch_response>(api.versions); break;
      case api_key::list_offsets:
        check_api<list_offsets_request, list_offsets_response>(api.versions);
        break;
      case api_key::metadata: check_api<metadata_request, metadata_response>(api.versions); break;
      case api_key::offset_commit:
        check_api<offset_commit_request, offset_commit_response>(api.versions);
        break;
      case api_key::offset_fetch:
        check_api<offset_fetch_request, offset_fetch_response>(api.versions);
        break;
      case api_key::find_coordinator:
        check_api<find_coordinator_request, find_coordinator_response>(api.versions);
        break;
      case api_key::join_group:
        check_api<join_group_request, join_group_response>(api.versions);
        break;
      case api_key::heartbeat: check_api<heartbeat_request, heartbeat_response>(api.versions); break;
      case api_key::leave_group:
        check_api<leave_group_request, leave_group_response>(api.versions);
        break;
      case api_key::sync_group:
        check_api<sync_group_request, sync_group_response>(api.versions);
        break;
      case api_key::describe_groups:
        check_api<describe_groups_request, describe_groups_response>(api.versions);
        break;
      case api_key::list_groups:
        check_api<list_groups_request, list_groups_response>(api.versions);
        break;
      case api_key::api_versions:
        check_api<api_versions_request, api_versions_response>(api.versions);
        break;
      case api_key::create_topics:
        check_api<create_topics_request, create_topics_response>(api.versions);
        break;
      case api_key::delete_topics:
        check_api<delete_topics_request, delete_topics_response>(api.versions);
        break;
      case api_key::delete_records:
        check_api<delete_records_request, delete_records_response>(api.versions);
        break;
      case api_key::init_producer_id:
        check_api<init_producer_id_request, init_producer_id_response>(api.versions);
        break;
      case api_key::offset_for_leader_epoch:
        check_api<offset_for_leader_epoch_request, offset_for_leader_epoch_response>(api.versions);
        break;
      case api_key::add_partitions_to_txn:
        check_api<add_partitions_to_txn_request, add_partitions_to_txn_response>(api.versions);
        break;
      case api_key::add_offsets_to_txn:
        check_api<add_offsets_to_txn_request, add_offsets_to_txn_response>(api.versions);
        break;
      case api_key::end_txn: check_api<end_txn_request, end_txn_response>(api.versions); break;
      case api_key::txn_offset_commit:
        check_api<txn_offset_commit_request, txn_offset_commit_response>(api.versions);
        break;
      case api_key::describe_configs:
        check_api<describe_configs_request, describe_configs_response>(api.versions);
        break;
      case api_key::alter_configs:
        check_api<alter_configs_request, alter_configs_response>(api.versions);
        break;
      case api_key::create_partitions:
        check_api<create_partitions_request, create_partitions_response>(api.versions);
        break;
      case api_key::delete_groups:
        check_api<delete_groups_request, delete_groups_response>(api.versions);
        break;
      case api_key::offset_delete:
        check_api<offset_delete_request, offset_delete_response>(api.versions);
        break;
      case api_key::describe_log_dirs:
        check_api<describe_log_dirs_request, describe_log_dirs_response>(api.versions);
        break;
      case api_key::incremental_alter_configs:
        check_api<incremental_alter_configs_request, incremental_alter_configs_response>(api.versions);
        break;
      case api_key::describe_cluster:
        check_api<describe_cluster_request, describe_cluster_response>(api.versions);
        break;
      case api_key::describe_topic_partitions:
        check_api<describe_topic_partitions_request, describe_topic_partitions_response>(api.versions);
        break;
      case api_key::describe_producers:
        check_api<describe_producers_request, describe_producers_response>(api.versions);
        break;
      case api_key::describe_transactions:
        check_api<describe_transactions_request, describe_transactions_response>(api.versions);
        break;
      case api_key::list_transactions:
        check_api<list_transactions_request, list_transactions_response>(api.versions);
        break;
    }
  }
}

TEST(random_input, every_api_key_has_a_codec) {
  // supported_apis() must list every key of the matrix, each exactly once.
  for (int16_t k = -1; k < 100; ++k) {
    const auto key = to_api_key(k);
    if (!key) continue;
    int seen = 0;
    for (const auto& api : supported_apis()) seen += api.key == *key ? 1 : 0;
    EXPECT_EQ(seen, 1) << name(*key);
  }
}

TEST(random_input, request_headers) {
  std::mt19937 gen(7);
  for (int i = 0; i < 20000; ++i) {
    const core::bytes input = random_message(gen);
    reader r(input);
    auto h = request_header::decode(r);
    if (!h) continue;
    core::bytes out;
    writer w(out);
    h.value().encode(w);
    reader r2(out);
    auto h2 = request_header::decode(r2);
    ASSERT_TRUE(h2);
    EXPECT_EQ(h2.value(), h.value());
  }
}

}  // namespace
}  // namespace sluice::protocol
