#pragma once
/// The two exceptions of the dsl module.
///
/// `topology_error` is thrown while a topology is being built or compiled (a missing serde, a
/// store that is not connected, a name used twice, join inputs that cannot be co-partitioned).
/// Its message names the operator at fault, so the mistake can be found in the user's code.
///
/// `processing_error` is thrown from a task while it processes a record when the record cannot
/// be handled at all (an output that its serde cannot encode, a processor reaching for a store
/// it was not connected to). The runtime catches it at the task boundary and applies its
/// failure policy; the topology test driver lets it reach the test.

#include <stdexcept>
#include <string>

namespace sluice::dsl {

class topology_error : public std::logic_error {
 public:
  /// `what()` reads "topology error in operator '<op>': <message>".
  topology_error(std::string operator_name, const std::string& message);
  /// The name of the operator (processor node, store or topic) at fault.
  const std::string& operator_name() const noexcept { return _operator; }

 private:
  std::string _operator;
};

class processing_error : public std::runtime_error {
 public:
  processing_error(std::string node_name, const std::string& message);
  const std::string& node_name() const noexcept { return _node; }

 private:
  std::string _node;
};

}  // namespace sluice::dsl

namespace sluice {
using dsl::processing_error;
using dsl::topology_error;
}  // namespace sluice
