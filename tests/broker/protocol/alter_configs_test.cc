#include "broker/protocol/alter_configs.h"

#include "broker/protocol/describe_configs.h"
#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(alter_configs, request_v0_v1) {
  alter_configs_request m;
  m.resources = {{config_resource_topic, "t", {{"retention.ms", "1000"}, {"x", std::nullopt}}}};
  const auto golden = hex("00 00 00 01"             // resources: 1
                          "02"                      //   resource_type TOPIC
                          "00 01 't'"               //   resource_name
                          "00 00 00 02"             //   configs: 2
                          "00 0c 'retention.ms'"    //     name
                          "00 04 '1000'"            //     value
                          "00 01 'x' ff ff"         //     name, value null
                          "00");                    // validate_only
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(alter_configs, response_v0_v1) {
  alter_configs_response m;
  m.responses = {{error_code::invalid_config, "bad", config_resource_topic, "t"}};
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00 00 01"             // responses: 1
                          "00 28"                   //   INVALID_CONFIG (40)
                          "00 03 'bad'"             //   error_message
                          "02"                      //   resource_type
                          "00 01 't'");             //   resource_name
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(alter_configs, rejects_v2) {
  check_rejects_versions<alter_configs_request>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
