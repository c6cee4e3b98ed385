#include "broker/protocol/create_topics.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
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

create_topics_response response_for(int16_t v) {
  create_topics_response m;
  create_topics_response::creatable_topic_result ok;
  ok.name = "a";
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

TEST(create_topics, rejects_v5) {
  check_rejects_versions<create_topics_request>({5});
}

}  // namespace
}  // namespace sluice::broker::protocol
