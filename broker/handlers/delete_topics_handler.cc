#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/delete_topics.h"

#include <map>
#include <set>

namespace sluice::broker {
namespace {

using protocol::error_code;
using result_entry = protocol::delete_topics_response::deletable_topic_result;

/// One topic reference of the request: by name (v0–5 always; v6 with the zero id) or by id.
struct reference {
  std::optional<std::string> name;
  protocol::uuid id;
};

result_entry failed(std::optional<std::string> name, protocol::uuid id, error_code code,
                    std::string message) {
  return {std::move(name), id, code, std::move(message)};
}

/// Deletes the topic `name` (id `id`, found by the caller) and says how that went.
result_entry delete_one(broker_context& ctx, const std::string& name, protocol::uuid id,
                        bool by_id) {
  if (name.starts_with("__")) {  // internal topics stay
    return failed(name, id, error_code::invalid_topic_exception,
                  "internal topic '" + name + "' cannot be deleted");
  }
  if (auto deleted = ctx.logs().delete_topic(name); !deleted) {
    auto code = to_kafka_error(deleted.error());
    // Deleted by someone else since it was looked up.
    if (by_id && code == error_code::unknown_topic_or_partition) {
      code = error_code::unknown_topic_id;
    }
    return failed(name, id, code, deleted.error().message());
  }
  ctx.groups().on_topic_deleted(name);
  return {name, id, error_code::none, std::nullopt};
}

}  // namespace

// Apache Kafka 4's answers (the KRaft controller's): a topic named twice, or named both by
// name and by its id, is refused with INVALID_REQUEST and not deleted; v6 entries must give
// exactly one of name and id (INVALID_REQUEST otherwise); an unknown id is UNKNOWN_TOPIC_ID
// with a null name, an unknown name UNKNOWN_TOPIC_OR_PARTITION with the zero id. Each distinct
// reference gets one entry, in request order (Kafka shuffles them; clients match by name/id).
void handle_delete_topics(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::delete_topics_request>(req);
  if (!body) return respond(reply::malformed());
  std::vector<reference> refs;
  if (req.version >= 6) {
    for (auto& t : body->topics) refs.push_back({std::move(t.name), t.topic_id});
  } else {
    for (auto& n : body->topic_names) refs.push_back({std::move(n), protocol::uuid{}});
  }
  std::map<std::string, int> name_count;
  std::map<storage::topic_id, int> id_count;
  for (const auto& r : refs) {
    const bool has_id = r.id != protocol::uuid{};
    if (r.name && !has_id) ++name_count[*r.name];
    if (!r.name && has_id) ++id_count[r.id.value];
  }
  // The topics the by-id references resolve to, to catch a topic also named by name.
  std::set<std::string> named_by_id;
  for (const auto& entry : id_count) {
    if (auto info = ctx.logs().topic_by_id(entry.first)) named_by_id.insert(info->name);
  }

  protocol::delete_topics_response resp;
  std::set<std::string> answered_names;
  std::set<storage::topic_id> answered_ids;
  for (const auto& r : refs) {
    const bool has_id = r.id != protocol::uuid{};
    if (!r.name && !has_id) {
      resp.responses.push_back(failed(std::nullopt, r.id, error_code::invalid_request,
                                      "neither a topic name nor a topic id was given"));
      continue;
    }
    if (r.name && has_id) {
      resp.responses.push_back(failed(r.name, r.id, error_code::invalid_request,
                                      "give a topic name or a topic id, not both"));
      continue;
    }
    if (r.name) {
      const std::string& name = *r.name;
      if (!answered_names.insert(name).second) continue;
      if (name_count[name] > 1) {
        resp.responses.push_back(failed(name, protocol::uuid{}, error_code::invalid_request,
                                        "topic '" + name + "' is named more than once"));
        continue;
      }
      auto info = ctx.logs().topic(name);
      if (!info) {
        resp.responses.push_back(failed(name, protocol::uuid{},
                                        error_code::unknown_topic_or_partition,
                                        "topic '" + name + "' does not exist"));
        continue;
      }
      const protocol::uuid id{info->id};
      if (named_by_id.contains(name)) {
        resp.responses.push_back(failed(name, id, error_code::invalid_request,
                                        "topic '" + name + "' is also named by its id"));
        continue;
      }
      resp.responses.push_back(delete_one(ctx, name, id, false));
      continue;
    }
    if (!answered_ids.insert(r.id.value).second) continue;
    if (id_count[r.id.value] > 1) {
      resp.responses.push_back(failed(std::nullopt, r.id, error_code::invalid_request,
                                      "a topic id is named more than once"));
      continue;
    }
    auto info = ctx.logs().topic_by_id(r.id.value);
    if (!info) {
      resp.responses.push_back(
          failed(std::nullopt, r.id, error_code::unknown_topic_id, "no topic has this id"));
      continue;
    }
    if (name_count.contains(info->name)) {
      resp.responses.push_back(failed(info->name, r.id, error_code::invalid_request,
                                      "topic '" + info->name + "' is also named by its name"));
      continue;
    }
    resp.responses.push_back(delete_one(ctx, info->name, r.id, true));
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
