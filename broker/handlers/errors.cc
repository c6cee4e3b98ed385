#include "broker/handlers/handlers.h"
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
      // Kafka answers INVALID_RECORD from Produce v8; we serve up to v7, where it is this.
      case storage::errc::invalid_record: return error_code::corrupt_message;
      case storage::errc::invalid_producer_epoch: return error_code::invalid_producer_epoch;
      case storage::errc::out_of_order_sequence: return error_code::out_of_order_sequence_number;
    }
  }
  if (ec.category() == std::generic_category() || ec.category() == std::system_category()) {
    return error_code::kafka_storage_error;
  }
  return error_code::unknown_server_error;
}

}  // namespace sluice::broker
