#include "core/protocol/create_topics.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

create_topics_request request_for(int16_t v) {
  create_topics_request m;
  create_topics_request::creatable_topic a;
  a.name = "a";
  a.num_partitions = 3;
  a.replication_factor = 1;
  a.configs = {{"cleanup.policy", "compact"}, {"retention.ms", std::nullopt}};
  create_topics_request::creatable_topic b;
  b.name = "b";
  b.num_partitions = -1;
  b.replication_factor = -1;
  b.assignments = {{partition_id{0}, {node_id{1}}}};
  m.topics = {a, b};
  m.timeout_ms = 5000;
  if (v >= 1) m.validate_only = true;
  return m;
}

const char* const request_topics =
    "00 00 00 02"                  // topics: 2
    "00 01 'a'"                    //   name
    "00 00 00 03"                  //   num_partitions 3
    "00 01"                        //   replication_factor 1
    "00 00 00 00"                  //   assignments: 0
    "00 00 00 02"                  //   configs: 2
    "00 0e 'cleanup.policy'"       //     name
    "00 07 'compact'"              //     value
    "00 0c 'retention.ms'"         //     name
    "ff ff"                        //     value null
    "00 01 'b'"                    //   name
    "ff ff ff ff"                  //   num_partitions -1
    "ff ff"                        //   replication_factor -1
    "00 00 00 01"                  //   assignments: 1
    "00 00 00 00"                  //     partition_index 0
    "00 00 00 01 00 00 00 01"      //     broker_ids [1]
    "00 00 00 00";                 //   configs: 0

TEST(create_topics, request_v0) {
  check_golden(request_for(0),
               hex(std::string(request_topics) + "00 00 13 88"),  // timeout_ms 5000
               0);
}

TEST(create_topics, request_v1_to_v4) {
  const auto golden = hex(std::string(request_topics) +
                          "00 00 13 88"   // timeout_ms
                          "01");          // validate_only (v1+)
  for (int16_t v = 1; v <= 4; ++v) check_golden(request_for(v), golden, v);
}

TEST(create_topics, request_v5_to_v7_are_flexible) {
  const auto golden =
      hex("03"                   // topics: 2 (compact)
          "02 'a'"               //   name
          "00 00 00 03"          //   num_partitions 3
          "00 01"                //   replication_factor 1
          "01"                   //   assignments: 0
          "03"                   //   configs: 2
          "0f 'cleanup.policy'"  //     name
          "08 'compact'"         //     value
          "00"                   //     tags
          "0d 'retention.ms'"    //     name
          "00"                   //     value null
          "00"                   //     tags
          "00"                   //   tags
          "02 'b'"               //   name
          "ff ff ff ff"          //   num_partitions -1
          "ff ff"                //   replication_factor -1
          "02"                   //   assignments: 1
          "00 00 00 00"          //     partition_index 0
          "02 00 00 00 01"       //     broker_ids [1]
          "00"                   //     tags
          "01"                   //   configs: 0
          "00"                   //   tags
          "00 00 13 88"          // timeout_ms
          "01"                   // validate_only
          "00");                 // tags
  for (int16_t v = 5; v <= 7; ++v) check_golden(request_for(v), golden, v);
}

TEST(create_topics, request_v5_skips_unknown_tags) {
  const auto tagged =
      hex("01"              // topics: 0
          "00 00 13 88 00"  // timeout_ms, validate_only
          "01 05 01 ff");   // tags: one unknown field (tag 5, 1 byte)
  create_topics_request expected;
  expected.timeout_ms = 5000;
  EXPECT_TRUE(decode_all<create_topics_request>(tagged, 5) == expected);
}

create_topics_response response_for(int16_t v) {
  create_topics_response m;
  create_topics_response::creatable_topic_result ok;
  ok.name = "a";
  if (v >= 5) {
    ok.num_partitions = 3;
    ok.replication_factor = 1;
    ok.configs = std::vector<create_topics_response::creatable_topic_configs>{
        {"cleanup.policy", "compact", false, 1, false},
        {"retention.ms", "604800000", false, 5, false}};
  }
  if (v >= 7) ok.topic_id.value = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  create_topics_response::creatable_topic_result exists;
  exists.name = "b";
  exists.error_code = error_code::topic_already_exists;
  if (v >= 1) exists.error_message = "exists";
  m.topics = {ok, exists};
  if (v >= 2) m.throttle_time_ms = 0;
  return m;
}

TEST(create_topics, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 02"        // topics: 2
                   "00 01 'a' 00 00"    //   name, error_code
                   "00 01 'b' 00 24"),  //   name, TOPIC_ALREADY_EXISTS (36)
               0);
}

TEST(create_topics, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 02"
                   "00 01 'a' 00 00 ff ff"           // error_message null (v1+)
                   "00 01 'b' 00 24 00 06 'exists'"),
               1);
}

TEST(create_topics, response_v2_to_v4) {
  const auto golden = hex("00 00 00 00"            // throttle_time_ms (v2+)
                          "00 00 00 02"
                          "00 01 'a' 00 00 ff ff"
                          "00 01 'b' 00 24 00 06 'exists'");
  for (int16_t v = 2; v <= 4; ++v) check_golden(response_for(v), golden, v);
}

const char* const response_v5_first_topic_tail =
    "00 00"                //   error_code
    "00"                   //   error_message null
    "00 00 00 03"          //   num_partitions 3 (v5+)
    "00 01"                //   replication_factor 1 (v5+)
    "03"                   //   configs: 2 (v5+)
    "0f 'cleanup.policy'"  //     name
    "08 'compact'"         //     value
    "00"                   //     read_only
    "01"                   //     config_source DYNAMIC_TOPIC_CONFIG
    "00"                   //     is_sensitive
    "00"                   //     tags
    "0d 'retention.ms'"    //     name
    "0a '604800000'"       //     value
    "00"                   //     read_only
    "05"                   //     config_source DEFAULT_CONFIG
    "00"                   //     is_sensitive
    "00"                   //     tags
    "00";                  //   tags

const char* const response_v5_second_topic_tail =
    "00 24"        //   TOPIC_ALREADY_EXISTS
    "07 'exists'"  //   error_message
    "ff ff ff ff"  //   num_partitions -1
    "ff ff"        //   replication_factor -1
    "01"           //   configs: 0
    "00";          //   tags

TEST(create_topics, response_v5_v6_are_flexible) {
  const auto golden = hex(std::string("00 00 00 00"  // throttle_time_ms
                                      "03"           // topics: 2
                                      "02 'a'") +    //   name
                          response_v5_first_topic_tail +
                          "02 'b'" +                              //   name
                          response_v5_second_topic_tail + "00");  // tags
  check_golden(response_for(5), golden, 5);
  check_golden(response_for(6), golden, 6);
}

TEST(create_topics, response_v7_adds_the_topic_id) {
  const auto golden =
      hex(std::string("00 00 00 00"
                      "03"
                      "02 'a'"
                      "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f") +  // topic_id
          response_v5_first_topic_tail +
          "02 'b'"
          "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" +  // topic_id: none
          response_v5_second_topic_tail +
          "00");
  check_golden(response_for(7), golden, 7);
}

TEST(create_topics, response_v5_null_configs_and_topic_config_error_tag) {
  create_topics_response m;
  auto& t = m.topics.emplace_back();
  t.name = "a";
  t.configs = std::nullopt;
  check_golden(m,
               hex("00 00 00 00 02 02 'a' 00 00 00"
                   "ff ff ff ff ff ff"  // num_partitions, replication_factor -1
                   "00"                 // configs: null
                   "00 00"),            // tags
               5);
  // Kafka's TopicConfigErrorCode (tag 0) is read past, never kept or written.
  const auto tagged =
      hex("00 00 00 00 02 02 'a' 00 00 00 ff ff ff ff ff ff 00"
          "01 00 02 00 1d"  // tags: TopicConfigErrorCode = 29
          "00");
  EXPECT_TRUE(decode_all<create_topics_response>(tagged, 5) == m);
}

TEST(create_topics, rejects_v8) {
  check_rejects_versions<create_topics_request>({8});
  check_rejects_versions<create_topics_response>({8});
}

}  // namespace
}  // namespace sluice::protocol
