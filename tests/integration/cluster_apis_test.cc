// DescribeCluster, DescribeLogDirs, DescribeTopicPartitions and IncrementalAlterConfigs over raw
// requests against a real in-process broker (librdkafka 2.0.2 sends none of them at the
// versions served here).

#include "broker_fixture.h"

#include "core/protocol/acl.h"
#include "core/protocol/describe_cluster.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/describe_log_dirs.h"
#include "core/protocol/describe_topic_partitions.h"
#include "core/protocol/incremental_alter_configs.h"
#include "core/protocol/metadata.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;
using protocol::api_key;
using protocol::error_code;

class cluster_apis : public broker_test {
 protected:
  template <class Response, class Request>
  std::optional<Response> call(api_key key, int16_t version, const Request& body) {
    return raw().call<Response>(key, version, body);
  }

  std::string node() const { return std::to_string(_options.node_id); }

  // ---- DescribeCluster --------------------------------------------------------------------

  protocol::describe_cluster_response describe_cluster(
      int16_t version, const protocol::describe_cluster_request& req) {
    auto r = call<protocol::describe_cluster_response>(api_key::describe_cluster, version, req);
    EXPECT_TRUE(r) << "v" << version;
    return r.value_or(protocol::describe_cluster_response{});
  }

  // ---- DescribeLogDirs --------------------------------------------------------------------

  protocol::describe_log_dirs_response describe_log_dirs(
      int16_t version, const protocol::describe_log_dirs_request& req) {
    auto r = call<protocol::describe_log_dirs_response>(api_key::describe_log_dirs, version, req);
    EXPECT_TRUE(r) << "v" << version;
    return r.value_or(protocol::describe_log_dirs_response{});
  }

  /// The one log dir's entry for `t`/`p`, or nullopt.
  static std::optional<protocol::describe_log_dirs_response::describe_log_dirs_partition>
  partition_in(const protocol::describe_log_dirs_response& r, const std::string& t, int32_t p) {
    if (r.results.size() != 1) return std::nullopt;
    for (const auto& topic : r.results[0].topics) {
      if (topic.name != t) continue;
      for (const auto& part : topic.partitions) {
        if (part.partition_index.value() == p) return part;
      }
    }
    return std::nullopt;
  }

  // ---- DescribeTopicPartitions ------------------------------------------------------------

  protocol::describe_topic_partitions_response describe_partitions(
      const std::vector<std::string>& names, int32_t limit,
      std::optional<protocol::describe_topic_partitions_cursor> cursor = std::nullopt) {
    protocol::describe_topic_partitions_request req;
    for (const auto& n : names) req.topics.push_back({n});
    req.response_partition_limit = limit;
    req.cursor = std::move(cursor);
    auto r = call<protocol::describe_topic_partitions_response>(api_key::describe_topic_partitions,
                                                                0, req);
    EXPECT_TRUE(r);
    return r.value_or(protocol::describe_topic_partitions_response{});
  }

  /// "name:p,p,...;name:...;" for compact comparisons of a page.
  static std::string page_of(const protocol::describe_topic_partitions_response& r) {
    std::string out;
    for (const auto& t : r.topics) {
      out += t.name.value_or("<null>") + ":";
      for (size_t i = 0; i < t.partitions.size(); ++i) {
        out += (i ? "," : "") + std::to_string(t.partitions[i].partition_index.value());
      }
      out += ";";
    }
    return out;
  }

  protocol::uuid topic_id_of(const std::string& t) {
    protocol::metadata_request md;
    md.topics.emplace().push_back({t, {}});
    auto r = call<protocol::metadata_response>(api_key::metadata, 12, md);
    EXPECT_TRUE(r && r->topics.size() == 1);
    return r && r->topics.size() == 1 ? r->topics[0].topic_id : protocol::uuid{};
  }

  // ---- IncrementalAlterConfigs ------------------------------------------------------------

  using alteration = protocol::incremental_alter_configs_request::alterable_config;

  /// One resource altered at `version`; its (error, message) answer.
  std::pair<error_code, std::optional<std::string>> alter(int8_t type, const std::string& name,
                                                          std::vector<alteration> configs,
                                                          bool validate_only = false,
                                                          int16_t version = 1) {
    protocol::incremental_alter_configs_request req;
    req.resources.push_back({type, name, std::move(configs)});
    req.validate_only = validate_only;
    auto r = call<protocol::incremental_alter_configs_response>(api_key::incremental_alter_configs,
                                                                version, req);
    EXPECT_TRUE(r && r->responses.size() == 1);
    if (!r || r->responses.size() != 1) return {error_code::unknown_server_error, std::nullopt};
    EXPECT_EQ(r->responses[0].resource_type, type);
    EXPECT_EQ(r->responses[0].resource_name, name);
    EXPECT_EQ(r->responses[0].error_message.has_value(),
              r->responses[0].error_code != error_code::none);
    return {r->responses[0].error_code, r->responses[0].error_message};
  }
  error_code alter_error(int8_t type, const std::string& name, std::vector<alteration> configs,
                         bool validate_only = false, int16_t version = 1) {
    return alter(type, name, std::move(configs), validate_only, version).first;
  }

  /// A key of a resource as DescribeConfigs v1 reports it: value and config_source.
  std::pair<std::string, protocol::config_source> described(int8_t type, const std::string& name,
                                                            const std::string& key) {
    protocol::describe_configs_request req;
    req.resources.push_back({type, name, std::vector<std::string>{key}});
    auto r = call<protocol::describe_configs_response>(api_key::describe_configs, 1, req);
    EXPECT_TRUE(r && r->results.size() == 1 && r->results[0].configs.size() == 1) << key;
    if (!r || r->results.size() != 1 || r->results[0].configs.size() != 1) {
      return {"<none>", protocol::config_source::unknown};
    }
    const auto& c = r->results[0].configs[0];
    return {c.value.value_or("<null>"), static_cast<protocol::config_source>(c.config_source)};
  }

};

constexpr int8_t set = protocol::config_operation_set;
constexpr int8_t remove = protocol::config_operation_delete;
constexpr int8_t append = protocol::config_operation_append;
constexpr int8_t subtract = protocol::config_operation_subtract;
constexpr int8_t topic_resource = protocol::config_resource_topic;
constexpr int8_t broker_resource = protocol::config_resource_broker;

// ---- DescribeCluster ----------------------------------------------------------------------

TEST_F(cluster_apis, describe_cluster_reports_the_node_in_every_version) {
  for (int16_t v : {0, 1, 2}) {
    SCOPED_TRACE("v" + std::to_string(v));
    protocol::describe_cluster_request req;
    req.include_fenced_brokers = v >= 2;
    auto r = describe_cluster(v, req);
    EXPECT_EQ(r.error_code, error_code::none);
    EXPECT_FALSE(r.error_message);
    EXPECT_EQ(r.endpoint_type, protocol::endpoint_type_broker);
    EXPECT_EQ(r.cluster_id, _broker->cluster_id());
    EXPECT_FALSE(r.cluster_id.empty());
    EXPECT_EQ(r.controller_id, core::node_id{_options.node_id});
    ASSERT_EQ(r.brokers.size(), 1u);
    EXPECT_EQ(r.brokers[0].broker_id, core::node_id{_options.node_id});
    EXPECT_EQ(r.brokers[0].host, "127.0.0.1");
    EXPECT_EQ(r.brokers[0].port, _broker->port());
    EXPECT_FALSE(r.brokers[0].rack);
    EXPECT_FALSE(r.brokers[0].is_fenced);
    // Not asked for: the schema default INT32_MIN.
    EXPECT_EQ(r.cluster_authorized_operations, protocol::authorized_operations_unknown);

    req.include_cluster_authorized_operations = true;
    EXPECT_EQ(describe_cluster(v, req).cluster_authorized_operations,
              protocol::supported_operations(protocol::resource_type::cluster));
  }
}

TEST_F(cluster_apis, describe_cluster_refuses_controller_and_unknown_endpoint_types) {
  for (int16_t v : {1, 2}) {
    SCOPED_TRACE("v" + std::to_string(v));
    protocol::describe_cluster_request req;
    req.include_cluster_authorized_operations = true;
    req.endpoint_type = protocol::endpoint_type_controller;
    auto r = describe_cluster(v, req);
    EXPECT_EQ(r.error_code, error_code::mismatched_endpoint_type);
    EXPECT_TRUE(r.error_message);
    // The error alone: no cluster, no brokers, no operations.
    EXPECT_TRUE(r.brokers.empty());
    EXPECT_EQ(r.cluster_id, "");
    EXPECT_EQ(r.controller_id, core::node_id{-1});
    EXPECT_EQ(r.cluster_authorized_operations, protocol::authorized_operations_unknown);

    req.endpoint_type = 7;
    r = describe_cluster(v, req);
    EXPECT_EQ(r.error_code, error_code::unsupported_endpoint_type);
    EXPECT_EQ(r.error_message, "Unsupported endpoint type 7");
    EXPECT_TRUE(r.brokers.empty());
  }
}

// ---- DescribeLogDirs ----------------------------------------------------------------------

TEST_F(cluster_apis, describe_log_dirs_reports_the_data_directory_and_sizes_that_grow) {
  const auto t = topic();
  const auto other = topic("other");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(other, 1), RdKafka::ERR_NO_ERROR);
  const auto dir = std::filesystem::absolute(options().data_dir).lexically_normal().string();

  // Every partition (topics null), v4: the one log dir, with its volume's sizes.
  auto all = describe_log_dirs(4, {});
  EXPECT_EQ(all.error_code, error_code::none);
  ASSERT_EQ(all.results.size(), 1u);
  EXPECT_EQ(all.results[0].error_code, error_code::none);
  EXPECT_EQ(all.results[0].log_dir, dir);
  EXPECT_GT(all.results[0].total_bytes, 0);
  EXPECT_GE(all.results[0].usable_bytes, 0);
  EXPECT_LE(all.results[0].usable_bytes, all.results[0].total_bytes);
  ASSERT_TRUE(partition_in(all, t, 0));
  ASSERT_TRUE(partition_in(all, t, 1));
  ASSERT_TRUE(partition_in(all, other, 0));
  const int64_t before = partition_in(all, t, 1)->partition_size;
  EXPECT_EQ(partition_in(all, t, 1)->offset_lag, 0);
  EXPECT_FALSE(partition_in(all, t, 1)->is_future_key);

  auto p = make_producer();
  for (int i = 0; i < 20; ++i) produce(*p, t, 1, "k" + std::to_string(i), std::string(100, 'v'));

  // Named partitions: those not in the log dir (a missing partition, a missing topic) are left
  // out, as Kafka does; the produced partition has grown, the leader has no lag.
  protocol::describe_log_dirs_request some;
  some.topics = std::vector<protocol::describe_log_dirs_request::describable_log_dir_topic>{
      {t, {core::partition_id{1}, core::partition_id{7}, core::partition_id{1}}},
      {topic("missing"), {core::partition_id{0}}}};
  for (int16_t v : {0, 1, 2, 3, 4}) {
    SCOPED_TRACE("v" + std::to_string(v));
    auto r = describe_log_dirs(v, some);
    EXPECT_EQ(r.error_code, error_code::none);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].log_dir, dir);
    ASSERT_EQ(r.results[0].topics.size(), 1u);
    EXPECT_EQ(r.results[0].topics[0].name, t);
    ASSERT_EQ(r.results[0].topics[0].partitions.size(), 1u);
    const auto& part = r.results[0].topics[0].partitions[0];
    EXPECT_EQ(part.partition_index, core::partition_id{1});
    EXPECT_GT(part.partition_size, before + 20 * 100);
    EXPECT_EQ(part.offset_lag, 0);
    if (v < 4) {
      EXPECT_EQ(r.results[0].total_bytes, -1);  // not on the wire before v4
    } else {
      EXPECT_GT(r.results[0].total_bytes, 0);
    }
  }
  // The untouched partition stays as it was.
  EXPECT_EQ(partition_in(describe_log_dirs(4, {}), t, 0)->partition_size,
            partition_in(all, t, 0)->partition_size);

  // An empty topic list asks for nothing: the log dir without topics.
  protocol::describe_log_dirs_request none;
  none.topics.emplace();
  auto empty = describe_log_dirs(3, none);
  ASSERT_EQ(empty.results.size(), 1u);
  EXPECT_TRUE(empty.results[0].topics.empty());
}

// ---- DescribeTopicPartitions --------------------------------------------------------------

TEST_F(cluster_apis, describe_topic_partitions_describes_partitions_as_metadata_does) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  const auto missing = topic("zz");
  auto r = describe_partitions({missing, t, "bad name!", t}, 2000);
  EXPECT_FALSE(r.next_cursor);
  ASSERT_EQ(r.topics.size(), 3u);
  // Sorted by name, each once: "bad name!" < "cluster_apis.<test>.t" < "cluster_apis.<test>.zz".
  EXPECT_EQ(r.topics[0].name, "bad name!");
  EXPECT_EQ(r.topics[0].error_code, error_code::invalid_topic_exception);
  const auto& found = r.topics[1];
  EXPECT_EQ(found.name, t);
  EXPECT_EQ(found.error_code, error_code::none);
  EXPECT_EQ(found.topic_id, topic_id_of(t));
  EXPECT_NE(found.topic_id, protocol::uuid{});
  EXPECT_FALSE(found.is_internal);
  EXPECT_EQ(found.topic_authorized_operations,
            protocol::supported_operations(protocol::resource_type::topic));
  ASSERT_EQ(found.partitions.size(), 2u);
  for (int32_t p = 0; p < 2; ++p) {
    const auto& part = found.partitions[static_cast<size_t>(p)];
    const core::node_id self{_options.node_id};
    EXPECT_EQ(part.error_code, error_code::none);
    EXPECT_EQ(part.partition_index, core::partition_id{p});
    EXPECT_EQ(part.leader_id, self);
    EXPECT_EQ(part.leader_epoch, 0);
    EXPECT_EQ(part.replica_nodes, std::vector<core::node_id>{self});
    EXPECT_EQ(part.isr_nodes, std::vector<core::node_id>{self});
    EXPECT_EQ(part.eligible_leader_replicas, std::vector<core::node_id>{});
    EXPECT_EQ(part.last_known_elr, std::vector<core::node_id>{});
    EXPECT_TRUE(part.offline_replicas.empty());
  }
  EXPECT_EQ(r.topics[2].name, missing);
  EXPECT_EQ(r.topics[2].error_code, error_code::unknown_topic_or_partition);
  EXPECT_EQ(r.topics[2].topic_id, protocol::uuid{});
  EXPECT_TRUE(r.topics[2].partitions.empty());
}

TEST_F(cluster_apis, describe_topic_partitions_pages_with_a_cursor) {
  const auto a = topic("a"), b = topic("b"), c = topic("c"), d = topic("d");  // sorted
  ASSERT_EQ(create_topic(a, 3), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(b, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(c, 1), RdKafka::ERR_NO_ERROR);
  const std::vector<std::string> names{c, d, b, a};  // d does not exist

  auto page = describe_partitions(names, 2);
  EXPECT_EQ(page_of(page), a + ":0,1;");
  ASSERT_TRUE(page.next_cursor);
  EXPECT_EQ(*page.next_cursor,
            (protocol::describe_topic_partitions_cursor{a, core::partition_id{2}}));

  page = describe_partitions(names, 2, page.next_cursor);
  EXPECT_EQ(page_of(page), a + ":2;" + b + ":0;");
  ASSERT_TRUE(page.next_cursor);
  EXPECT_EQ(*page.next_cursor,
            (protocol::describe_topic_partitions_cursor{b, core::partition_id{1}}));

  // The page fills exactly at the end of c: the next one starts at d, partition 0, though d
  // does not exist.
  page = describe_partitions(names, 2, page.next_cursor);
  EXPECT_EQ(page_of(page), b + ":1;" + c + ":0;");
  ASSERT_TRUE(page.next_cursor);
  EXPECT_EQ(*page.next_cursor,
            (protocol::describe_topic_partitions_cursor{d, core::partition_id{0}}));

  page = describe_partitions(names, 2, page.next_cursor);
  ASSERT_EQ(page.topics.size(), 1u);
  EXPECT_EQ(page.topics[0].name, d);
  EXPECT_EQ(page.topics[0].error_code, error_code::unknown_topic_or_partition);
  EXPECT_FALSE(page.next_cursor);

  // A limit below 1 counts as 1; a cursor past a topic's last partition gives it no partitions.
  page = describe_partitions(names, 0);
  EXPECT_EQ(page_of(page), a + ":0;");
  page = describe_partitions(names, 10,
                             protocol::describe_topic_partitions_cursor{b, core::partition_id{5}});
  EXPECT_EQ(page_of(page), b + ":;" + c + ":0;" + d + ":;");
  EXPECT_FALSE(page.next_cursor);

  // Every topic (an empty list), from a cursor: the existing topics only, sorted.
  page = describe_partitions({}, 4,
                             protocol::describe_topic_partitions_cursor{a, core::partition_id{1}});
  EXPECT_EQ(page_of(page), a + ":1,2;" + b + ":0,1;");
  ASSERT_TRUE(page.next_cursor);
  EXPECT_EQ(*page.next_cursor,
            (protocol::describe_topic_partitions_cursor{c, core::partition_id{0}}));
}

TEST_F(cluster_apis, describe_topic_partitions_refuses_a_cursor_it_cannot_follow) {
  const auto a = topic("a"), b = topic("b");
  ASSERT_EQ(create_topic(a, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(b, 1), RdKafka::ERR_NO_ERROR);
  // The cursor's topic must be one of those asked for, and its partition not negative:
  // otherwise every requested topic gets INVALID_REQUEST and nothing else.
  for (const auto& cursor :
       {protocol::describe_topic_partitions_cursor{topic("x"), core::partition_id{0}},
        protocol::describe_topic_partitions_cursor{a, core::partition_id{-1}}}) {
    auto r = describe_partitions({b, a}, 10, cursor);
    ASSERT_EQ(r.topics.size(), 2u);
    EXPECT_EQ(r.topics[0].name, b);  // request order
    for (const auto& t : r.topics) {
      EXPECT_EQ(t.error_code, error_code::invalid_request);
      EXPECT_TRUE(t.partitions.empty());
      EXPECT_EQ(t.topic_id, protocol::uuid{});
      EXPECT_EQ(t.topic_authorized_operations, protocol::authorized_operations_unknown);
    }
    EXPECT_FALSE(r.next_cursor);
  }
}

// ---- IncrementalAlterConfigs --------------------------------------------------------------

TEST_F(cluster_apis, incremental_alter_configs_sets_and_deletes_single_topic_keys) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"segment.ms", "100000"}}), RdKafka::ERR_NO_ERROR);
  for (int16_t v : {0, 1}) {
    SCOPED_TRACE("v" + std::to_string(v));
    EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", set, " 3600000 "}}, false, v),
              error_code::none);
    // Only the named key changes: segment.ms keeps its override (AlterConfigs would reset it).
    EXPECT_EQ(
        described(topic_resource, t, "retention.ms"),
        std::make_pair(std::string("3600000"), protocol::config_source::dynamic_topic_config));
    EXPECT_EQ(described(topic_resource, t, "segment.ms"),
              std::make_pair(std::string("100000"), protocol::config_source::dynamic_topic_config));

    // DELETE returns the key to the broker's default; deleting it again changes nothing.
    EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", remove, std::nullopt}}, false, v),
              error_code::none);
    EXPECT_EQ(described(topic_resource, t, "retention.ms"),
              std::make_pair(std::string("604800000"), protocol::config_source::default_config));
    EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", remove, "ignored"}}, false, v),
              error_code::none);
    EXPECT_EQ(described(topic_resource, t, "segment.ms").first, "100000");
  }
}

TEST_F(cluster_apis, incremental_alter_configs_appends_to_and_subtracts_from_list_keys) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  // Without an override, APPEND starts from the key's default ("delete").
  EXPECT_EQ(alter_error(topic_resource, t, {{"cleanup.policy", append, "compact"}}),
            error_code::none);
  EXPECT_EQ(
      described(topic_resource, t, "cleanup.policy"),
      std::make_pair(std::string("delete,compact"), protocol::config_source::dynamic_topic_config));
  // Items already there are not repeated.
  EXPECT_EQ(alter_error(topic_resource, t, {{"cleanup.policy", append, "delete"}}),
            error_code::none);
  EXPECT_EQ(described(topic_resource, t, "cleanup.policy").first, "delete,compact");
  EXPECT_EQ(alter_error(topic_resource, t, {{"cleanup.policy", subtract, "delete"}}),
            error_code::none);
  EXPECT_EQ(described(topic_resource, t, "cleanup.policy").first, "compact");
  // Subtracting an item that is not there changes nothing.
  EXPECT_EQ(alter_error(topic_resource, t, {{"cleanup.policy", subtract, "delete"}}),
            error_code::none);
  EXPECT_EQ(described(topic_resource, t, "cleanup.policy").first, "compact");
  // A value the key does not accept, reached by APPEND: refused, nothing changes.
  EXPECT_EQ(alter_error(topic_resource, t, {{"cleanup.policy", append, "shred"}}),
            error_code::invalid_config);
  EXPECT_EQ(described(topic_resource, t, "cleanup.policy").first, "compact");

  // APPEND and SUBTRACT only for LIST keys.
  auto [e, message] = alter(topic_resource, t, {{"retention.ms", append, "1"}});
  EXPECT_EQ(e, error_code::invalid_config);
  EXPECT_NE(message.value_or("").find("LIST"), std::string::npos) << message.value_or("");
  EXPECT_EQ(alter_error(topic_resource, t, {{"segment.ms", subtract, "1"}}),
            error_code::invalid_config);
}

TEST_F(cluster_apis, incremental_alter_configs_validate_only_and_bad_requests_change_nothing) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", set, "1000"}}, true),
            error_code::none);
  EXPECT_EQ(described(topic_resource, t, "retention.ms").second,
            protocol::config_source::default_config);
  // validate_only still validates.
  EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", set, "soon"}}, true),
            error_code::invalid_config);

  // One bad operation fails the resource, and the good ones with it are not applied.
  EXPECT_EQ(
      alter_error(topic_resource, t, {{"retention.ms", set, "1000"}, {"no.such.key", set, "1"}}),
      error_code::invalid_config);
  EXPECT_EQ(
      alter_error(topic_resource, t, {{"retention.ms", set, "1000"}, {"segment.ms", set, "-5"}}),
      error_code::invalid_config);
  EXPECT_EQ(described(topic_resource, t, "retention.ms").second,
            protocol::config_source::default_config);

  // Malformed operations: INVALID_REQUEST, as Kafka.
  EXPECT_EQ(alter_error(topic_resource, t,
                        {{"retention.ms", set, "1"}, {"retention.ms", remove, std::nullopt}}),
            error_code::invalid_request);
  EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", set, std::nullopt}}),
            error_code::invalid_request);
  EXPECT_EQ(alter_error(topic_resource, t, {{"retention.ms", 9, "1"}}),
            error_code::invalid_request);
  EXPECT_EQ(described(topic_resource, t, "retention.ms").second,
            protocol::config_source::default_config);

  EXPECT_EQ(alter_error(topic_resource, topic("missing"), {{"retention.ms", set, "1"}}),
            error_code::unknown_topic_or_partition);
  // BROKER_LOGGER and other types are not supported (as by AlterConfigs).
  EXPECT_EQ(alter_error(protocol::config_resource_broker_logger, node(), {{"root", set, "DEBUG"}}),
            error_code::invalid_request);

  // A resource named twice: both entries refused, neither applied; the other resource is.
  const auto u = topic("u");
  ASSERT_EQ(create_topic(u, 1), RdKafka::ERR_NO_ERROR);
  protocol::incremental_alter_configs_request twice;
  twice.resources = {{topic_resource, t, {{"retention.ms", set, "1000"}}},
                     {topic_resource, u, {{"retention.ms", set, "2000"}}},
                     {topic_resource, t, {{"segment.ms", set, "1000"}}}};
  auto r = call<protocol::incremental_alter_configs_response>(api_key::incremental_alter_configs, 0,
                                                              twice);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->responses.size(), 3u);
  EXPECT_EQ(r->responses[0].error_code, error_code::invalid_request);
  EXPECT_EQ(r->responses[1].error_code, error_code::none);
  EXPECT_EQ(r->responses[2].error_code, error_code::invalid_request);
  EXPECT_EQ(r->responses[2].resource_name, t);
  EXPECT_EQ(described(topic_resource, t, "retention.ms").second,
            protocol::config_source::default_config);
  EXPECT_EQ(described(topic_resource, u, "retention.ms").first, "2000");
}

TEST_F(cluster_apis, incremental_alter_configs_changes_dynamic_broker_keys) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(alter_error(broker_resource, node(), {{"log.retention.ms", set, "7200000"}}),
            error_code::none);
  EXPECT_EQ(described(broker_resource, node(), "log.retention.ms"),
            std::make_pair(std::string("7200000"), protocol::config_source::dynamic_broker_config));
  // A topic without its own override follows the broker's value.
  EXPECT_EQ(described(topic_resource, t, "retention.ms").first, "7200000");

  // A second key leaves the first in place.
  EXPECT_EQ(alter_error(broker_resource, node(), {{"log.cleanup.policy", append, "compact"}}),
            error_code::none);
  EXPECT_EQ(described(broker_resource, node(), "log.cleanup.policy").first, "delete,compact");
  EXPECT_EQ(described(broker_resource, node(), "log.retention.ms").first, "7200000");
  EXPECT_EQ(described(topic_resource, t, "cleanup.policy").first, "delete,compact");

  // The cluster-wide default layer ("") is a resource of its own.
  EXPECT_EQ(alter_error(broker_resource, "", {{"log.retention.ms", set, "3600000"}}),
            error_code::none);
  EXPECT_EQ(described(broker_resource, node(), "log.retention.ms").first, "7200000");

  EXPECT_EQ(alter_error(broker_resource, node(), {{"log.retention.ms", remove, std::nullopt}}),
            error_code::none);
  EXPECT_EQ(described(broker_resource, node(), "log.retention.ms"),
            std::make_pair(std::string("3600000"),
                           protocol::config_source::dynamic_default_broker_config));
  EXPECT_EQ(described(topic_resource, t, "retention.ms").first, "3600000");

  // Read-only, unknown and invalid keys; another broker's id.
  EXPECT_EQ(alter_error(broker_resource, node(), {{"listeners", set, "127.0.0.1:1"}}),
            error_code::invalid_config);
  EXPECT_EQ(alter_error(broker_resource, node(), {{"no.such.key", set, "1"}}),
            error_code::invalid_config);
  EXPECT_EQ(alter_error(broker_resource, node(), {{"log.retention.ms", append, "1"}}),
            error_code::invalid_config);
  EXPECT_EQ(alter_error(broker_resource, "7", {{"log.retention.ms", set, "1"}}),
            error_code::invalid_request);
  EXPECT_EQ(alter_error(broker_resource, node(), {{"log.retention.ms", set, "1"}}, true),
            error_code::none);
  EXPECT_EQ(described(broker_resource, node(), "log.retention.ms").first, "3600000");
}

}  // namespace
}  // namespace sluice::testing
