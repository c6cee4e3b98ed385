#pragma once
/// The one error model of Sluice.
///
/// Expected failures are returned as `sluice::result<T>`: a value or a `std::error_code`.
/// Each module defines its own `enum class errc` with an error category (core's is below) and
/// registers it with `std::is_error_code_enum`, so codes from different modules compare and
/// print correctly. Propagate with `SLUICE_TRY`. Exceptions are reserved for topology-building
/// mistakes, bad start-up configuration and broken invariants (`SLUICE_ASSERT`).
///
/// Thread safety: everything here is stateless and may be used from any thread.

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

#include <string>
#include <system_error>

namespace sluice::core {

/// A value of type T or an error code. `[[nodiscard]]` through Outcome's own annotations.
template <class T>
using result = BOOST_OUTCOME_V2_NAMESPACE::std_result<T>;

using BOOST_OUTCOME_V2_NAMESPACE::success;
/// `return failure(errc::x);` — explicit failure, for generic code where T itself might be
/// constructible from an error enum (e.g. result<nlohmann::json>).
using BOOST_OUTCOME_V2_NAMESPACE::failure;

/// Builds a failed result from any error enum registered with std::is_error_code_enum.
inline std::error_code failure_code(std::error_code ec) { return ec; }

/// Core's error codes.
enum class errc {
  ok = 0,
  invalid_argument = 1,    ///< a caller passed something outside the documented domain
  serialization_failed,    ///< a value could not be encoded
  deserialization_failed,  ///< bytes did not decode into the requested type
  invalid_config,          ///< unknown key or value outside the accepted set
  io_error,                ///< a file could not be read or written
  not_found,               ///< a looked-up item does not exist
  corrupt_data,            ///< bytes failed a checksum or structural check
};

const std::error_category& core_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), core_category()};
}

}  // namespace sluice::core

template <>
struct std::is_error_code_enum<sluice::core::errc> : std::true_type {};

namespace sluice {
using core::result;
}  // namespace sluice

/// Evaluates a result-returning expression; on failure returns its error from the enclosing
/// function. Two forms:
///   `SLUICE_TRY(expr);` — a single statement, safe as the body of an unbraced `if`/`for`;
///   `SLUICE_TRY(auto value, expr);` — declares `value` from the success value (a declaration,
///   so it cannot assign to an existing variable: declare, then move).
#define SLUICE_TRY(...) SLUICE_TRY_PICK_(__VA_ARGS__, SLUICE_TRY_DECL_, SLUICE_TRY_STMT_)(__VA_ARGS__)
#define SLUICE_TRY_PICK_(a1, a2, name, ...) name
#define SLUICE_TRY_STMT_(expr)                                  \
  do {                                                          \
    auto&& sluice_try_result_ = (expr);                         \
    if (!sluice_try_result_) [[unlikely]] {                     \
      return std::move(sluice_try_result_).as_failure();        \
    }                                                           \
  } while (false)
#define SLUICE_TRY_DECL_(decl, expr) BOOST_OUTCOME_TRY(decl, expr)
