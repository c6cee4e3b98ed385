#include "broker/protocol/find_coordinator.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
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

TEST(find_coordinator, rejects_v3) {
  check_rejects_versions<find_coordinator_request>({3});
}

}  // namespace
}  // namespace sluice::broker::protocol
