#include "core/error.h"

#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace sluice::core {
namespace {

class core_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.core"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::invalid_argument: return "invalid argument";
      case errc::serialization_failed: return "serialization failed";
      case errc::deserialization_failed: return "deserialization failed";
      case errc::invalid_config: return "invalid configuration";
      case errc::io_error: return "I/O error";
      case errc::not_found: return "not found";
      case errc::corrupt_data: return "corrupt data";
    }
    return "unknown sluice.core error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& core_category() noexcept {
  static const core_category_impl instance;
  return instance;
}

namespace detail {
void assert_failed(const char* file, int line, const char* condition,
                   const char* message) noexcept {
  std::fprintf(stderr, "SLUICE_ASSERT failed at %s:%d: %s: %s\n", file, line, condition, message);
  std::fflush(stderr);
  std::abort();
}
}  // namespace detail

}  // namespace sluice::core
