#pragma once
/// The group coordinator's logger ("broker.group"), shared by its parts.

#include "core/log.h"

namespace sluice::broker::group {

inline const core::logger& log() {
  static const core::logger instance("broker.group");
  return instance;
}

}  // namespace sluice::broker::group
