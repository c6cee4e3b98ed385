#pragma once
/// The in-memory backend: std::maps ordered by each keyspace's comparator (module-private).

#include "state/detail/backend.h"

#include <memory>

namespace sluice::state::detail {

std::unique_ptr<backend> make_memory_backend();

}  // namespace sluice::state::detail
