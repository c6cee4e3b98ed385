#include "broker/txn/errc.h"

#include <string>

namespace sluice::broker::txn {
namespace {

class txn_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.broker.txn"; }
  std::string message(int code) const override {
    switch (static_cast<errc>(code)) {
      case errc::ok: return "ok";
      case errc::invalid_request: return "empty transactional id";
      case errc::invalid_transaction_timeout: return "transaction timeout outside (0, transaction.max.timeout.ms]";
      case errc::concurrent_transactions: return "a transition of this transactional id is in progress";
      case errc::invalid_producer_id_mapping: return "the producer id does not belong to this transactional id";
      case errc::producer_fenced: return "fenced by a newer producer epoch";
      case errc::invalid_txn_state: return "request does not fit the transaction's state";
      case errc::coordinator_not_available: return "writing the transaction log or a marker failed";
      case errc::corrupt_log: return "unreadable record in __transaction_state";
      case errc::producer_ids_exhausted: return "cannot reserve producer ids";
    }
    return "unknown sluice.broker.txn error " + std::to_string(code);
  }
};

}  // namespace

const std::error_category& txn_category() noexcept {
  static const txn_category_impl instance;
  return instance;
}

}  // namespace sluice::broker::txn
