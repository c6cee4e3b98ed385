#pragma once
/// DeleteGroups (key 42), versions 0–2; flexible from v2 (v0 and v1 share one wire format).
///
/// Request:  groups_names [string].
/// Response: throttle_time_ms, results [group_id, error_code].

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range delete_groups_versions{0, 2};

struct delete_groups_request {
  std::vector<std::string> groups_names;

  static result<delete_groups_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_groups_request&) const = default;
};

struct delete_groups_response {
  /// DeletableGroupResult
  struct deletable_group_result {
    std::string group_id;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const deletable_group_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<deletable_group_result> results;

  static result<delete_groups_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_groups_response&) const = default;
};

}  // namespace sluice::protocol
