#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/acl.h"
#include "core/protocol/describe_cluster.h"

#include <string>

namespace sluice::broker {

void handle_describe_cluster(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_cluster_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::describe_cluster_response resp;
  // Every listener of ours is a broker endpoint (KIP-919). Kafka answers any other endpoint
  // type with the error alone (v0 cannot ask for one: it always means brokers).
  if (body->endpoint_type != protocol::endpoint_type_broker) {
    if (body->endpoint_type == protocol::endpoint_type_controller) {
      resp.error_code = protocol::error_code::mismatched_endpoint_type;
      resp.error_message =
          "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type "
          "CONTROLLER";
    } else {
      resp.error_code = protocol::error_code::unsupported_endpoint_type;
      resp.error_message =
          "Unsupported endpoint type " + std::to_string(static_cast<int>(body->endpoint_type));
    }
    return respond(encode_body(resp, req.version));
  }
  const auto& settings = ctx.settings();
  resp.endpoint_type = protocol::endpoint_type_broker;
  resp.cluster_id = settings.cluster_id;
  // The one node is the controller, as Metadata reports it. It is never fenced, so
  // include_fenced_brokers (v2) changes nothing.
  resp.controller_id = core::node_id{settings.node_id};
  resp.brokers.push_back({core::node_id{settings.node_id}, settings.advertised_host,
                          settings.advertised_port, std::nullopt, false});
  // No authorizer: every operation the cluster supports, when asked (INT32_MIN otherwise).
  if (body->include_cluster_authorized_operations) {
    resp.cluster_authorized_operations =
        protocol::supported_operations(protocol::resource_type::cluster);
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
