#include "core/protocol/incremental_alter_configs.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

incremental_alter_configs_request request() {
  incremental_alter_configs_request m;
  m.resources = {{2,
                  "t",
                  {{"a", config_operation_append, "x"},
                   {"d", config_operation_delete, std::nullopt}}}};
  m.validate_only = true;
  return m;
}

TEST(incremental_alter_configs, request_v0) {
  check_golden(request(),
               hex("00 00 00 01"           // resources: 1
                   "02"                    //   resource_type TOPIC
                   "00 01 't'"             //   resource_name
                   "00 00 00 02"           //   configs: 2
                   "00 01 'a'"             //     name
                   "02"                    //     config_operation APPEND
                   "00 01 'x'"             //     value
                   "00 01 'd' 01"          //     name, DELETE
                   "ff ff"                 //     value null
                   "01"),                  // validate_only
               0);
}

TEST(incremental_alter_configs, request_v1_flexible) {
  check_golden(request(),
               hex("02"                    // resources (compact): 1
                   "02 02 't'"
                   "03"                    //   configs (compact): 2
                   "02 'a' 02 02 'x' 00"   //     name, APPEND, value, tags
                   "02 'd' 01 00 00"       //     name, DELETE, null, tags
                   "00"                    //   tags
                   "01"                    // validate_only
                   "00"),                  // tags
               1);
}

incremental_alter_configs_response response() {
  incremental_alter_configs_response m;
  m.responses = {{error_code::none, std::nullopt, 4, "1"},
                 {error_code::invalid_config, "no", 2, "t"}};
  return m;
}

TEST(incremental_alter_configs, response_v0) {
  check_golden(response(),
               hex("00 00 00 00"           // throttle_time_ms
                   "00 00 00 02"           // responses: 2
                   "00 00"                 //   error_code NONE
                   "ff ff"                 //   error_message null
                   "04"                    //   resource_type BROKER
                   "00 01 '1'"             //   resource_name
                   "00 28"                 //   INVALID_CONFIG (40)
                   "00 02 'no'"
                   "02 00 01 't'"),
               0);
}

TEST(incremental_alter_configs, response_v1_flexible) {
  check_golden(response(),
               hex("00 00 00 00"
                   "03"                    // responses (compact): 2
                   "00 00 00 04 02 '1' 00" //   NONE, null message, BROKER, "1", tags
                   "00 28 03 'no' 02 02 't' 00"
                   "00"),                  // tags
               1);
}

TEST(incremental_alter_configs, rejects_v2) {
  check_rejects_versions<incremental_alter_configs_request>({-1, 2});
  check_rejects_versions<incremental_alter_configs_response>({-1, 2});
}

}  // namespace
}  // namespace sluice::protocol
