#pragma once
/// `changelogging_session_store`: reports every successful write of the wrapped session store
/// to a `changelog_sink` — see changelogging_key_value_store.h for the contract. put → ((key,
/// end, start), value) unless the session was expired and dropped; remove → tombstone. Key
/// layout in changelog_format.h. Owns the wrapped store; `sink` must outlive it.

#include "state/changelog_sink.h"
#include "state/wrapped_store.h"

#include <memory>

namespace sluice::state {

class changelogging_session_store final : public wrapped_session_store {
 public:
  changelogging_session_store(std::unique_ptr<session_store> inner, changelog_sink& sink);

  result<bool> put(bytes_view key, session_window window, bytes_view value,
                   core::timestamp ts) override;
  result<void> remove(bytes_view key, session_window window, core::timestamp ts) override;

 private:
  changelog_sink* _sink;
};

}  // namespace sluice::state
