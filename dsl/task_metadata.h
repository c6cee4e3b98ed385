#pragma once
/// What user code sees of the task it runs in: the task's id, the metadata of the record being
/// processed, punctuation types and the handle of a scheduled punctuator (Processor API), and
/// the dropped-record counters the topology test driver reports. The task itself (the engine
/// the runtime drives) is internal: dsl/detail/task.h.

#include "core/types.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::dsl {

class task_context;

/// A task's id: the sub-topology and the partition it processes. Printed "<sub>_<partition>",
/// as Kafka Streams names task directories.
struct task_id {
  int32_t subtopology = 0;
  partition_id partition{0};

  auto operator<=>(const task_id&) const = default;
  std::string to_string() const;
};

/// Where the record being processed came from. Absent while a punctuator runs.
struct record_metadata {
  std::string_view topic;
  partition_id partition{0};
  offset off{0};
};

enum class punctuation_type {
  stream_time,      ///< fires as stream time (record timestamps) advances
  wall_clock_time,  ///< fires as the runtime's wall clock advances
};

/// Why a record was dropped rather than processed; counted per node.
enum class drop_reason {
  late,               ///< its window had closed (stream time past window end + grace)
  null_key_or_value,  ///< an aggregation or join cannot use a record without key (or value)
  invalid_timestamp,  ///< the timestamp extractor returned a negative timestamp
};

/// Dropped-record counters of one task, per node.
class task_metrics {
 public:
  void record_drop(const std::string& node, drop_reason why);
  int64_t dropped(std::string_view node, drop_reason why) const;
  /// Every drop of this reason in the task.
  int64_t dropped_total(drop_reason why) const;
  int64_t dropped_total() const;
  void merge(const task_metrics& other);

 private:
  /// Orders (node, reason) keys and looks them up by string_view: counting a drop allocates
  /// only the first time a node drops for a reason.
  struct key_less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      const int c = std::string_view(a.first).compare(std::string_view(b.first));
      return c < 0 || (c == 0 && a.second < b.second);
    }
  };
  std::map<std::pair<std::string, drop_reason>, int64_t, key_less> _drops;
};

/// A handle to a scheduled punctuator; `cancel()` stops it. Valid while its task is alive.
class cancellable {
 public:
  cancellable() = default;
  void cancel();

 private:
  friend class task_context;
  cancellable(task_context* ctx, std::size_t slot) : _ctx(ctx), _slot(slot) {}
  task_context* _ctx = nullptr;
  std::size_t _slot = 0;
};

}  // namespace sluice::dsl
