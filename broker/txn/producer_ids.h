#pragma once
/// `producer_id_allocator`: hands out producer ids that are never reused, across restarts and
/// kill -9. Ids come from blocks of `block_size`; the end of the current block is written to a
/// small file (atomically, fsynced) before any id of the block is handed out, so a restart
/// continues after the last reserved block and at worst skips the unused rest of it.
///
/// File format (text): `version=1\nnext.block=<first id of the next block>\n`.
///
/// Thread safety: `next` may be called from any thread (it serializes on a mutex and does an
/// fsync once per block). Lifecycle: `open` → use → destroy.

#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>

namespace sluice::broker::txn {

class producer_id_allocator {
 public:
  static result<std::unique_ptr<producer_id_allocator>> open(std::filesystem::path file,
                                                             int64_t block_size = 1000);
  /// The next unused producer id.
  result<core::producer_id> next();

 private:
  producer_id_allocator(std::filesystem::path file, int64_t block_size)
      : _file(std::move(file)), _block_size(block_size) {}
  result<void> reserve_block();

  std::filesystem::path _file;
  int64_t _block_size;
  std::mutex _mutex;
  int64_t _next = 0;   ///< next id to hand out
  int64_t _limit = 0;  ///< end (exclusive) of the reserved block
};

}  // namespace sluice::broker::txn
