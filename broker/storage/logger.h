#pragma once
/// The storage layer's loggers, shared by its files: "broker.storage" (logs, recovery, snapshots)
/// and "broker.cleaner" (compaction).

#include "core/log.h"

namespace sluice::broker::storage {

inline const core::logger& log() {
  static const core::logger instance("broker.storage");
  return instance;
}

inline const core::logger& cleaner_log() {
  static const core::logger instance("broker.cleaner");
  return instance;
}

}  // namespace sluice::broker::storage
