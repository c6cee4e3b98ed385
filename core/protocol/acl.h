#pragma once
/// Kafka's ACL vocabulary as it appears on the wire: resource types and operations (the codes
/// of Kafka's ResourceType and AclOperation), and the "authorized operations" bit fields that
/// Metadata (v8+) and DescribeGroups (v3+) return when a client asks for them.
///
/// Without an authorizer every principal may do every operation a resource type supports, and
/// Kafka answers exactly that set; an authorizer narrows it per principal.

#include <cstdint>
#include <initializer_list>

namespace sluice::protocol {

/// Kafka's ResourceType codes.
enum class resource_type : int8_t {
  unknown = 0,
  any = 1,
  topic = 2,
  group = 3,
  cluster = 4,
  transactional_id = 5,
  delegation_token = 6,
  user = 7,
};

/// Kafka's AclOperation codes.
enum class acl_operation : int8_t {
  unknown = 0,
  any = 1,
  all = 2,
  read = 3,
  write = 4,
  create = 5,
  remove = 6,  ///< DELETE
  alter = 7,
  describe = 8,
  cluster_action = 9,
  describe_configs = 10,
  alter_configs = 11,
  idempotent_write = 12,
  create_tokens = 13,
  describe_tokens = 14,
};

/// The schema default of an authorized-operations field: "not requested".
inline constexpr int32_t authorized_operations_unknown = INT32_MIN;

/// Operations as a bit field (bit n set = operation code n), as the wire carries them.
constexpr int32_t operations_bits(std::initializer_list<acl_operation> ops) noexcept {
  int32_t bits = 0;
  for (auto op : ops) bits |= int32_t{1} << static_cast<int>(op);
  return bits;
}

/// Every operation Kafka defines for a resource type (its answer when no authorizer is set).
constexpr int32_t supported_operations(resource_type type) noexcept {
  using op = acl_operation;
  switch (type) {
    case resource_type::topic:
      return operations_bits({op::read, op::write, op::create, op::describe, op::remove, op::alter,
                              op::describe_configs, op::alter_configs});
    case resource_type::group:
      return operations_bits({op::read, op::describe, op::remove, op::describe_configs, op::alter_configs});
    case resource_type::cluster:
      return operations_bits({op::create, op::cluster_action, op::describe_configs, op::alter_configs,
                              op::idempotent_write, op::alter, op::describe});
    case resource_type::transactional_id: return operations_bits({op::describe, op::write});
    case resource_type::delegation_token: return operations_bits({op::describe});
    case resource_type::user: return operations_bits({op::create_tokens, op::describe_tokens});
    default: return 0;
  }
}

}  // namespace sluice::protocol
