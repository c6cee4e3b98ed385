#pragma once
/// ListGroups (key 16), versions 0–5; flexible from v3. kafkajs sends v2, librdkafka v4.
/// v4 adds the state filter (KIP-518), v5 the group type filter (KIP-848: "classic",
/// "consumer", "share").
///
/// Request:  states_filter [string] (v4+; empty = all states), types_filter [string] (v5+;
///           empty = all types). v0–v2 have an empty body, v3 only a tag section.
/// Response: throttle_time_ms (v1+), error_code, groups [group_id, protocol_type,
///           group_state (v4+), group_type (v5+)].

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range list_groups_versions{0, 5};

struct list_groups_request {
  std::vector<std::string> states_filter;  ///< v4+
  std::vector<std::string> types_filter;   ///< v5+

  static result<list_groups_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_groups_request&) const = default;
};

struct list_groups_response {
  /// ListedGroup
  struct listed_group {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;  ///< v4+
    std::string group_type;   ///< v5+
    bool operator==(const listed_group&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;
  std::vector<listed_group> groups;

  static result<list_groups_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_groups_response&) const = default;
};

}  // namespace sluice::protocol
