#pragma once
/// The dsl module's error codes (see core/error.h for the model). Deserialization failures keep
/// the serde's own code (core::errc::deserialization_failed); these cover the task boundary.

#include "core/error.h"

#include <system_error>

namespace sluice::dsl {

enum class errc {
  ok = 0,
  unknown_topic = 1,  ///< a record was handed to a task that does not read its topic
  not_prepared,       ///< process() got a record that did not come from prepare()
};

const std::error_category& dsl_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), dsl_category()};
}

}  // namespace sluice::dsl

template <>
struct std::is_error_code_enum<sluice::dsl::errc> : std::true_type {};
