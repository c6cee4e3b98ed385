#include "core/protocol/alter_configs.h"

#include "core/protocol/describe_configs.h"
#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

alter_configs_request request() {
  alter_configs_request m;
  m.resources = {{config_resource_topic, "t", {{"retention.ms", "1000"}, {"x", std::nullopt}}}};
  return m;
}

TEST(alter_configs, request_v0_v1) {
  const auto golden = hex("00 00 00 01"             // resources: 1
                          "02"                      //   resource_type TOPIC
                          "00 01 't'"               //   resource_name
                          "00 00 00 02"             //   configs: 2
                          "00 0c 'retention.ms'"    //     name
                          "00 04 '1000'"            //     value
                          "00 01 'x' ff ff"         //     name, value null
                          "00");                    // validate_only
  check_golden(request(), golden, 0);
  check_golden(request(), golden, 1);
}

TEST(alter_configs, request_v2_is_flexible) {
  check_golden(request(),
               hex("02"                      // resources: 1 (compact)
                   "02"                      //   resource_type TOPIC
                   "02 't'"                  //   resource_name
                   "03"                      //   configs: 2
                   "0d 'retention.ms'"       //     name
                   "05 '1000'"               //     value
                   "00"                      //     tags
                   "02 'x' 00"               //     name, value null
                   "00"                      //     tags
                   "00"                      //   tags
                   "00"                      // validate_only
                   "00"),                    // tags
               2);
}

alter_configs_response response() {
  alter_configs_response m;
  m.responses = {{error_code::invalid_config, "bad", config_resource_topic, "t"},
                 {error_code::none, std::nullopt, config_resource_broker, "0"}};
  return m;
}

TEST(alter_configs, response_v0_v1) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00 00 02"             // responses: 2
                          "00 28"                   //   INVALID_CONFIG (40)
                          "00 03 'bad'"             //   error_message
                          "02"                      //   resource_type
                          "00 01 't'"               //   resource_name
                          "00 00 ff ff"             //   no error, error_message null
                          "04 00 01 '0'");          //   BROKER "0"
  check_golden(response(), golden, 0);
  check_golden(response(), golden, 1);
}

TEST(alter_configs, response_v2_is_flexible) {
  check_golden(response(),
               hex("00 00 00 00"             // throttle_time_ms
                   "03"                      // responses: 2 (compact)
                   "00 28"                   //   INVALID_CONFIG
                   "04 'bad'"                //   error_message
                   "02"                      //   resource_type
                   "02 't'"                  //   resource_name
                   "00"                      //   tags
                   "00 00 00"                //   no error, error_message null
                   "04 02 '0'"               //   BROKER "0"
                   "00"                      //   tags
                   "00"),                    // tags
               2);
}

TEST(alter_configs, rejects_v3) {
  check_rejects_versions<alter_configs_request>({3});
  check_rejects_versions<alter_configs_response>({3});
}

}  // namespace
}  // namespace sluice::protocol
