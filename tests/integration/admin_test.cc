// Topic administration and offset queries through librdkafka's admin and consumer APIs.

#include "tests/integration/broker_fixture.h"

#include "broker/protocol/metadata.h"

#include <librdkafka/rdkafka.h>

namespace sluice::testing {
namespace {

class admin : public broker_test {
 protected:
  /// Runs one admin call on a fresh handle and returns its result event (caller destroys).
  template <class Call>
  rd_kafka_event_t* admin_call(RdKafka::Producer& p, Call&& call) {
    rd_kafka_queue_t* q = rd_kafka_queue_new(p.c_ptr());
    call(p.c_ptr(), q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    rd_kafka_queue_destroy(q);
    return ev;
  }

  int32_t partition_count(RdKafka::Producer& p, const std::string& t) {
    RdKafka::Metadata* md = nullptr;
    std::string err;
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&p, t, nullptr, err));
    if (p.metadata(false, handle.get(), &md, 10000) != RdKafka::ERR_NO_ERROR) return -1;
    std::unique_ptr<RdKafka::Metadata> owned(md);
    const auto* topic = (*md->topics())[0];
    if (topic->err() != RdKafka::ERR_NO_ERROR) return -1;
    return static_cast<int32_t>(topic->partitions()->size());
  }

  int64_t offset_for_time(const std::string& t, int32_t partition, int64_t ts) {
    auto p = make_producer();
    std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(t, partition, ts)};
    auto err = p->offsetsForTimes(tps, 10000);
    EXPECT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
    int64_t off = tps[0]->offset();
    RdKafka::TopicPartition::destroy(tps);
    return off;
  }
};

TEST_F(admin, metadata_answers_topic_ids_and_finds_topics_by_id) {
  namespace protocol = broker::protocol;
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  loopback_connection c(_broker->port());
  ASSERT_TRUE(c.connected());
  protocol::metadata_request by_name;
  by_name.topics.emplace().push_back({t, {}});
  by_name.include_topic_authorized_operations = true;
  auto named = kafka_call<protocol::metadata_response>(c, protocol::api_key::metadata, 12, 1, by_name);
  ASSERT_TRUE(named);
  ASSERT_EQ(named->topics.size(), 1u);
  const auto id = named->topics[0].topic_id;
  EXPECT_NE(id, protocol::uuid{});
  EXPECT_EQ(named->topics[0].partitions.size(), 2u);
  EXPECT_EQ(named->topics[0].topic_authorized_operations,
            protocol::supported_operations(protocol::resource_type::topic));

  // v12: by id, with a null name; the same id across versions and after a restart.
  protocol::metadata_request by_id;
  by_id.topics.emplace().push_back({std::nullopt, id});
  protocol::uuid unknown;
  unknown.value[0] = 0x42;
  by_id.topics->push_back({std::nullopt, unknown});
  stop_broker();
  start_broker();
  loopback_connection again(_broker->port());
  auto found = kafka_call<protocol::metadata_response>(again, protocol::api_key::metadata, 13, 2, by_id);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->topics.size(), 2u);
  EXPECT_EQ(found->topics[0].error_code, protocol::error_code::none);
  EXPECT_EQ(found->topics[0].name, t);
  EXPECT_EQ(found->topics[0].topic_id, id);
  EXPECT_EQ(found->topics[1].error_code, protocol::error_code::unknown_topic_id);
  EXPECT_EQ(found->topics[1].name, std::nullopt);
  EXPECT_EQ(found->error_code, protocol::error_code::none);

  // Before v12 a topic id in the request is refused, as Kafka does; so is a topic with neither
  // a name nor an id, in any version.
  auto old = kafka_call<protocol::metadata_response>(again, protocol::api_key::metadata, 11, 3, by_id);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->topics.at(0).error_code, protocol::error_code::invalid_request);
  protocol::metadata_request nameless;
  nameless.topics.emplace().push_back({std::nullopt, protocol::uuid{}});
  for (int16_t v : {10, 12, 13}) {
    auto answer = kafka_call<protocol::metadata_response>(again, protocol::api_key::metadata, v, 4 + v, nameless);
    ASSERT_TRUE(answer) << "v" << v;
    EXPECT_EQ(answer->topics.at(0).error_code, protocol::error_code::invalid_request);
  }
}

TEST_F(admin, create_describe_and_delete_topics) {
  auto t = topic();
  EXPECT_EQ(create_topic(t, 3, {{"retention.ms", "3600000"}}), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(create_topic(t, 3), RdKafka::ERR_TOPIC_ALREADY_EXISTS);
  EXPECT_EQ(create_topic(topic("bad-config"), 1, {{"no.such.config", "1"}}),
            RdKafka::ERR_INVALID_CONFIG);
  EXPECT_EQ(create_topic("bad/name", 1), RdKafka::ERR_TOPIC_EXCEPTION);
  auto p = make_producer();
  EXPECT_EQ(partition_count(*p, t), 3);

  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(t.c_str());
  auto* ev = admin_call(*p, [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
    rd_kafka_DeleteTopics(rk, &dt, 1, nullptr, q);
  });
  ASSERT_NE(ev, nullptr);
  size_t n = 0;
  const auto** results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(results[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_DeleteTopic_destroy(dt);
  // Gone from the data directory too.
  EXPECT_FALSE(std::filesystem::exists(data_dir() / "broker" / (t + "-0")));

  // A topic deleted and recreated starts empty.
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(produce(*p, t, 0, "k", "v"), 0);
}

TEST_F(admin, create_partitions_grows_a_topic_and_survives_restart) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(t.c_str(), 5, nullptr, 0);
  auto* ev = admin_call(*p, [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
    rd_kafka_CreatePartitions(rk, &np, 1, nullptr, q);
  });
  ASSERT_NE(ev, nullptr);
  size_t n = 0;
  const auto** results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(results[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_NewPartitions_destroy(np);
  EXPECT_EQ(partition_count(*p, t), 5);
  EXPECT_EQ(produce(*p, t, 4, "k", "in the new partition"), 0);
  p.reset();
  stop_broker();
  start_broker();
  auto p2 = make_producer();
  EXPECT_EQ(partition_count(*p2, t), 5);
  auto got = consume(t, {4}, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "in the new partition");
}

TEST_F(admin, delete_records_advances_the_log_start) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 10; ++i) produce(*p, t, 0, std::to_string(i), "v" + std::to_string(i));
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, t.c_str(), 0)->offset = 6;
  rd_kafka_DeleteRecords_t* dr = rd_kafka_DeleteRecords_new(offsets);
  auto* ev = admin_call(*p, [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
    rd_kafka_DeleteRecords(rk, &dr, 1, nullptr, q);
  });
  ASSERT_NE(ev, nullptr);
  const rd_kafka_topic_partition_list_t* res =
      rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
  ASSERT_EQ(res->cnt, 1);
  EXPECT_EQ(res->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(res->elems[0].offset, 6);  // the new low watermark
  rd_kafka_event_destroy(ev);
  rd_kafka_DeleteRecords_destroy(dr);
  rd_kafka_topic_partition_list_destroy(offsets);

  int64_t low = -1, high = -1;
  ASSERT_EQ(p->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(low, 6);
  EXPECT_EQ(high, 10);
  // A reader from the beginning starts at the new log start offset.
  auto got = consume(t, {0}, 4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].offset, 6);
  // And it persists.
  p.reset();
  stop_broker();
  start_broker();
  auto p2 = make_producer();
  ASSERT_EQ(p2->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(low, 6);
}

TEST_F(admin, list_offsets_by_timestamp_finds_the_first_record_at_or_after) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"linger.ms", "50"}});
  // Records with explicit timestamps, several per batch (linger), so the answer must come from
  // inside a batch, not just batch boundaries.
  const int64_t base = 1'700'000'000'000;
  for (int i = 0; i < 10; ++i) {
    auto v = "v" + std::to_string(i);
    ASSERT_EQ(p->produce(t, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0,
                         base + i * 1000, nullptr, nullptr),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ(p->flush(10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(offset_for_time(t, 0, base), 0);
  EXPECT_EQ(offset_for_time(t, 0, base + 3000), 3);
  EXPECT_EQ(offset_for_time(t, 0, base + 3500), 4);
  EXPECT_EQ(offset_for_time(t, 0, base + 9000), 9);
  EXPECT_EQ(offset_for_time(t, 0, base + 9001), -1);  // newer than everything: end (-1)
  int64_t low = -1, high = -1;
  ASSERT_EQ(p->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, 10);
}

}  // namespace
}  // namespace sluice::testing
