#pragma once
/// DeleteTopics (key 20), versions 0–6; flexible from v4. v2 and v3 repeat the v1 wire format
/// (v3: TOPIC_DELETION_DISABLED may be answered).
///
/// Request:  v0–5 topic_names [string]; v6 topics [name (nullable), topic_id] (a topic by name
///           or by id: exactly one of the two); timeout_ms.
/// Response: throttle_time_ms (v1+), responses [name (nullable from v6), topic_id (v6+),
///           error_code, error_message (v5+, nullable)].
///
/// A null response name is written as "" before v6 (never done by the handler: it only leaves
/// the name out for ids it cannot resolve, which only v6 can send).

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/types.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range delete_topics_versions{0, 6};

struct delete_topics_request {
  /// DeleteTopicState (v6+)
  struct delete_topic_state {
    std::optional<std::string> name;  ///< null when the topic is named by its id
    uuid topic_id;                    ///< zero when the topic is named by its name
    bool operator==(const delete_topic_state&) const = default;
  };

  std::vector<delete_topic_state> topics;  ///< v6+
  std::vector<std::string> topic_names;    ///< v0–5
  int32_t timeout_ms = 0;

  static result<delete_topics_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_topics_request&) const = default;
};

struct delete_topics_response {
  /// DeletableTopicResult
  struct deletable_topic_result {
    std::optional<std::string> name;  ///< nullable from v6 (an unknown topic id)
    uuid topic_id;                    ///< v6+
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;  ///< v5+
    bool operator==(const deletable_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  std::vector<deletable_topic_result> responses;

  static result<delete_topics_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_topics_response&) const = default;
};

}  // namespace sluice::protocol
