#pragma once
/// Java-compatible murmur2 hashing and Kafka's key partitioner.
///
/// Kafka's Java producer (DefaultPartitioner / BuiltInPartitioner), kafkajs' default
/// partitioner and librdkafka's `murmur2_random` all place a keyed record on partition
/// `(murmur2(key) & 0x7fffffff) % num_partitions`, with the 32-bit murmur2 variant of Kafka's
/// `Utils.murmur2` (seed 0x9747b28c). Sluice uses exactly this everywhere so keys land where
/// Java and kafkajs producers put them, which keeps co-partitioning intact across clients.
///
/// Thread safety: pure functions, callable from any thread.

#include "core/bytes.h"

#include <cstdint>

namespace sluice::core {

/// Kafka's `Utils.murmur2`: the hash of `data` as a signed 32-bit value, bit-identical to Java.
int32_t murmur2(bytes_view data) noexcept;

/// Kafka's `Utils.toPositive(murmur2(key)) % num_partitions`: the partition a keyed record goes
/// to under the default partitioner.
/// REQUIRES: num_partitions > 0.
int32_t partition_for_key(bytes_view key, int32_t num_partitions) noexcept;

}  // namespace sluice::core
