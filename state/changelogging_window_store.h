#pragma once
/// `changelogging_window_store`: reports every successful write of the wrapped window store to
/// a `changelog_sink` — see changelogging_key_value_store.h for the contract. put → ((key,
/// start, seqnum), value) unless the window was expired and dropped; remove → ((key, start, 0),
/// tombstone) unless duplicates are retained (then removes are ignored). Key layout in
/// changelog_format.h. Owns the wrapped store; `sink` must outlive it.

#include "state/changelog_sink.h"
#include "state/wrapped_store.h"

#include <memory>

namespace sluice::state {

class changelogging_window_store final : public wrapped_window_store {
 public:
  changelogging_window_store(std::unique_ptr<window_store> inner, changelog_sink& sink);

  result<window_put_result> put(bytes_view key, bytes_view value, core::timestamp window_start,
                                core::timestamp ts) override;
  result<void> remove(bytes_view key, core::timestamp window_start, core::timestamp ts) override;

 private:
  changelog_sink* _sink;
};

}  // namespace sluice::state
