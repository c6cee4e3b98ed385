#include "core/protocol/describe_configs.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

describe_configs_request request_for(int16_t v) {
  describe_configs_request m;
  m.resources = {{config_resource_topic, "t", std::nullopt},
                 {config_resource_broker, "1", std::vector<std::string>{"a.b"}}};
  if (v >= 1) m.include_synonyms = true;
  if (v >= 3) m.include_documentation = true;
  return m;
}

TEST(describe_configs, request_v0) {
  check_golden(request_for(0),
               hex("00 00 00 02"          // resources: 2
                   "02"                   //   resource_type TOPIC
                   "00 01 't'"            //   resource_name
                   "ff ff ff ff"          //   configuration_keys null (all)
                   "04"                   //   resource_type BROKER
                   "00 01 '1'"
                   "00 00 00 01 00 03 'a.b'"),
               0);
}

TEST(describe_configs, request_v1_v2) {
  const auto golden = hex("00 00 00 02 02 00 01 't' ff ff ff ff 04 00 01 '1'"
                          "00 00 00 01 00 03 'a.b'"
                          "01");          // include_synonyms (v1+)
  check_golden(request_for(1), golden, 1);
  check_golden(request_for(2), golden, 2);
}

TEST(describe_configs, request_v3) {
  check_golden(request_for(3),
               hex("00 00 00 02 02 00 01 't' ff ff ff ff 04 00 01 '1'"
                   "00 00 00 01 00 03 'a.b'"
                   "01"           // include_synonyms
                   "01"),         // include_documentation (v3+)
               3);
}

TEST(describe_configs, request_v4_is_flexible) {
  check_golden(request_for(4),
               hex("03"           // resources: 2 (compact)
                   "02"           //   resource_type TOPIC
                   "02 't'"       //   resource_name
                   "00"           //   configuration_keys null (all)
                   "00"           //   tags
                   "04"           //   resource_type BROKER
                   "02 '1'"
                   "02 04 'a.b'"  //   configuration_keys: ["a.b"]
                   "00"           //   tags
                   "01"           // include_synonyms
                   "01"           // include_documentation
                   "00"),         // tags
               4);
}

describe_configs_response response_for(int16_t v) {
  describe_configs_response m;
  describe_configs_response::describe_configs_resource_result c;
  c.name = "cleanup.policy";
  c.value = "delete";
  if (v == 0) {
    c.is_default = true;
  } else {
    c.config_source = static_cast<int8_t>(config_source::default_config);
    c.synonyms = {{"cleanup.policy", "delete", 5}};
  }
  if (v >= 3) {
    c.config_type = static_cast<int8_t>(config_type::list_type);
    c.documentation = "doc";
  }
  describe_configs_response::describe_configs_result res;
  res.resource_type = config_resource_topic;
  res.resource_name = "t";
  res.configs = {c};
  m.results = {res};
  return m;
}

TEST(describe_configs, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 00"              // throttle_time_ms
                   "00 00 00 01"              // results: 1
                   "00 00"                    //   error_code
                   "ff ff"                    //   error_message null
                   "02"                       //   resource_type
                   "00 01 't'"                //   resource_name
                   "00 00 00 01"              //   configs: 1
                   "00 0e 'cleanup.policy'"   //     name
                   "00 06 'delete'"           //     value
                   "00"                       //     read_only
                   "01"                       //     is_default (v0 only)
                   "00"),                     //     is_sensitive
               0);
}

TEST(describe_configs, response_v1_v2) {
  const auto golden = hex("00 00 00 00 00 00 00 01 00 00 ff ff 02 00 01 't'"
                          "00 00 00 01"
                          "00 0e 'cleanup.policy' 00 06 'delete'"
                          "00"                        // read_only
                          "05"                        // config_source DEFAULT_CONFIG (v1+)
                          "00"                        // is_sensitive
                          "00 00 00 01"               // synonyms: 1 (v1+)
                          "00 0e 'cleanup.policy'"    //   name
                          "00 06 'delete'"            //   value
                          "05");                      //   source
  check_golden(response_for(1), golden, 1);
  check_golden(response_for(2), golden, 2);
}

TEST(describe_configs, response_v3) {
  const auto golden = hex("00 00 00 00 00 00 00 01 00 00 ff ff 02 00 01 't'"
                          "00 00 00 01"
                          "00 0e 'cleanup.policy' 00 06 'delete'"
                          "00 05 00"                  // read_only, config_source, is_sensitive
                          "00 00 00 01"               // synonyms: 1
                          "00 0e 'cleanup.policy' 00 06 'delete' 05"
                          "07"                        // config_type LIST (v3+)
                          "00 03 'doc'");             // documentation (v3+)
  check_golden(response_for(3), golden, 3);
  auto undocumented = response_for(3);
  undocumented.results[0].configs[0].documentation = std::nullopt;
  undocumented.results[0].configs[0].config_type = static_cast<int8_t>(config_type::unknown);
  check_golden(undocumented,
               hex("00 00 00 00 00 00 00 01 00 00 ff ff 02 00 01 't'"
                   "00 00 00 01"
                   "00 0e 'cleanup.policy' 00 06 'delete' 00 05 00"
                   "00 00 00 01 00 0e 'cleanup.policy' 00 06 'delete' 05"
                   "00"                               // config_type UNKNOWN
                   "ff ff"),                          // documentation null
               3);
}

TEST(describe_configs, response_v4_is_flexible) {
  auto m = response_for(4);
  m.results.push_back({error_code::invalid_request, "nope", config_resource_broker, "9", {}});
  check_golden(m,
               hex("00 00 00 00"                // throttle_time_ms
                   "03"                         // results: 2 (compact)
                   "00 00"                      //   error_code
                   "00"                         //   error_message null
                   "02"                         //   resource_type
                   "02 't'"                     //   resource_name
                   "02"                         //   configs: 1
                   "0f 'cleanup.policy'"        //     name
                   "07 'delete'"                //     value
                   "00 05 00"                   //     read_only, config_source, is_sensitive
                   "02"                         //     synonyms: 1
                   "0f 'cleanup.policy'"        //       name
                   "07 'delete'"                //       value
                   "05"                         //       source
                   "00"                         //       tags
                   "07"                         //     config_type LIST
                   "04 'doc'"                   //     documentation
                   "00"                         //     tags
                   "00"                         //   tags
                   "00 2a"                      //   INVALID_REQUEST (42)
                   "05 'nope'"                  //   error_message
                   "04 02 '9'"                  //   BROKER "9"
                   "01"                         //   configs: 0
                   "00"                         //   tags
                   "00"),                       // tags
               4);
}

TEST(describe_configs, rejects_v5) {
  check_rejects_versions<describe_configs_request>({5});
  check_rejects_versions<describe_configs_response>({5});
}

}  // namespace
}  // namespace sluice::protocol
