#include "core/protocol/describe_cluster.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr bool flex = true;  // flexible from v0
}  // namespace

result<describe_cluster_request> describe_cluster_request::decode(reader& r, int16_t version) {
  if (!describe_cluster_versions.contains(version)) return errc::unsupported_version;
  describe_cluster_request m;
  m.include_cluster_authorized_operations = r.read_bool();
  if (version >= 1) m.endpoint_type = r.read_int8();
  if (version >= 2) m.include_fenced_brokers = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_cluster_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_cluster_versions.contains(version),
                "DescribeCluster version not implemented");
  w.write_bool(include_cluster_authorized_operations);
  if (version >= 1) w.write_int8(endpoint_type);
  if (version >= 2) w.write_bool(include_fenced_brokers);
  write_tags(w, flex);
}

result<describe_cluster_response> describe_cluster_response::decode(reader& r, int16_t version) {
  if (!describe_cluster_versions.contains(version)) return errc::unsupported_version;
  describe_cluster_response m;
  m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  m.error_message = read_nullable_string(r, flex);
  if (version >= 1) m.endpoint_type = r.read_int8();
  m.cluster_id = read_string(r, flex);
  m.controller_id = read_int<core::node_id>(r);
  m.brokers = read_array<describe_cluster_broker>(r, flex, [&](reader& r) {
    describe_cluster_broker b;
    b.broker_id = read_int<core::node_id>(r);
    b.host = read_string(r, flex);
    b.port = r.read_int32();
    b.rack = read_nullable_string(r, flex);
    if (version >= 2) b.is_fenced = r.read_bool();
    read_tags(r, flex);
    return b;
  });
  m.cluster_authorized_operations = r.read_int32();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_cluster_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_cluster_versions.contains(version),
                "DescribeCluster version not implemented");
  w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_nullable_string(w, flex, error_message);
  if (version >= 1) w.write_int8(endpoint_type);
  write_string(w, flex, cluster_id);
  write_int(w, controller_id);
  write_array(w, flex, brokers, [&](writer& w, const describe_cluster_broker& b) {
    write_int(w, b.broker_id);
    write_string(w, flex, b.host);
    w.write_int32(b.port);
    write_nullable_string(w, flex, b.rack);
    if (version >= 2) w.write_bool(b.is_fenced);
    write_tags(w, flex);
  });
  w.write_int32(cluster_authorized_operations);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
