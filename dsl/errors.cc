#include "dsl/errc.h"
#include "dsl/topology_error.h"

#include <string>

namespace sluice::dsl {

topology_error::topology_error(std::string operator_name, const std::string& message)
    : std::logic_error("topology error in operator '" + operator_name + "': " + message),
      _operator(std::move(operator_name)) {}

processing_error::processing_error(std::string node_name, const std::string& message)
    : std::runtime_error("processing error in node '" + node_name + "': " + message),
      _node(std::move(node_name)) {}

namespace {
class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.dsl"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok:
        return "ok";
      case errc::unknown_topic:
        return "the task does not read this topic";
      case errc::not_prepared:
        return "the record was not prepared by this task";
    }
    return "unknown dsl error " + std::to_string(code);
  }
};
}  // namespace

const std::error_category& dsl_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace sluice::dsl
