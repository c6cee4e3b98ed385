// Topic administration and offset queries through librdkafka's admin and consumer APIs.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/api_versions.h"
#include "core/protocol/create_partitions.h"
#include "core/protocol/create_topics.h"
#include "core/protocol/delete_records.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/metadata.h"
#include "broker/storage/topic_config.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

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

  /// Sends `body` as version `version` of `key` on a new connection (what librdkafka cannot
  /// send: the newest versions of the admin APIs).
  template <class Response, class Request>
  std::optional<Response> call(protocol::api_key key, int16_t version,
                               const Request& body) {
    loopback_connection c(_broker->port());
    if (!c.connected()) return std::nullopt;
    return kafka_call<Response>(c, key, version, ++_correlation, body);
  }

  /// CreateTopics of one topic at `version` (partitions and configs as given, broker-default
  /// replication factor); the topic's result, or nullopt when the call failed.
  std::optional<protocol::create_topics_response::creatable_topic_result> create_raw(
      int16_t version, const std::string& name, int32_t partitions,
      std::vector<protocol::create_topics_request::creatable_topic_config> configs = {},
      bool validate_only = false) {
    protocol::create_topics_request req;
    req.topics.push_back({name, partitions, -1, {}, std::move(configs)});
    req.timeout_ms = 10000;
    req.validate_only = validate_only;
    auto resp = call<protocol::create_topics_response>(
        protocol::api_key::create_topics, version, req);
    if (!resp || resp->topics.size() != 1) return std::nullopt;
    return resp->topics[0];
  }

  /// Metadata v12 for one topic by name, without auto-creation.
  std::optional<protocol::metadata_response::response_topic> metadata_of(
      const std::string& name) {
    protocol::metadata_request req;
    req.topics.emplace().push_back({name, {}});
    req.allow_auto_topic_creation = false;
    auto resp =
        call<protocol::metadata_response>(protocol::api_key::metadata, 12, req);
    if (!resp || resp->topics.size() != 1) return std::nullopt;
    return resp->topics[0];
  }

  int32_t _correlation = 0;
};

TEST_F(admin, metadata_answers_topic_ids_and_finds_topics_by_id) {
  namespace protocol = ::sluice::protocol;
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

namespace protocol = ::sluice::protocol;

TEST_F(admin, create_topics_v7_answers_the_topic_id_and_the_effective_configs) {
  const auto t = topic();
  auto created = create_raw(7, t, 3, {{"retention.ms", "3600000"}});
  ASSERT_TRUE(created);
  EXPECT_EQ(created->error_code, protocol::error_code::none);
  EXPECT_EQ(created->error_message, std::nullopt);
  EXPECT_NE(created->topic_id, protocol::uuid{});
  EXPECT_EQ(created->num_partitions, 3);
  EXPECT_EQ(created->replication_factor, 1);
  // Every topic key, sorted by name, with where its value comes from.
  ASSERT_TRUE(created->configs);
  const auto& configs = *created->configs;
  ASSERT_EQ(configs.size(), broker::storage::topic_keys().size());
  EXPECT_TRUE(std::is_sorted(configs.begin(), configs.end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));
  auto config = [&](const std::string& name) {
    auto it =
        std::find_if(configs.begin(), configs.end(), [&](const auto& c) { return c.name == name; });
    EXPECT_NE(it, configs.end()) << name;
    return it == configs.end() ? protocol::create_topics_response::creatable_topic_configs{} : *it;
  };
  EXPECT_EQ(config("retention.ms").value, "3600000");
  EXPECT_EQ(config("retention.ms").config_source,
            static_cast<int8_t>(protocol::config_source::dynamic_topic_config));
  EXPECT_EQ(config("cleanup.policy").value, "delete");
  EXPECT_EQ(config("cleanup.policy").config_source,
            static_cast<int8_t>(protocol::config_source::default_config));
  for (const auto& c : configs) {
    EXPECT_FALSE(c.read_only) << c.name;
    EXPECT_FALSE(c.is_sensitive) << c.name;
  }

  // Metadata v12 knows the topic by the same id, by name and by id.
  auto by_name = metadata_of(t);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->topic_id, created->topic_id);
  EXPECT_EQ(by_name->partitions.size(), 3u);
  protocol::metadata_request by_id;
  by_id.topics.emplace().push_back({std::nullopt, created->topic_id});
  auto found = call<protocol::metadata_response>(protocol::api_key::metadata, 12, by_id);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->topics.size(), 1u);
  EXPECT_EQ(found->topics[0].name, t);

  // A failure carries no id, counts or configs.
  auto again = create_raw(7, t, 3);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error_code, protocol::error_code::topic_already_exists);
  EXPECT_EQ(again->topic_id, protocol::uuid{});
  EXPECT_EQ(again->num_partitions, -1);
  EXPECT_EQ(again->replication_factor, -1);
  EXPECT_EQ(again->configs,
            std::vector<protocol::create_topics_response::creatable_topic_configs>{});

  // validate_only: the counts and configs the topic would get, no id, nothing created.
  const auto checked = topic("checked");
  auto validated = create_raw(7, checked, -1, {{"cleanup.policy", "compact"}}, true);
  ASSERT_TRUE(validated);
  EXPECT_EQ(validated->error_code, protocol::error_code::none);
  EXPECT_EQ(validated->topic_id, protocol::uuid{});
  EXPECT_EQ(validated->num_partitions, options().num_partitions);
  ASSERT_TRUE(validated->configs);
  EXPECT_EQ(validated->configs->size(), broker::storage::topic_keys().size());
  auto md = metadata_of(checked);
  ASSERT_TRUE(md);
  EXPECT_EQ(md->error_code, protocol::error_code::unknown_topic_or_partition);

  // v5 (the first flexible version) reports the configs too, without an id.
  auto v5 = create_raw(5, checked, 2);
  ASSERT_TRUE(v5);
  EXPECT_EQ(v5->error_code, protocol::error_code::none);
  EXPECT_EQ(v5->num_partitions, 2);
  EXPECT_EQ(v5->topic_id, protocol::uuid{});
  ASSERT_TRUE(v5->configs);
  EXPECT_EQ(v5->configs->size(), broker::storage::topic_keys().size());
  auto md5 = metadata_of(checked);
  ASSERT_TRUE(md5);
  EXPECT_EQ(md5->error_code, protocol::error_code::none);
  EXPECT_NE(md5->topic_id, protocol::uuid{});
}

TEST_F(admin, delete_topics_v6_deletes_by_id_or_name_as_kafka_answers) {
  auto a = create_raw(7, topic("a"), 1);
  auto b = create_raw(7, topic("b"), 1);
  auto c = create_raw(7, topic("c"), 1);
  ASSERT_TRUE(a && b && c);
  protocol::uuid unknown;
  unknown.value[0] = 0x42;
  protocol::delete_topics_request req;
  req.timeout_ms = 10000;
  req.topics = {{std::nullopt, a->topic_id},       // by id
                {b->name, protocol::uuid{}},       // by name
                {std::nullopt, unknown},           // an id no topic has
                {std::nullopt, protocol::uuid{}},  // neither
                {c->name, c->topic_id}};           // both
  auto resp = call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 6, req);
  ASSERT_TRUE(resp);
  ASSERT_EQ(resp->responses.size(), 5u);
  const auto& r = resp->responses;
  EXPECT_EQ(r[0].name, a->name);
  EXPECT_EQ(r[0].topic_id, a->topic_id);
  EXPECT_EQ(r[0].error_code, protocol::error_code::none);
  EXPECT_EQ(r[0].error_message, std::nullopt);
  EXPECT_EQ(r[1].name, b->name);
  EXPECT_EQ(r[1].topic_id, b->topic_id);  // answered with the id even when asked by name
  EXPECT_EQ(r[1].error_code, protocol::error_code::none);
  EXPECT_EQ(r[2].name, std::nullopt);
  EXPECT_EQ(r[2].topic_id, unknown);
  EXPECT_EQ(r[2].error_code, protocol::error_code::unknown_topic_id);
  EXPECT_TRUE(r[2].error_message);
  EXPECT_EQ(r[3].error_code, protocol::error_code::invalid_request);
  EXPECT_EQ(r[3].name, std::nullopt);
  EXPECT_EQ(r[4].error_code, protocol::error_code::invalid_request);
  EXPECT_EQ(r[4].name, c->name);
  EXPECT_EQ(metadata_of(a->name).value().error_code,
            protocol::error_code::unknown_topic_or_partition);
  EXPECT_EQ(metadata_of(b->name).value().error_code,
            protocol::error_code::unknown_topic_or_partition);
  EXPECT_EQ(metadata_of(c->name).value().error_code, protocol::error_code::none);

  // A topic named twice, or by its name and its id, is refused and kept.
  protocol::delete_topics_request twice;
  twice.topics = {{std::nullopt, c->topic_id}, {std::nullopt, c->topic_id}};
  auto dup = call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 6, twice);
  ASSERT_TRUE(dup);
  ASSERT_EQ(dup->responses.size(), 1u);
  EXPECT_EQ(dup->responses[0].error_code, protocol::error_code::invalid_request);
  protocol::delete_topics_request both_ways;
  both_ways.topics = {{c->name, protocol::uuid{}}, {std::nullopt, c->topic_id}};
  auto mixed =
      call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 6, both_ways);
  ASSERT_TRUE(mixed);
  ASSERT_EQ(mixed->responses.size(), 2u);
  EXPECT_EQ(mixed->responses[0].error_code, protocol::error_code::invalid_request);
  EXPECT_EQ(mixed->responses[1].error_code, protocol::error_code::invalid_request);
  EXPECT_EQ(metadata_of(c->name).value().error_code, protocol::error_code::none);

  // v5 (by name): an error message for failures only.
  protocol::delete_topics_request by_name;
  by_name.topic_names = {c->name, topic("never")};
  auto v5 = call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 5, by_name);
  ASSERT_TRUE(v5);
  ASSERT_EQ(v5->responses.size(), 2u);
  EXPECT_EQ(v5->responses[0].error_code, protocol::error_code::none);
  EXPECT_EQ(v5->responses[0].error_message, std::nullopt);
  EXPECT_EQ(v5->responses[1].error_code, protocol::error_code::unknown_topic_or_partition);
  EXPECT_TRUE(v5->responses[1].error_message);
  // The id of a deleted topic is unknown from then on.
  protocol::delete_topics_request gone;
  gone.topics = {{std::nullopt, c->topic_id}};
  auto late = call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 6, gone);
  ASSERT_TRUE(late);
  ASSERT_EQ(late->responses.size(), 1u);
  EXPECT_EQ(late->responses[0].error_code, protocol::error_code::unknown_topic_id);
}

TEST_F(admin, describe_configs_v3_v4_report_config_types_and_documentation) {
  const auto t = topic();
  ASSERT_TRUE(create_raw(7, t, 1, {{"retention.ms", "3600000"}}));
  protocol::describe_configs_request req;
  req.resources = {
      {protocol::config_resource_topic, t,
       std::vector<std::string>{"cleanup.policy", "compression.type", "min.cleanable.dirty.ratio",
                                "retention.ms", "segment.bytes"}},
      {protocol::config_resource_broker, std::to_string(options().node_id),
       std::vector<std::string>{"auto.create.topics.enable", "listeners",
                                "log.retention.check.interval.ms", "num.partitions"}}};
  req.include_documentation = true;
  auto resp =
      call<protocol::describe_configs_response>(protocol::api_key::describe_configs, 3, req);
  ASSERT_TRUE(resp);
  ASSERT_EQ(resp->results.size(), 2u);
  using type = protocol::config_type;
  auto expect_types = [](const protocol::describe_configs_response::describe_configs_result& res,
                         const std::vector<std::pair<std::string, type>>& expected,
                         bool documented) {
    EXPECT_EQ(res.error_code, protocol::error_code::none);
    ASSERT_EQ(res.configs.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(res.configs[i].name, expected[i].first);
      EXPECT_EQ(res.configs[i].config_type, static_cast<int8_t>(expected[i].second))
          << expected[i].first;
      EXPECT_EQ(res.configs[i].documentation.has_value(), documented) << expected[i].first;
    }
  };
  const std::vector<std::pair<std::string, type>> topic_types{
      {"cleanup.policy", type::list_type},
      {"compression.type", type::string_type},
      {"min.cleanable.dirty.ratio", type::double_type},
      {"retention.ms", type::long_type},
      {"segment.bytes", type::int_type}};
  const std::vector<std::pair<std::string, type>> broker_types{
      {"auto.create.topics.enable", type::boolean_type},
      {"listeners", type::string_type},
      {"log.retention.check.interval.ms", type::long_type},
      {"num.partitions", type::int_type}};
  expect_types(resp->results[0], topic_types, true);
  expect_types(resp->results[1], broker_types, true);
  // The documentation is the key's own.
  EXPECT_EQ(resp->results[0].configs[3].documentation,
            broker::storage::topic_config_def().find("retention.ms")->doc);
  EXPECT_EQ(resp->results[0].configs[3].value, "3600000");
  EXPECT_FALSE(resp->results[1].configs[3].documentation->empty());

  // v4 (flexible), not asking for documentation: the types still, documentation null.
  req.include_documentation = false;
  auto v4 = call<protocol::describe_configs_response>(protocol::api_key::describe_configs, 4, req);
  ASSERT_TRUE(v4);
  ASSERT_EQ(v4->results.size(), 2u);
  expect_types(v4->results[0], topic_types, false);
  expect_types(v4->results[1], broker_types, false);
}

TEST_F(admin, create_partitions_v3_and_delete_records_v2) {
  const auto t = topic();
  ASSERT_TRUE(create_raw(7, t, 1));
  protocol::create_partitions_request grow;
  grow.topics = {{t, 3, std::nullopt}, {topic("missing"), 2, std::nullopt}};
  grow.timeout_ms = 10000;
  auto grown =
      call<protocol::create_partitions_response>(protocol::api_key::create_partitions, 3, grow);
  ASSERT_TRUE(grown);
  ASSERT_EQ(grown->results.size(), 2u);
  EXPECT_EQ(grown->results[0].error_code, protocol::error_code::none);
  EXPECT_EQ(grown->results[1].error_code, protocol::error_code::unknown_topic_or_partition);
  EXPECT_TRUE(grown->results[1].error_message);
  EXPECT_EQ(metadata_of(t).value().partitions.size(), 3u);
  protocol::create_partitions_request shrink;
  shrink.topics = {{t, 2, std::nullopt}};
  auto refused =
      call<protocol::create_partitions_response>(protocol::api_key::create_partitions, 2, shrink);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->results.size(), 1u);
  EXPECT_EQ(refused->results[0].error_code, protocol::error_code::invalid_partitions);

  auto p = make_producer();
  for (int i = 0; i < 5; ++i) produce(*p, t, 2, std::to_string(i), "v");
  protocol::delete_records_request del;
  del.topics = {
      {t, {{core::partition_id{2}, core::offset{3}}, {core::partition_id{9}, core::offset{1}}}}};
  del.timeout_ms = 10000;
  auto deleted = call<protocol::delete_records_response>(protocol::api_key::delete_records, 2, del);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->topics.size(), 1u);
  ASSERT_EQ(deleted->topics[0].partitions.size(), 2u);
  EXPECT_EQ(deleted->topics[0].partitions[0].error_code, protocol::error_code::none);
  EXPECT_EQ(deleted->topics[0].partitions[0].low_watermark, core::offset{3});
  EXPECT_EQ(deleted->topics[0].partitions[1].error_code,
            protocol::error_code::unknown_topic_or_partition);
  int64_t low = -1, high = -1;
  ASSERT_EQ(p->query_watermark_offsets(t, 2, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(low, 3);
  EXPECT_EQ(high, 5);
}

TEST_F(admin, api_versions_v4_advertises_the_admin_windows_and_checks_the_client_software) {
  protocol::api_versions_request hello;
  hello.client_software_name = "sluice-admin-test";
  hello.client_software_version = "1.0.0";
  auto resp = call<protocol::api_versions_response>(protocol::api_key::api_versions, 4, hello);
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->error_code, protocol::error_code::none);
  auto window = [&](protocol::api_key key) {
    for (const auto& k : resp->api_keys) {
      if (k.api_key == static_cast<int16_t>(key))
        return std::pair<int, int>{k.min_version, k.max_version};
    }
    return std::pair<int, int>{-1, -1};
  };
  EXPECT_EQ(window(protocol::api_key::create_topics), (std::pair<int, int>{0, 7}));
  EXPECT_EQ(window(protocol::api_key::delete_topics), (std::pair<int, int>{0, 6}));
  EXPECT_EQ(window(protocol::api_key::delete_records), (std::pair<int, int>{0, 2}));
  EXPECT_EQ(window(protocol::api_key::describe_configs), (std::pair<int, int>{0, 4}));
  EXPECT_EQ(window(protocol::api_key::alter_configs), (std::pair<int, int>{0, 2}));
  EXPECT_EQ(window(protocol::api_key::create_partitions), (std::pair<int, int>{0, 3}));
  EXPECT_EQ(window(protocol::api_key::api_versions), (std::pair<int, int>{0, 4}));
  EXPECT_EQ(window(protocol::api_key::init_producer_id), (std::pair<int, int>{0, 5}));

  // A name or version outside Kafka's pattern: INVALID_REQUEST without a list, in v3 and v4,
  // and the connection stays usable.
  loopback_connection c(_broker->port());
  ASSERT_TRUE(c.connected());
  for (int16_t v : {3, 4}) {
    protocol::api_versions_request bad = hello;
    bad.client_software_name = "has space";
    auto refused = kafka_call<protocol::api_versions_response>(c, protocol::api_key::api_versions,
                                                               v, 10 + v, bad);
    ASSERT_TRUE(refused) << "v" << v;
    EXPECT_EQ(refused->error_code, protocol::error_code::invalid_request);
    EXPECT_TRUE(refused->api_keys.empty());
    bad = hello;
    bad.client_software_version = "";
    refused = kafka_call<protocol::api_versions_response>(c, protocol::api_key::api_versions, v,
                                                          20 + v, bad);
    ASSERT_TRUE(refused) << "v" << v;
    EXPECT_EQ(refused->error_code, protocol::error_code::invalid_request);
  }
  auto after =
      kafka_call<protocol::api_versions_response>(c, protocol::api_key::api_versions, 4, 30, hello);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->error_code, protocol::error_code::none);
  EXPECT_FALSE(after->api_keys.empty());
}

TEST_F(admin, init_producer_id_v5_answers_as_v4) {
  protocol::init_producer_id_request idempotent;
  idempotent.transaction_timeout_ms = 60000;
  auto pid =
      call<protocol::init_producer_id_response>(protocol::api_key::init_producer_id, 5, idempotent);
  ASSERT_TRUE(pid);
  EXPECT_EQ(pid->error_code, protocol::error_code::none);
  EXPECT_GE(pid->producer_id.value(), 0);
  protocol::init_producer_id_request txn;
  txn.transactional_id = topic("txn");
  txn.transaction_timeout_ms = 60000;
  auto first =
      call<protocol::init_producer_id_response>(protocol::api_key::init_producer_id, 5, txn);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->error_code, protocol::error_code::none);
  // The same id again bumps the epoch.
  auto second =
      call<protocol::init_producer_id_response>(protocol::api_key::init_producer_id, 5, txn);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->error_code, protocol::error_code::none);
  EXPECT_EQ(second->producer_id, first->producer_id);
  EXPECT_EQ(second->producer_epoch.value(), first->producer_epoch.value() + 1);
}

}  // namespace
}  // namespace sluice::testing
