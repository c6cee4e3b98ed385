// Produce, Fetch and ListOffsets at the versions the clients of this repository do not send
// (librdkafka 2.0.2 and kafkajs stop at Produce v7, Fetch v11, ListOffsets v2–v5): flexible
// encodings, topic ids, leader epochs, the special ListOffsets timestamps and the compression
// gates — each against a real in-process broker, over raw requests.

#include "broker_fixture.h"

#include "core/protocol/end_txn.h"
#include "core/protocol/fetch.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/list_offsets.h"
#include "core/protocol/metadata.h"
#include "core/protocol/offset_for_leader_epoch.h"
#include "core/protocol/produce.h"
#include "core/protocol/records.h"
#include "core/time.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;
using protocol::api_key;
using protocol::error_code;

class wire_versions : public broker_test {
 protected:
  template <class Response, class Request>
  std::optional<Response> call(api_key key, int16_t version, const Request& body) {
    return raw().call<Response>(key, version, body);
  }

  protocol::uuid topic_id_of(const std::string& t) {
    protocol::metadata_request md;
    md.topics.emplace().push_back({t, {}});
    auto r = call<protocol::metadata_response>(api_key::metadata, 12, md);
    EXPECT_TRUE(r && r->topics.size() == 1);
    return r && r->topics.size() == 1 ? r->topics[0].topic_id : protocol::uuid{};
  }

  /// A batch of one record per value (keyed "k<i>" unless `unkeyed` holds i), timestamps
  /// `ts`, `ts`+1, ... unless `times` gives them.
  static core::bytes batch_of(const std::vector<std::string>& values, int64_t ts,
                              const protocol::record_batch_options& o = {},
                              std::vector<int64_t> times = {}, std::set<size_t> unkeyed = {}) {
    std::vector<core::raw_record> rs;
    for (size_t i = 0; i < values.size(); ++i) {
      core::raw_record r;
      if (!unkeyed.contains(i)) r.key = core::to_bytes("k" + std::to_string(i));
      r.value = core::to_bytes(values[i]);
      r.ts = core::from_epoch_ms(times.empty() ? ts + static_cast<int64_t>(i) : times[i]);
      rs.push_back(std::move(r));
    }
    auto b = protocol::encode_record_batch(rs, o);
    EXPECT_TRUE(b);
    return std::move(b).value();
  }

  protocol::produce_response::partition_produce_response produce(int16_t version,
                                                                  const protocol::produce_request& req) {
    auto r = call<protocol::produce_response>(api_key::produce, version, req);
    EXPECT_TRUE(r && r->responses.size() == 1 && r->responses[0].partition_responses.size() == 1);
    if (!r || r->responses.empty() || r->responses[0].partition_responses.empty()) return {};
    return r->responses[0].partition_responses[0];
  }

  protocol::fetch_response::partition_data fetch(int16_t version, const std::string& t,
                                                 protocol::uuid id,
                                                 protocol::fetch_request::fetch_partition p) {
    protocol::fetch_request req;
    req.max_wait_ms = 0;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    if (p.partition_max_bytes == 0) p.partition_max_bytes = 1 << 20;
    req.topics.push_back({version >= 13 ? std::string() : t, id, {p}});
    auto r = call<protocol::fetch_response>(api_key::fetch, version, req);
    EXPECT_TRUE(r && r->responses.size() == 1 && r->responses[0].partitions.size() == 1);
    if (!r || r->responses.empty() || r->responses[0].partitions.empty()) return {};
    if (version >= 13) {
      EXPECT_EQ(r->responses[0].topic_id, id);
    }
    return r->responses[0].partitions[0];
  }

  protocol::list_offsets_response::list_offsets_partition_response list_offsets(
      int16_t version, const std::string& t, int64_t timestamp, int32_t current_leader_epoch = -1) {
    protocol::list_offsets_request req;
    req.topics.push_back({t, {{core::partition_id{0}, current_leader_epoch, timestamp, 10}}});
    auto r = call<protocol::list_offsets_response>(api_key::list_offsets, version, req);
    EXPECT_TRUE(r && r->topics.size() == 1 && r->topics[0].partitions.size() == 1);
    if (!r || r->topics.empty() || r->topics[0].partitions.empty()) return {};
    return r->topics[0].partitions[0];
  }

};

int64_t now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

TEST_F(wire_versions, produce_and_fetch_name_topics_by_id_from_v13) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const auto id = topic_id_of(t);
  ASSERT_NE(id, protocol::uuid{});
  const auto batch = batch_of({"a", "b", "c"}, now_ms());

  auto req = produce_of(t, 0, batch);
  req.topic_data[0].name.clear();
  req.topic_data[0].topic_id = id;
  auto produced = produce(13, req);
  EXPECT_EQ(produced.error_code, error_code::none);
  EXPECT_EQ(produced.base_offset, core::offset{0});
  // Flexible versions by name still work.
  EXPECT_EQ(produce(9, produce_of(t, 0, batch)).base_offset, core::offset{3});

  protocol::fetch_request::fetch_partition from0;
  auto fetched = fetch(13, t, id, from0);
  EXPECT_EQ(fetched.error_code, error_code::none);
  EXPECT_EQ(fetched.high_watermark, core::offset{6});
  auto records = protocol::decode_record_batch(fetched.records);
  ASSERT_TRUE(records);
  ASSERT_EQ(records.value().size(), 3u);
  EXPECT_EQ(records.value()[2].record.value, core::to_bytes("c"));
  for (int16_t v : {12, 17, 18}) {
    SCOPED_TRACE(v);
    EXPECT_EQ(fetch(v, t, id, from0).high_watermark, core::offset{6});
  }

  // An id that names no topic: UNKNOWN_TOPIC_ID for Produce and Fetch alike.
  protocol::uuid unknown = id;
  unknown.value[0] ^= 0xff;
  req.topic_data[0].topic_id = unknown;
  EXPECT_EQ(produce(13, req).error_code, error_code::unknown_topic_id);
  EXPECT_EQ(fetch(13, t, unknown, from0).error_code, error_code::unknown_topic_id);
}

TEST_F(wire_versions, fetch_checks_leader_epochs_and_reports_a_diverging_epoch) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const auto id = topic_id_of(t);
  ASSERT_EQ(produce(7, produce_of(t, 0, batch_of({"a", "b"}, now_ms()))).error_code, error_code::none);

  // Every batch is stamped with the partition's one leader epoch, 0.
  protocol::fetch_request::fetch_partition p;
  auto fetched = fetch(12, t, id, p);
  auto header = protocol::decode_batch_header(fetched.records);
  ASSERT_TRUE(header);
  EXPECT_EQ(header.value().partition_leader_epoch, 0);

  p.current_leader_epoch = 1;  // an election this broker has not seen
  EXPECT_EQ(fetch(12, t, id, p).error_code, error_code::unknown_leader_epoch);
  p.current_leader_epoch = 0;
  EXPECT_EQ(fetch(12, t, id, p).error_code, error_code::none);

  // A fetcher whose last batch had epoch 0 asks from past the end: epoch 0 ends at 2.
  p.last_fetched_epoch = 0;
  p.fetch_offset = core::offset{5};
  auto diverged = fetch(12, t, id, p);
  EXPECT_EQ(diverged.error_code, error_code::none);
  ASSERT_TRUE(diverged.diverging_epoch);
  EXPECT_EQ(diverged.diverging_epoch->epoch, 0);
  EXPECT_EQ(diverged.diverging_epoch->end_offset, core::offset{2});
  EXPECT_TRUE(diverged.records.empty());
  // Within the epoch: records, no divergence.
  p.fetch_offset = core::offset{1};
  auto within = fetch(13, t, id, p);
  EXPECT_FALSE(within.diverging_epoch);
  EXPECT_FALSE(within.records.empty());
  // An epoch this log never had: its end is unknown.
  p.last_fetched_epoch = 3;
  EXPECT_EQ(fetch(13, t, id, p).error_code, error_code::offset_out_of_range);
}

TEST_F(wire_versions, produce_v8_names_the_records_a_batch_was_refused_for) {
  auto t = topic("compacted");
  ASSERT_EQ(create_topic(t, 1, {{"cleanup.policy", "compact"}}), RdKafka::ERR_NO_ERROR);
  const auto batch = batch_of({"a", "b", "c"}, now_ms(), {}, {}, {1});
  for (int16_t v : {8, 11}) {
    SCOPED_TRACE(v);
    auto refused = produce(v, produce_of(t, 0, batch));
    EXPECT_EQ(refused.error_code, error_code::invalid_record);
    ASSERT_EQ(refused.record_errors.size(), 1u);
    EXPECT_EQ(refused.record_errors[0].batch_index, 1);
    ASSERT_TRUE(refused.record_errors[0].batch_index_error_message);
    EXPECT_NE(refused.record_errors[0].batch_index_error_message->find("key"), std::string::npos);
    EXPECT_TRUE(refused.error_message);
  }

  // Timestamps out of bounds: each such record is named.
  auto strict = topic("strict");
  ASSERT_EQ(create_topic(strict, 1, {{"message.timestamp.after.max.ms", "60000"}}), RdKafka::ERR_NO_ERROR);
  const int64_t now = now_ms();
  auto late = produce(8, produce_of(strict, 0, batch_of({"a", "b", "c"}, 0, {}, {now, now + 3600000, now + 7200000})));
  EXPECT_EQ(late.error_code, error_code::invalid_timestamp);
  ASSERT_EQ(late.record_errors.size(), 2u);
  EXPECT_EQ(late.record_errors[0].batch_index, 1);
  EXPECT_EQ(late.record_errors[1].batch_index, 2);
}

TEST_F(wire_versions, zstd_needs_produce_v7_and_fetch_v10) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  protocol::record_batch_options zstd;
  zstd.codec = protocol::compression_codec::zstd;
  const auto batch = batch_of({"a", "b"}, now_ms(), zstd);
  EXPECT_EQ(produce(6, produce_of(t, 0, batch)).error_code, error_code::unsupported_compression_type);
  EXPECT_EQ(produce(7, produce_of(t, 0, batch)).error_code, error_code::none);

  // A topic that stores zstd is served to Fetch v10+ only (Kafka checks compression.type).
  auto z = topic("zstd");
  ASSERT_EQ(create_topic(z, 1, {{"compression.type", "zstd"}}), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(produce(7, produce_of(z, 0, batch_of({"x"}, now_ms()))).error_code, error_code::none);
  protocol::fetch_request::fetch_partition p;
  EXPECT_EQ(fetch(9, z, {}, p).error_code, error_code::unsupported_compression_type);
  auto served = fetch(10, z, {}, p);
  EXPECT_EQ(served.error_code, error_code::none);
  auto header = protocol::decode_batch_header(served.records);
  ASSERT_TRUE(header);
  EXPECT_EQ(header.value().codec(), protocol::compression_codec::zstd);
  // The topic without the config serves its zstd batches to any version, as Kafka does.
  EXPECT_EQ(fetch(9, t, {}, p).error_code, error_code::none);
}

TEST_F(wire_versions, list_offsets_answers_every_version_and_special_timestamp) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const int64_t base = now_ms() - 10000;
  // Offsets 0..2 with timestamps base+5, base+9, base+2: the largest is at offset 1.
  ASSERT_EQ(produce(7, produce_of(t, 0, batch_of({"a", "b", "c"}, 0, {}, {base + 5, base + 9, base + 2})))
                .error_code,
            error_code::none);

  // v0: the legacy form. Latest: the log end, then each segment's start (newest first).
  auto v0 = list_offsets(0, t, protocol::list_offsets_latest);
  EXPECT_EQ(v0.error_code, error_code::none);
  EXPECT_EQ(v0.old_style_offsets, (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(list_offsets(0, t, protocol::list_offsets_earliest).old_style_offsets, std::vector<int64_t>{0});
  EXPECT_EQ(list_offsets(0, t, protocol::list_offsets_max_timestamp).error_code, error_code::unsupported_version);

  for (int16_t v : {1, 5, 6, 11}) {
    SCOPED_TRACE(v);
    auto latest = list_offsets(v, t, protocol::list_offsets_latest);
    EXPECT_EQ(latest.offset, core::offset{3});
    auto by_time = list_offsets(v, t, base + 6);
    EXPECT_EQ(by_time.offset, core::offset{1});
    EXPECT_EQ(by_time.timestamp, base + 9);
    if (v >= 4) {
      EXPECT_EQ(by_time.leader_epoch, 0);
    }
  }
  // -3, the largest timestamp, from v7; before, UNSUPPORTED_VERSION.
  EXPECT_EQ(list_offsets(6, t, protocol::list_offsets_max_timestamp).error_code, error_code::unsupported_version);
  auto max = list_offsets(7, t, protocol::list_offsets_max_timestamp);
  EXPECT_EQ(max.error_code, error_code::none);
  EXPECT_EQ(max.offset, core::offset{1});
  EXPECT_EQ(max.timestamp, base + 9);
  // -4, the local log start: the whole log is local.
  auto local = list_offsets(8, t, protocol::list_offsets_earliest_local);
  EXPECT_EQ(local.offset, core::offset{0});
  EXPECT_EQ(local.leader_epoch, 0);
  // -5 and -6 without tiered storage: nothing uploaded, nothing pending.
  for (auto [v, ts] : {std::pair<int16_t, int64_t>{9, protocol::list_offsets_latest_tiered},
                       {11, protocol::list_offsets_earliest_pending_upload}}) {
    auto none = list_offsets(v, t, ts);
    EXPECT_EQ(none.error_code, error_code::none);
    EXPECT_EQ(none.offset, core::offset{-1});
    EXPECT_EQ(none.timestamp, -1);
    EXPECT_EQ(none.leader_epoch, -1);
  }
  EXPECT_EQ(list_offsets(10, t, protocol::list_offsets_earliest_pending_upload).error_code,
            error_code::unsupported_version);
  EXPECT_EQ(list_offsets(11, t, -7).error_code, error_code::unsupported_version);
  // Leader-epoch fencing from v4.
  EXPECT_EQ(list_offsets(4, t, protocol::list_offsets_latest, 2).error_code, error_code::unknown_leader_epoch);

  // A partition named twice: both copies are refused.
  protocol::list_offsets_request twice;
  twice.topics.push_back({t, {{core::partition_id{0}, -1, -1, 1}, {core::partition_id{0}, -1, -2, 1}}});
  auto r = call<protocol::list_offsets_response>(api_key::list_offsets, 5, twice);
  ASSERT_TRUE(r);
  for (const auto& p : r->topics.at(0).partitions) EXPECT_EQ(p.error_code, error_code::invalid_request);
}

TEST_F(wire_versions, offset_for_leader_epoch_answers_from_the_one_epoch) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto ask = [&](int16_t version, int32_t partition, int32_t epoch, int32_t current = -1) {
    protocol::offset_for_leader_epoch_request req;
    req.replica_id = core::node_id{-1};
    req.topics.push_back({t, {{core::partition_id{partition}, current, epoch}}});
    auto r = call<protocol::offset_for_leader_epoch_response>(api_key::offset_for_leader_epoch, version, req);
    EXPECT_TRUE(r && r->topics.size() == 1 && r->topics[0].partitions.size() == 1);
    return r ? r->topics.at(0).partitions.at(0) : protocol::offset_for_leader_epoch_response::epoch_end_offset{};
  };
  // Nothing appended yet: the epoch cache is empty.
  EXPECT_EQ(ask(4, 0, 0).end_offset, core::offset{-1});
  ASSERT_EQ(produce(7, produce_of(t, 0, batch_of({"a", "b"}, now_ms()))).error_code, error_code::none);
  for (int16_t v = 0; v <= 4; ++v) {
    SCOPED_TRACE(v);
    auto now = ask(v, 0, 0);
    EXPECT_EQ(now.error_code, error_code::none);
    EXPECT_EQ(now.end_offset, core::offset{2});  // epoch 0 is the current one: it ends at the log end
    if (v >= 1) {
      EXPECT_EQ(now.leader_epoch, 0);
    }
  }
  auto later = ask(4, 0, 1);  // an epoch after ours: unknown, without an error
  EXPECT_EQ(later.error_code, error_code::none);
  EXPECT_EQ(later.leader_epoch, -1);
  EXPECT_EQ(later.end_offset, core::offset{-1});
  EXPECT_EQ(ask(4, 0, 0, 3).error_code, error_code::unknown_leader_epoch);
  EXPECT_EQ(ask(4, 7, 0).error_code, error_code::unknown_topic_or_partition);
}

TEST_F(wire_versions, a_transactional_produce_v12_adds_its_partition_to_the_transaction) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  protocol::init_producer_id_request init;
  init.transactional_id = "tv2-" + t;
  init.transaction_timeout_ms = 60000;
  auto ids = call<protocol::init_producer_id_response>(api_key::init_producer_id, 4, init);
  ASSERT_TRUE(ids);
  ASSERT_EQ(ids->error_code, error_code::none);

  protocol::record_batch_options o;
  o.transactional = true;
  o.producer_id = ids->producer_id;
  o.producer_epoch = ids->producer_epoch;
  o.base_sequence = 0;
  // No AddPartitionsToTxn: from v12 the produce itself adds the partition.
  auto produced = produce(12, produce_of(t, 0, batch_of({"a", "b"}, now_ms(), o), -1, init.transactional_id));
  ASSERT_EQ(produced.error_code, error_code::none);
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 0);

  protocol::end_txn_request commit;
  commit.transactional_id = *init.transactional_id;
  commit.producer_id = ids->producer_id;
  commit.producer_epoch = ids->producer_epoch;
  commit.committed = true;
  auto ended = call<protocol::end_txn_response>(api_key::end_txn, 3, commit);
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->error_code, error_code::none);
  // The commit marker went to the partition: the records are stable, past the marker.
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 3);

  // After a new InitProducerId, the old epoch is fenced: refused before anything is appended.
  auto again = call<protocol::init_producer_id_response>(api_key::init_producer_id, 4, init);
  ASSERT_TRUE(again);
  ASSERT_GT(again->producer_epoch.value(), ids->producer_epoch.value());
  o.base_sequence = 2;
  auto fenced = produce(12, produce_of(t, 0, batch_of({"c"}, now_ms(), o), -1, init.transactional_id));
  EXPECT_NE(fenced.error_code, error_code::none);
  EXPECT_EQ(end_offset(bootstrap(), t, "read_uncommitted"), 3);
}

}  // namespace
}  // namespace sluice::testing
