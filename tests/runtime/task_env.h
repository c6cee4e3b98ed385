#pragma once
// What stream_task and task_manager need to run without a broker: a topology built with the DSL
// whose processors record what they see, a record collector whose producer points at a port
// nothing listens on (records only queue), a deserialization sink and a partition control that
// record what they were told, and a task factory over all of it.

#include "core/serde.h"
#include "dsl/streams.h"
#include "runtime/detail/stream_task.h"
#include "runtime/detail/task_manager.h"
#include "state/rocksdb_resources.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::runtime::detail::testing {

/// The deserialization errors a task reported.
class recording_sink final : public deserialization_error_sink {
 public:
  void on_deserialization_error(const core::topic_partition& tp, core::offset off, const core::raw_record*,
                                const std::error_code&) override {
    errors.emplace_back(tp, off.value());
  }
  bool keeps_raw_records() const noexcept override { return false; }
  std::vector<std::pair<core::topic_partition, int64_t>> errors;
};

/// The consumer's side of pausing: the state of every partition it was told about.
class recording_partitions final : public partition_control {
 public:
  bool pause(const core::topic_partition& tp, bool p) override {
    paused[tp] = p;
    ++calls;
    return true;
  }
  std::map<core::topic_partition, bool> paused;
  int calls = 0;
};

/// A topology reading topics "a" and "b" (merged: one sub-topology, co-partitioned) with
/// string keys and int64 values, recording every value it processes.
class task_env {
 public:
  task_env()
      : _dir(std::filesystem::temp_directory_path() /
             ("sluice-task-env-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        _rocksdb(state::rocksdb_resources_config{.memory_budget_bytes = 16u << 20, .write_buffer_size = 1u << 20}),
        _collector({{"bootstrap.servers", "127.0.0.1:1"}, {"message.timeout.ms", "600000"}}, "test producer", {}) {
    dsl::streams_builder b;
    auto a = b.stream<std::string, int64_t>("a");
    auto bb = b.stream<std::string, int64_t>("b");
    a.merge(bb).foreach ([this](const std::string& k, const int64_t& v) { seen.emplace_back(k, v); });
    _topology = std::make_unique<dsl::topology>(b.build());
    layout.readers = {{"a", {0}}, {"b", {0}}};
    layout.partitions = {{"a", 4}, {"b", 4}};
  }
  ~task_env() { std::filesystem::remove_all(_dir); }

  std::unique_ptr<stream_task> make_task(const dsl::task_id& id, std::vector<core::topic_partition> inputs) {
    task_stores::resources res{"app", _dir, &_rocksdb, nullptr, &_collector, false};
    return std::make_unique<stream_task>(*_topology, id, std::move(inputs), "app", res, _collector, sink);
  }

  task_manager::task_factory factory() {
    return [this](const dsl::task_id& id, std::vector<core::topic_partition> inputs) {
      return make_task(id, std::move(inputs));
    };
  }

  /// A consumed record: key `k`, value `v` as an int64 (8 bytes big-endian), timestamp `ts`.
  static core::raw_record record(const std::string& k, int64_t v, int64_t ts) {
    core::raw_record r;
    r.key = core::to_bytes(k);
    r.value = core::serdes::int64{}.serialize(v).value();
    r.ts = core::from_epoch_ms(ts);
    return r;
  }

  topic_layout layout;
  recording_sink sink;
  std::vector<std::pair<std::string, int64_t>> seen;

 private:
  std::filesystem::path _dir;
  state::rocksdb_resources _rocksdb;
  kafka_record_collector _collector;
  std::unique_ptr<dsl::topology> _topology;
};

inline core::topic_partition tp(const std::string& topic, int32_t partition) {
  return {topic, core::partition_id{partition}};
}

}  // namespace sluice::runtime::detail::testing
