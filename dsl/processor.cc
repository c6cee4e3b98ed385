#include "dsl/processor.h"

#include "dsl/topology_error.h"

namespace sluice::dsl::detail {

const store_spec& spec_for(const processor_node& node, std::string_view store) {
  const store_spec* s = node.context().spec(store);
  if (s == nullptr)
    throw processing_error(node.name(), "no state store named '" + std::string(store) + "'");
  return *s;
}

}  // namespace sluice::dsl::detail
