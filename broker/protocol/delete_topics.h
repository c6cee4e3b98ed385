#pragma once
/// DeleteTopics (key 20), versions 0–1 (none flexible).
///
/// Request:  topic_names [string], timeout_ms.
/// Response: throttle_time_ms (v1+), responses [name, error_code].

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::broker::protocol {

inline constexpr version_range delete_topics_versions{0, 1};

struct delete_topics_request {
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;

  static result<delete_topics_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_topics_request&) const = default;
};

struct delete_topics_response {
  /// DeletableTopicResult
  struct deletable_topic_result {
    std::string name;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const deletable_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  std::vector<deletable_topic_result> responses;

  static result<delete_topics_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_topics_response&) const = default;
};

}  // namespace sluice::broker::protocol
