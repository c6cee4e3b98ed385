#pragma once
/// Strong id types shared by every module, and the topic-partition pair.

#include "core/strong_id.h"

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace sluice::core {

using offset = strong_id<struct offset_tag, int64_t>;
using partition_id = strong_id<struct partition_tag, int32_t>;
using producer_id = strong_id<struct producer_id_tag, int64_t>;
using producer_epoch = strong_id<struct producer_epoch_tag, int16_t>;
using node_id = strong_id<struct node_id_tag, int32_t>;

/// A topic name and a partition of it.
struct topic_partition {
  std::string topic;
  partition_id partition;

  auto operator<=>(const topic_partition&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const topic_partition& tp) {
    return os << tp.topic << '-' << tp.partition;
  }
};

}  // namespace sluice::core

template <>
struct std::hash<sluice::core::topic_partition> {
  std::size_t operator()(const sluice::core::topic_partition& tp) const noexcept {
    return std::hash<std::string>{}(tp.topic) * 31u + std::hash<int32_t>{}(tp.partition.value());
  }
};

namespace sluice {
using core::offset;
using core::partition_id;
using core::topic_partition;
}  // namespace sluice
