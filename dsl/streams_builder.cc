#include "dsl/streams_builder.h"

#include "core/assert.h"

namespace sluice::dsl {

streams_builder::streams_builder() : _graph(std::make_unique<detail::graph>()) {}
streams_builder::~streams_builder() = default;

streams_builder& streams_builder::add_state_store(store_spec spec) {
  const std::string op = "add_state_store(" + spec.name + ")";
  _graph->add_store(std::move(spec), op);
  return *this;
}

topology streams_builder::build() {
  if (_built) throw topology_error("build", "streams_builder::build() may be called once");
  _built = true;
  _graph->compile();
  return topology(std::unique_ptr<const detail::graph>(std::move(_graph)));
}

namespace detail {
std::string join_topics(const std::vector<std::string>& topics) {
  std::string out;
  for (const auto& t : topics) {
    if (!out.empty()) out += ",";
    out += t;
  }
  return out;
}
}  // namespace detail

}  // namespace sluice::dsl
