// Fuzz target: start-up recovery of a partition log from whatever is on disk — segment files,
// the three indexes, the cleaner's interrupted-swap files and producer-state snapshots, with
// edge-case file names — through `partition_log::open`; then reads, a compaction pass, an
// append, a clean close and a reopen.
//
// Input: the files of one partition directory, packed as tests/fuzz/log_dir_input.h describes
// (seeds: real logs written by partition_log — tests/fuzz/seeds/). They are written to a
// directory under /dev/shm (a RAM disk: fsync costs nothing) and opened.
//
// Checked: `open` fails cleanly or yields a log with log start <= LSO <= log end; a log that
// was recovered in full (unclean shutdown, every segment scanned) reads from its start to its
// end in whole, valid batches with increasing offsets, through `read` and `read_slice`, also
// after a forced compaction pass (flag bit 4). With flag bit 3, an append lands at the log
// end, and after a clean close a reopen finds the same log end and log start, and for a
// recovered log the same producer state.

#include "core/protocol/records.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/producer_state.h"
#include "core/assert.h"
#include "core/big_endian.h"
#include "core/crc32c.h"
#include "core/record.h"
#include "core/temp_dir.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/log_dir_input.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

#include <filesystem>
#include <memory>

namespace sluice::broker::storage {
namespace {

using fuzz::log_dir_input;

/// The parent of every directory this process writes: under /dev/shm when there is one, named
/// after the process. A crashed run cannot remove its own: the next one removes those whose
/// process is gone.
const std::filesystem::path& scratch_root() {
  static const std::unique_ptr<core::temp_dir> root = [] {
    std::error_code ec;
    if (std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
      ::setenv("TMPDIR", "/dev/shm", 1);
    }
    constexpr std::string_view prefix = "sluice-fuzz-segments-";
    const auto parent = std::filesystem::path(std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp");
    for (const auto& e : std::filesystem::directory_iterator(parent, ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        std::filesystem::remove_all(e.path(), ec);
      }
    }
    return std::make_unique<core::temp_dir>(std::string(prefix) + std::to_string(::getpid()));
  }();
  return root->path();
}

void write_file(const std::filesystem::path& path, core::bytes_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  SLUICE_ASSERT(fd >= 0, "cannot create a file in the scratch directory");
  const bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ::close(fd);
  SLUICE_ASSERT(written, "cannot write a file in the scratch directory");
}

/// Recomputes the CRC of every batch in `log` (the header walk stops at a bad length).
void fix_batch_crcs(core::bytes& log) {
  size_t pos = 0;
  while (log.size() - pos >= protocol::batch_header_size) {
    const int32_t length = core::load_be<int32_t>(log.data() + pos + 8);
    if (length < static_cast<int32_t>(protocol::batch_header_size - protocol::batch_length_prefix_size)) break;
    const size_t size = protocol::batch_length_prefix_size + static_cast<size_t>(length);
    if (size > log.size() - pos) break;
    const std::span<std::byte> batch(log.data() + pos, size);
    core::store_be<uint32_t>(batch.data() + 17, protocol::compute_batch_crc(batch));
    pos += size;
  }
}

/// Snapshot CRC: bytes 2..6, over bytes 6.. (producer_state.h).
void fix_snapshot_crc(core::bytes& snapshot) {
  if (snapshot.size() < 6) return;
  core::store_be<uint32_t>(snapshot.data() + 2, core::crc32c(core::bytes_view(snapshot).subspan(6)));
}

void write_dir(const std::filesystem::path& dir, log_dir_input& in) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  for (auto& s : in.segments) {
    if (in.fix_crcs) fix_batch_crcs(s.log);
    const std::string base = log_dir_input::stem(s.base);
    if (s.kind == 1) {
      write_file(dir / (base + ".cleaned"), s.log);
      continue;
    }
    if (s.kind == 2) {
      write_file(dir / (base + "-" + log_dir_input::stem(s.end) + ".swap"), s.log);
      continue;
    }
    write_file(dir / (base + ".log"), s.log);
    if (s.index) write_file(dir / (base + ".index"), *s.index);
    if (s.time_index) write_file(dir / (base + ".timeindex"), *s.time_index);
    if (s.txn_index) write_file(dir / (base + ".txnindex"), *s.txn_index);
  }
  for (auto& f : in.snapshots) {
    if (in.fix_crcs) fix_snapshot_crc(f.data);
    write_file(dir / (log_dir_input::stem(f.offset) + ".snapshot"), f.data);
  }
}

/// A batch the log must accept at its end: two records, no producer.
const core::bytes& appended_batch() {
  static const core::bytes batch = [] {
    std::vector<core::raw_record> records(2);
    records[0].key = core::to_bytes("k");
    records[0].value = core::to_bytes("v");
    records[0].ts = core::from_epoch_ms(1'000'000);
    records[1].value = core::to_bytes("w");
    records[1].ts = core::from_epoch_ms(1'000'001);
    return protocol::encode_record_batch(records, {}).value();
  }();
  return batch;
}

/// Reads the whole log through `read` and `read_slice`. With `strict` (every segment was
/// recovered, so every batch passed its CRC check), every read must succeed and return valid
/// batches in offset order.
void read_everything(const partition_log& log, bool read_committed, bool strict) {
  const int64_t end = log.log_end_offset().value();
  int64_t offset = log.log_start_offset().value();
  for (int reads = 0; offset < end && reads < 64; ++reads) {
    auto r = log.read(core::offset{offset}, 1u << 16, core::offset{end}, read_committed);
    if (!r) {
      SLUICE_ASSERT(!strict, "read failed in a fully recovered log");
      return;
    }
    auto slice = log.read_slice(core::offset{offset}, 1u << 16, core::offset{end}, read_committed);
    SLUICE_ASSERT(slice || !strict, "read_slice failed in a fully recovered log");
    if (slice && strict) {
      SLUICE_ASSERT((slice.value().size > 0) == !r.value().records.empty(),
                    "read_slice and read disagree on whether there is data");
    }
    // Nothing at or after `offset`: the rest up to the log end is a gap (an empty last segment
    // whose base is past the previous end remembers the log end).
    if (r.value().records.empty()) return;
    protocol::batch_iterator it(r.value().records);
    int64_t next = offset;
    for (;;) {
      auto batch = it.next();
      SLUICE_ASSERT(batch || !strict, "a read returned a batch with an impossible length");
      if (!batch || !batch.value()) break;
      auto h = protocol::validate_batch(*batch.value());
      SLUICE_ASSERT(h || !strict, "a read returned a corrupt batch from a recovered log");
      if (!h) return;
      if (strict) {
        SLUICE_ASSERT(h.value().last_offset().value() >= next, "batches out of offset order");
      }
      next = std::max(next, h.value().last_offset().value() + 1);
    }
    SLUICE_ASSERT(!it.partial_tail() || !strict, "a read returned part of a batch");
    if (next <= offset) return;  // a trusted log whose headers go backwards
    offset = next;
  }
}

void check_open_log(partition_log& log, const log_dir_input& in, bool strict) {
  const int64_t start = log.log_start_offset().value();
  const int64_t end = log.log_end_offset().value();
  const int64_t lso = log.last_stable_offset().value();
  SLUICE_ASSERT(start <= end, "log start beyond the log end");
  SLUICE_ASSERT(start <= lso && lso <= end, "last stable offset outside the log");
  read_everything(log, in.read_committed, strict);
  // Not bounded by the log: a batch's records may claim offset deltas beyond its header's
  // last offset delta (the append path takes them as sent, as Kafka does).
  (void)log.offset_for_timestamp(1'000'000);
  (void)log.offset_of_max_timestamp();
  (void)log.legacy_offsets_before(-1, 3);
  (void)log.active_producers();
  (void)log.aborted_transactions();
}

void check(log_dir_input in) {
  const auto dir = scratch_root() / "t-0";
  write_dir(dir, in);
  log_config config;
  config.index_interval_bytes = 1u << (6 + in.index_interval % 8);
  config.segment_bytes = 1u << 20;
  config.cleanup_compact = in.compact;
  config.min_cleanable_dirty_ratio = 0;
  const core::topic_partition tp{"t", core::partition_id{0}};
  const int64_t recovery_point = log_dir_input::offset(in.recovery_point);
  auto opened = partition_log::open(dir, tp, config, in.clean_shutdown, core::offset{recovery_point},
                                    core::offset{log_dir_input::offset(in.log_start)});
  if (!opened) return;
  auto& log = *opened.value();
  // After an unclean shutdown a segment is scanned unless the next one starts at or below the
  // recovery point: with recovery point 0, every segment was.
  const bool strict = !in.clean_shutdown && recovery_point == 0;
  check_open_log(log, in, strict);
  if (in.compact) {
    // Compaction rewrites batches from their records: whatever it makes of a recovered log
    // must read back as cleanly as the log did.
    (void)clean_log(log, 1'700'000'000'000, {}, true);
    check_open_log(log, in, strict);
  }
  if (!in.reopen) return;

  const int64_t end_before = log.log_end_offset().value();
  auto appended = log.append(appended_batch(), append_origin::coordinator);
  if (appended) {
    SLUICE_ASSERT(appended.value().base_offset.value() == end_before &&
                      log.log_end_offset().value() == end_before + 2,
                  "an append did not land at the log end");
  }
  if (!log.close()) return;
  const auto start = log.log_start_offset();
  const auto end = log.log_end_offset();
  const auto producers = log.producers();
  opened.value().reset();

  auto reopened = partition_log::open(dir, tp, config, true, end, start);
  SLUICE_ASSERT(reopened.has_value(), "a cleanly closed log does not reopen");
  SLUICE_ASSERT(reopened.value()->log_end_offset() == end, "the log end moved across a clean restart");
  SLUICE_ASSERT(reopened.value()->log_start_offset() == start, "the log start moved across a clean restart");
  // Only a recovered log's offsets are known to be consistent: replaying a trusted one whose
  // segments overlap may count a batch twice.
  SLUICE_ASSERT(!strict || reopened.value()->producers() == producers,
                "the producer state changed across a clean restart");
}

}  // namespace
}  // namespace sluice::broker::storage

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sluice::fuzz::quiet();
  sluice::broker::storage::check(sluice::fuzz::log_dir_input::unpack(sluice::fuzz::as_bytes(data, size)));
  return 0;
}
