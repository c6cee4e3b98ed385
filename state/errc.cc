#include "state/errc.h"

#include <string>

namespace sluice::state {
namespace {

class state_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.state"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok:
        return "ok";
      case errc::io_error:
        return "state store I/O error";
      case errc::corruption:
        return "state store data is corrupt";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::store_closed:
        return "state store is closed";
      case errc::invalid_state:
        return "operation not allowed in the store's current state";
      case errc::incompatible_store:
        return "on-disk store is incompatible";
      case errc::busy:
        return "state store busy, retry later";
      case errc::no_space:
        return "no space left on device";
      case errc::not_supported:
        return "operation not supported by the storage engine";
      case errc::storage_error:
        return "storage engine error";
    }
    return "unknown sluice.state error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& state_category() noexcept {
  static const state_category_impl instance;
  return instance;
}

}  // namespace sluice::state
