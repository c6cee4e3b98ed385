#pragma once
/// `topic_manager`: what the runtime does with topics before any stream thread starts — reads
/// the partition counts of the topology's external topics, checks co-partitioning, and creates
/// the missing internal topics through librdkafka's admin API:
///
/// | topic                                   | partitions                  | configs                |
/// |-----------------------------------------|-----------------------------|------------------------|
/// | `<app>-<name>-repartition`              | as resolve_partitions says  | broker defaults        |
/// | `<app>-<store>-changelog` (key-value)   | tasks of the store's sub-topology | cleanup.policy=compact |
/// | `<app>-<store>-changelog` (window/session) | same                     | compact,delete; retention.ms = store retention + 1 day |
/// | `<app>-control`                         | 1                           | broker defaults (shutdown requests) |
/// | dead-letter topic (if configured)       | 1                           | broker defaults        |
///
/// Existing internal topics must have exactly the partition count the topology needs (a
/// changelog with another count would put state in the wrong partitions). A broker that
/// refuses a topic (e.g. one without `cleanup.policy=compact`) fails the start with the
/// broker's own message; nothing is created with weaker settings instead.
///
/// Thread safety: used once, by `streams::start`, on the caller's thread.

#include "dsl/parameters.h"
#include "dsl/topology.h"
#include "runtime/detail/kafka.h"
#include "runtime/streams_config.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

/// The partition layout the stream threads work with, fixed at start.
struct topic_layout {
  /// Partition counts of every topic the topology reads or writes (full names), changelogs
  /// included, as known at start.
  std::map<std::string, int32_t, std::less<>> partitions;
  /// Every topic the stream threads subscribe to: external sources and repartition topics.
  std::vector<std::string> source_topics;
  /// Source topic → the sub-topologies that read it.
  std::map<std::string, std::vector<int32_t>, std::less<>> readers;
  /// Where a source partition without a committed offset starts.
  std::map<std::string, dsl::offset_reset, std::less<>> reset;
  /// Sub-topology → its number of tasks.
  std::map<int32_t, int32_t> task_counts;
  /// `<app>-control`.
  std::string control_topic;
};

/// `<application.id>-control`: the topic through which an instance asks every instance of the
/// application to shut down.
std::string control_topic_name(std::string_view application_id);

class topic_manager {
 public:
  explicit topic_manager(const streams_config& config);

  /// Checks the cluster's topics against `t`, creates what is missing and returns the layout.
  /// Throws streams_error with a message naming the topics at fault.
  topic_layout prepare(const dsl::topology& t);

  /// The partition count of `topic`, or nullopt if it does not exist.
  std::optional<int32_t> partitions_of(const std::string& topic);
  /// Creates one topic; `what` names it in errors ("changelog topic of store 'x'"). Throws
  /// streams_error with the broker's answer. An existing topic with the same partition count
  /// is fine.
  void create_topic(const std::string& name, int32_t partitions,
                    std::map<std::string, std::string> configs, std::string what);

 private:
  struct wanted {
    std::string name;
    int32_t partitions = 1;
    std::map<std::string, std::string> configs;
    std::string why;  // "changelog of store 'x'"
  };
  std::map<std::string, int32_t> describe_all();
  void create(const std::vector<wanted>& topics);

  const streams_config& _config;
  kafka_client _admin;
};

}  // namespace sluice::runtime::detail
