#include "dsl/detail/typed.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>

namespace sluice::dsl::detail {

std::string type_name(const std::type_info& t) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && demangled ? std::string(demangled.get()) : std::string(t.name());
}

void throw_missing_serde(std::string_view op, std::string_view role, const std::type_info& t) {
  throw topology_error(std::string(op),
                       "no " + std::string(role) + " serde for type '" + type_name(t) +
                           "': pass one in the operator's parameters, or specialize "
                           "sluice::default_serde for the type");
}

void throw_store_error(const processor_node& node, std::string_view store, std::string_view what,
                       const std::error_code& ec) {
  throw processing_error(node.name(), "state store '" + std::string(store) +
                                          "': " + std::string(what) + " failed: " + ec.message());
}

void throw_serde_error(const processor_node& node, std::string_view what,
                       const std::error_code& ec) {
  throw processing_error(node.name(), "cannot " + std::string(what) + ": " + ec.message());
}

}  // namespace sluice::dsl::detail
