#include "core/protocol/describe_cluster.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(describe_cluster, request_v0) {
  describe_cluster_request m;
  m.include_cluster_authorized_operations = true;
  check_golden(m,
               hex("01"      // include_cluster_authorized_operations
                   "00"),    // tags
               0);
}

TEST(describe_cluster, request_v1) {
  describe_cluster_request m;
  m.include_cluster_authorized_operations = true;
  m.endpoint_type = endpoint_type_controller;
  check_golden(m,
               hex("01"
                   "02"      // endpoint_type 2 = controllers (v1+)
                   "00"),
               1);
}

TEST(describe_cluster, request_v2) {
  describe_cluster_request m;
  m.include_fenced_brokers = true;
  check_golden(m,
               hex("00"      // include_cluster_authorized_operations false
                   "01"      // endpoint_type 1 = brokers
                   "01"      // include_fenced_brokers (v2+)
                   "00"),
               2);
}

describe_cluster_response response_for(int16_t v) {
  describe_cluster_response m;
  m.cluster_id = "c1";
  m.controller_id = node_id{1};
  describe_cluster_response::describe_cluster_broker b;
  b.broker_id = node_id{1};
  b.host = "h";
  b.port = 9092;
  b.rack = "r";
  if (v >= 2) b.is_fenced = true;
  m.brokers = {b};
  m.cluster_authorized_operations = 0x0ea0;  // bits 5, 7, 9, 10, 11
  return m;
}

TEST(describe_cluster, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 00"           // throttle_time_ms
                   "00 00"                 // error_code NONE
                   "00"                    // error_message null (compact nullable)
                   "03 'c1'"               // cluster_id
                   "00 00 00 01"           // controller_id 1
                   "02"                    // brokers: 1
                   "00 00 00 01"           //   broker_id 1
                   "02 'h'"                //   host
                   "00 00 23 84"           //   port 9092
                   "02 'r'"                //   rack
                   "00"                    //   tags
                   "00 00 0e a0"           // cluster_authorized_operations
                   "00"),                  // tags
               0);
}

TEST(describe_cluster, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 00 00 00 00"
                   "01"                    // endpoint_type 1 (v1+)
                   "03 'c1' 00 00 00 01"
                   "02 00 00 00 01 02 'h' 00 00 23 84 02 'r' 00"
                   "00 00 0e a0 00"),
               1);
}

TEST(describe_cluster, response_v2) {
  check_golden(response_for(2),
               hex("00 00 00 00 00 00 00 01 03 'c1' 00 00 00 01"
                   "02 00 00 00 01 02 'h' 00 00 23 84 02 'r'"
                   "01"                    //   is_fenced (v2+)
                   "00"
                   "00 00 0e a0 00"),
               2);
}

TEST(describe_cluster, response_v1_mismatched_endpoint) {
  describe_cluster_response m;
  m.error_code = error_code::mismatched_endpoint_type;
  m.error_message = "m";
  check_golden(m,
               hex("00 00 00 00"
                   "00 72"                 // MISMATCHED_ENDPOINT_TYPE (114)
                   "02 'm'"                // error_message
                   "01"                    // endpoint_type 1
                   "01"                    // cluster_id ""
                   "ff ff ff ff"           // controller_id -1
                   "01"                    // brokers: 0
                   "80 00 00 00"           // cluster_authorized_operations INT32_MIN (not asked)
                   "00"),
               1);
}

TEST(describe_cluster, rejects_v3) {
  check_rejects_versions<describe_cluster_request>({-1, 3});
  check_rejects_versions<describe_cluster_response>({-1, 3});
}

}  // namespace
}  // namespace sluice::protocol
