#pragma once
/// `processor_node`: one node of a task's processor graph, the unit the runtime sees.
///
/// Every DSL operator and every Processor API processor becomes a processor_node subclass when
/// a task is instantiated (`topology::create_task`). Typed subclasses live in the DSL headers
/// and are instantiated in the user's translation unit; the task and the runtime deal only with
/// this base class and `erased_record`.
///
/// Lifecycle: constructed by a node factory of the topology; wired to its children and its
/// task's context by `processor_task`; `init()` once before the first record (stores are bound
/// by then); `process()` for each record, `close()` once at the end. A node belongs to exactly
/// one task and is only touched by the thread running that task.

#include "dsl/detail/erased_record.h"
#include "dsl/fwd.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::dsl {

class processor_node {
 public:
  processor_node() = default;
  processor_node(const processor_node&) = delete;
  processor_node& operator=(const processor_node&) = delete;
  virtual ~processor_node();

  /// Called once, after wiring and before the first record.
  virtual void init() {}
  /// Handles one record. The record's pointers are valid for this call only.
  virtual void process(const erased_record& r) = 0;
  /// Called once when the task closes. Punctuators are cancelled by then.
  virtual void close() {}

  /// Passes `r` to every child, in the order the children were added to the topology.
  void forward(const erased_record& r) const {
    for (processor_node* child : _children) child->process(r);
  }
  /// Passes `r` to the child named `child_name` only. Throws processing_error if there is none.
  void forward_to(std::string_view child_name, const erased_record& r) const;

  const std::string& name() const noexcept { return _name; }
  std::span<processor_node* const> children() const noexcept { return _children; }
  /// The child named `child_name`, or nullptr.
  processor_node* child(std::string_view child_name) const noexcept;
  /// Drops and counts (drop_reason::null_key_or_value) a record this node cannot use: one
  /// without key, or without value when `value_required`. True if it was dropped.
  /// The check is inline (it runs for every record); only a drop leaves the header.
  bool drop_null_key_or_value(const erased_record& r, bool value_required = false) const {
    if (r.key != nullptr && (!value_required || r.value != nullptr)) return false;
    count_null_key_or_value_drop();
    return true;
  }
  /// The names of the state stores this node is connected to.
  std::span<const std::string> store_names() const noexcept { return _stores; }
  /// The task this node runs in. REQUIRES: the node has been wired (true from init() on).
  task_context& context() const noexcept { return *_context; }

 private:
  void count_null_key_or_value_drop() const;

  friend class processor_task;
  friend class topology;
  std::string _name;
  std::vector<processor_node*> _children;
  std::vector<std::string> _stores;
  task_context* _context = nullptr;
};

}  // namespace sluice::dsl
