#include "dsl/detail/processor_node.h"

#include "dsl/detail/task.h"
#include "dsl/topology_error.h"

namespace sluice::dsl {

processor_node::~processor_node() = default;

processor_node* processor_node::child(std::string_view child_name) const noexcept {
  for (processor_node* c : _children) {
    if (c->name() == child_name) return c;
  }
  return nullptr;
}

void processor_node::forward_to(std::string_view child_name, const erased_record& r) const {
  processor_node* c = child(child_name);
  if (c == nullptr)
    throw processing_error(_name, "has no child named '" + std::string(child_name) + "'");
  c->process(r);
}

void processor_node::count_null_key_or_value_drop() const {
  _context->record_drop(*this, drop_reason::null_key_or_value);
}

}  // namespace sluice::dsl
