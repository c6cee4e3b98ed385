#include "broker/group/errc.h"

#include <string>

namespace sluice::broker::group {
namespace {

class group_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.broker.group"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::invalid_group_id: return "invalid group id";
      case errc::unknown_member_id: return "unknown member id";
      case errc::illegal_generation: return "illegal generation";
      case errc::rebalance_in_progress: return "rebalance in progress";
      case errc::fenced_instance_id: return "fenced by a newer member with the same group.instance.id";
      case errc::member_id_required: return "member id required";
      case errc::inconsistent_group_protocol: return "inconsistent group protocol";
      case errc::invalid_session_timeout: return "session timeout outside the broker's bounds";
      case errc::coordinator_not_available: return "coordinator not available";
      case errc::group_id_not_found: return "group id not found";
      case errc::non_empty_group: return "group is not empty";
      case errc::unknown_topic_or_partition: return "unknown topic or partition";
      case errc::offset_metadata_too_large: return "offset metadata too large";
      case errc::unstable_offset_commit: return "transactional offset commit pending";
      case errc::group_subscribed_to_topic: return "group is subscribed to the topic";
      case errc::record_too_large: return "coordinator record too large for __consumer_offsets";
      case errc::storage_error: return "__consumer_offsets append or flush failed";
      case errc::corrupt_log: return "unreadable record in __consumer_offsets";
    }
    return "unknown sluice.broker.group error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& group_category() noexcept {
  static const group_category_impl instance;
  return instance;
}

}  // namespace sluice::broker::group
