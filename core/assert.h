#pragma once
/// `SLUICE_ASSERT(cond, message)`: an invariant check that is always on, in every build type.
/// On failure it writes file, line, the condition and the message to stderr and aborts. Use it
/// for broken invariants only; expected failures return `sluice::result`.

namespace sluice::core::detail {
[[noreturn]] void assert_failed(const char* file, int line, const char* condition,
                                const char* message) noexcept;
}  // namespace sluice::core::detail

#define SLUICE_ASSERT(condition, message)                                                \
  do {                                                                                   \
    if (!(condition)) [[unlikely]] {                                                     \
      ::sluice::core::detail::assert_failed(__FILE__, __LINE__, #condition, (message));  \
    }                                                                                    \
  } while (false)
