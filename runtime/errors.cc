#include "runtime/errors.h"

namespace sluice::runtime {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.runtime"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::kafka_error: return "kafka client error";
      case errc::produce_failed: return "a record could not be produced";
      case errc::store_failed: return "a state store failed";
      case errc::task_migrated: return "tasks migrated to another member of the group";
      case errc::transaction_failed: return "the transaction cannot commit";
      case errc::producer_fenced: return "the transactional producer is fenced or failed fatally";
    }
    return "unknown runtime error";
  }
};

}  // namespace

const std::error_category& runtime_category() noexcept {
  static const category c;
  return c;
}

}  // namespace sluice::runtime
