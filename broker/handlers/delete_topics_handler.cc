#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/delete_topics.h"

namespace sluice::broker {

void handle_delete_topics(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::delete_topics_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::delete_topics_response resp;
  for (const auto& name : body->topic_names) {
    auto& r = resp.responses.emplace_back();
    r.name = name;
    if (name.starts_with("__")) {
      r.error_code = protocol::error_code::invalid_topic_exception;  // internal topics stay
      continue;
    }
    if (auto deleted = ctx.logs().delete_topic(name); !deleted) {
      r.error_code = to_kafka_error(deleted.error());
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
