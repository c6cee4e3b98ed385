#include "broker/handlers/handlers.h"
#include "broker/config_manager.h"
#include "broker/group/errc.h"
#include "broker/storage/errc.h"

namespace sluice::broker {

protocol::error_code to_kafka_error(std::error_code ec) noexcept {
  using protocol::error_code;
  if (!ec) return error_code::none;
  if (ec.category() == storage::storage_category()) {
    switch (static_cast<storage::errc>(ec.value())) {
      case storage::errc::ok: return error_code::none;
      case storage::errc::corrupt_batch: return error_code::corrupt_message;
      case storage::errc::invalid_batch: return error_code::corrupt_message;
      case storage::errc::message_too_large: return error_code::message_too_large;
      case storage::errc::offset_out_of_range: return error_code::offset_out_of_range;
      case storage::errc::unknown_partition: return error_code::unknown_topic_or_partition;
      case storage::errc::topic_exists: return error_code::topic_already_exists;
      case storage::errc::invalid_topic: return error_code::invalid_topic_exception;
      case storage::errc::invalid_partitions: return error_code::invalid_partitions;
      case storage::errc::io_error: return error_code::kafka_storage_error;
      // Kafka answers INVALID_RECORD at every Produce version (its log validator's
      // InvalidRecordException); v8+ also names the records (KIP-467).
      case storage::errc::invalid_record: return error_code::invalid_record;
      case storage::errc::invalid_producer_epoch: return error_code::invalid_producer_epoch;
      case storage::errc::out_of_order_sequence: return error_code::out_of_order_sequence_number;
      case storage::errc::invalid_timestamp: return error_code::invalid_timestamp;
    }
  }
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    return error_code::kafka_storage_error;
  }
  return error_code::unknown_server_error;
}

protocol::error_code to_kafka_error(group::errc e) noexcept {
  using group::errc;
  using protocol::error_code;
  switch (e) {
    case errc::ok: return error_code::none;
    case errc::invalid_group_id: return error_code::invalid_group_id;
    case errc::unknown_member_id: return error_code::unknown_member_id;
    case errc::illegal_generation: return error_code::illegal_generation;
    case errc::rebalance_in_progress: return error_code::rebalance_in_progress;
    case errc::fenced_instance_id: return error_code::fenced_instance_id;
    case errc::member_id_required: return error_code::member_id_required;
    case errc::inconsistent_group_protocol: return error_code::inconsistent_group_protocol;
    case errc::invalid_session_timeout: return error_code::invalid_session_timeout;
    case errc::group_id_not_found: return error_code::group_id_not_found;
    case errc::non_empty_group: return error_code::non_empty_group;
    case errc::unknown_topic_or_partition: return error_code::unknown_topic_or_partition;
    case errc::offset_metadata_too_large: return error_code::offset_metadata_too_large;
    case errc::unstable_offset_commit: return error_code::unstable_offset_commit;
    case errc::group_subscribed_to_topic: return error_code::group_subscribed_to_topic;
    // Kafka answers a commit too large for the offsets topic with INVALID_COMMIT_OFFSET_SIZE.
    case errc::record_too_large: return error_code::invalid_commit_offset_size;
    // A failed write to __consumer_offsets: the client retries, as Kafka's coordinator has it.
    case errc::coordinator_not_available:
    case errc::storage_error: return error_code::coordinator_not_available;
    case errc::corrupt_log: return error_code::unknown_server_error;
  }
  return error_code::unknown_server_error;
}

protocol::error_code to_kafka_error(const config_error& e) noexcept {
  switch (e.what) {
    case config_error::kind::unknown_topic: return protocol::error_code::unknown_topic_or_partition;
    case config_error::kind::invalid_config: return protocol::error_code::invalid_config;
    case config_error::kind::invalid_request: return protocol::error_code::invalid_request;
    case config_error::kind::storage: return to_kafka_error(e.storage_error);
  }
  return protocol::error_code::unknown_server_error;
}

config_error unsupported_config_resource(int8_t resource_type) {
  return config_error{config_error::kind::invalid_request,
                      "resource type " + std::to_string(resource_type) +
                          " is not supported: only TOPIC (2) and BROKER (4)",
                      {}};
}

}  // namespace sluice::broker
