#include "core/protocol/find_coordinator.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(find_coordinator, request_v0) {
  find_coordinator_request m;
  m.key = "group";
  check_golden(m, hex("00 05 'group'"), 0);  // key
}

TEST(find_coordinator, request_v1_v2) {
  find_coordinator_request m;
  m.key = "txid";
  m.key_type = coordinator_type_transaction;
  const auto golden = hex("00 04 'txid'"  // key
                          "01");          // key_type transaction (v1+)
  check_golden(m, golden, 1);
  check_golden(m, golden, 2);
}

TEST(find_coordinator, request_v3_is_flexible) {
  find_coordinator_request m;
  m.key = "txid";
  m.key_type = coordinator_type_transaction;
  check_golden(m,
               hex("05 'txid'"    // key (compact)
                   "01"           // key_type
                   "00"),         // tags
               3);
}

TEST(find_coordinator, request_v4_to_v6_are_batched) {
  find_coordinator_request m;
  m.coordinator_keys = {"g1", "g2"};
  const auto golden = hex("00"             // key_type group (no key from v4)
                          "03"             // coordinator_keys: 2 (compact)
                          "03 'g1'"
                          "03 'g2'"
                          "00");           // tags
  for (int16_t v = 4; v <= 6; ++v) check_golden(m, golden, v);
  find_coordinator_request share;
  share.key_type = coordinator_type_share;
  share.coordinator_keys = {"sg:topic-id:0"};
  check_golden(share,
               hex("02"                    // key_type share (v6)
                   "02 0e 'sg:topic-id:0'"
                   "00"),
               6);
  check_golden(find_coordinator_request{}, hex("00 01 00"), 4);  // no keys
}

find_coordinator_response response() {
  find_coordinator_response m;
  m.node_id = node_id{1};
  m.host = "localhost";
  m.port = 9092;
  return m;
}

TEST(find_coordinator, response_v0) {
  check_golden(response(),
               hex("00 00"               // error_code
                   "00 00 00 01"         // node_id
                   "00 09 'localhost'"   // host
                   "00 00 23 84"),       // port 9092
               0);
}

TEST(find_coordinator, response_v1_v2) {
  const auto golden = hex("00 00 00 00"  // throttle_time_ms (v1+)
                          "00 00"        // error_code
                          "ff ff"        // error_message null (v1+)
                          "00 00 00 01 00 09 'localhost' 00 00 23 84");
  check_golden(response(), golden, 1);
  check_golden(response(), golden, 2);
  auto err = response();
  err.error_code = error_code::coordinator_not_available;
  err.error_message = "loading";
  check_golden(err,
               hex("00 00 00 00 00 0f 00 07 'loading'"
                   "00 00 00 01 00 09 'localhost' 00 00 23 84"),
               2);
}

TEST(find_coordinator, response_v3_is_flexible) {
  check_golden(response(),
               hex("00 00 00 00"         // throttle_time_ms
                   "00 00"               // error_code
                   "00"                  // error_message null (compact)
                   "00 00 00 01"         // node_id
                   "0a 'localhost'"      // host (compact)
                   "00 00 23 84"         // port
                   "00"),                // tags
               3);
}

TEST(find_coordinator, response_v4_to_v6_are_batched) {
  find_coordinator_response m;
  m.coordinators = {{"g1", node_id{1}, "localhost", 9092, error_code::none, std::nullopt},
                    {"g2", node_id{-1}, "", -1, error_code::invalid_request, "bad"}};
  const auto golden = hex("00 00 00 00"        // throttle_time_ms
                          "03"                 // coordinators: 2 (compact)
                          "03 'g1'"            //   key
                          "00 00 00 01"        //   node_id
                          "0a 'localhost'"     //   host
                          "00 00 23 84"        //   port
                          "00 00"              //   error_code
                          "00"                 //   error_message null
                          "00"                 //   tags
                          "03 'g2'"
                          "ff ff ff ff"        //   node_id -1
                          "01"                 //   host ""
                          "ff ff ff ff"        //   port -1
                          "00 2a"              //   INVALID_REQUEST (42)
                          "04 'bad'"           //   error_message
                          "00"
                          "00");               // tags
  for (int16_t v = 4; v <= 6; ++v) check_golden(m, golden, v);
}

TEST(find_coordinator, rejects_v7) {
  check_rejects_versions<find_coordinator_request>({7});
  check_rejects_versions<find_coordinator_response>({7});
}

}  // namespace
}  // namespace sluice::protocol
