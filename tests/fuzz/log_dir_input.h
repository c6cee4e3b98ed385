#pragma once
// The `segment_recovery` fuzz target's input: the files of one partition directory, packed into
// a byte string. `pack` is what the seed tests use to turn a real log into a seed; `unpack` is
// what the target reads (any bytes unpack to something).
//
// | field                          | size | notes                                           |
// |--------------------------------|------|-------------------------------------------------|
// | flags                          | 1    | bit 0 clean shutdown; bit 1 recompute the CRCs of the .log batches and snapshots; bit 2 read_committed reads; bit 3 append, close and reopen; bit 4 compact (a forced cleaner pass) |
// | recovery point                 | 1    | an offset selector (below)                      |
// | log start offset               | 1    | an offset selector                              |
// | index interval                 | 1    | index.interval.bytes = 1 << (6 + n % 8)          |
// | segment count                  | 1    | n % 4 segments follow                           |
// | ├ kind                         | 1    | n % 3: 0 segment files; 1 `<B>.cleaned`; 2 `<B>-<E>.swap` |
// | ├ base B                       | 1    | a name selector                                 |
// | ├ end E                        | 1    | a name selector (kind 2 only)                   |
// | ├ present                      | 1    | bit 0 .index, bit 1 .timeindex, bit 2 .txnindex  |
// | └ .log, .index, .timeindex, .txnindex | u16 length + bytes each (absent ones too) |
// | snapshot count                 | 1    | n % 3 `<offset>.snapshot` files follow          |
// | ├ offset                       | 1    | a name selector                                 |
// | └ bytes                        | u16 length + bytes                                     |
//
// A selector below 0xf0 is that offset; 0xf0 and up pick an edge: 32-bit boundaries (the
// relative offsets of the indexes), int64 limits, and names that are 20 digits but no int64.

#include "core/bytes.h"
#include "tests/fuzz/fuzz_input.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace sluice::fuzz {

struct log_dir_input {
  struct segment_files {
    uint8_t kind = 0;
    uint8_t base = 0;
    uint8_t end = 0;
    core::bytes log;
    std::optional<core::bytes> index;
    std::optional<core::bytes> time_index;
    std::optional<core::bytes> txn_index;
  };
  struct snapshot_file {
    uint8_t offset = 0;
    core::bytes data;
  };

  bool clean_shutdown = false;
  bool fix_crcs = false;
  bool read_committed = false;
  bool reopen = false;
  bool compact = false;
  uint8_t recovery_point = 0;
  uint8_t log_start = 0;
  uint8_t index_interval = 0;
  std::vector<segment_files> segments;
  std::vector<snapshot_file> snapshots;

  static constexpr size_t max_segments = 3;
  static constexpr size_t max_snapshots = 2;

  /// The 20-character file stem a selector names.
  static std::string stem(uint8_t selector) {
    static constexpr std::array<const char*, 16> edges = {
        "00000000000000001000", "00000000000000065535", "00000000002147483647",
        "00000000002147483648", "00000000004294967295", "00000000004294967296",
        "00000000004294967396", "00009007199254740992", "04611686018427387903",
        "09223372036854774807", "09223372036854775806", "09223372036854775807",
        "09223372036854775808",  // INT64_MAX + 1
        "99999999999999999999", "10000000000000000000", "0000000000000000000x"};
    if (selector >= 0xf0) return edges[selector - 0xf0];
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020u", static_cast<unsigned>(selector));
    return buf;
  }
  /// The offset a selector names, for the recovery point and the log start.
  static int64_t offset(uint8_t selector) {
    if (selector < 0xf0) return selector;
    const std::string s = stem(selector);
    int64_t v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9' || v > (INT64_MAX - (c - '0')) / 10) return INT64_MAX;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  static log_dir_input unpack(core::bytes_view data) {
    fuzz_input in(data);
    log_dir_input d;
    const uint8_t flags = in.u8();
    d.clean_shutdown = (flags & 1) != 0;
    d.fix_crcs = (flags & 2) != 0;
    d.read_committed = (flags & 4) != 0;
    d.reopen = (flags & 8) != 0;
    d.compact = (flags & 16) != 0;
    d.recovery_point = in.u8();
    d.log_start = in.u8();
    d.index_interval = in.u8();
    const size_t segments = in.u8() % (max_segments + 1);
    for (size_t i = 0; i < segments; ++i) {
      segment_files s;
      s.kind = in.u8() % 3;
      s.base = in.u8();
      s.end = in.u8();
      const uint8_t present = in.u8();
      auto bytes_of = [&in] {
        const auto v = in.sized();
        return core::bytes(v.begin(), v.end());
      };
      s.log = bytes_of();
      auto index = bytes_of();
      auto time_index = bytes_of();
      auto txn_index = bytes_of();
      if (present & 1) s.index = std::move(index);
      if (present & 2) s.time_index = std::move(time_index);
      if (present & 4) s.txn_index = std::move(txn_index);
      d.segments.push_back(std::move(s));
    }
    const size_t snapshots = in.u8() % (max_snapshots + 1);
    for (size_t i = 0; i < snapshots; ++i) {
      snapshot_file f;
      f.offset = in.u8();
      const auto v = in.sized();
      f.data.assign(v.begin(), v.end());
      d.snapshots.push_back(std::move(f));
    }
    return d;
  }

  /// REQUIRES: at most max_segments segments and max_snapshots snapshots, files below 64 KiB.
  core::bytes pack() const {
    core::bytes out;
    auto u8 = [&out](uint8_t v) { out.push_back(static_cast<std::byte>(v)); };
    auto sized = [&](core::bytes_view b) {
      u8(static_cast<uint8_t>(b.size() >> 8));
      u8(static_cast<uint8_t>(b.size() & 0xff));
      out.insert(out.end(), b.begin(), b.end());
    };
    u8(static_cast<uint8_t>((clean_shutdown ? 1 : 0) | (fix_crcs ? 2 : 0) | (read_committed ? 4 : 0) |
                            (reopen ? 8 : 0) | (compact ? 16 : 0)));
    u8(recovery_point);
    u8(log_start);
    u8(index_interval);
    u8(static_cast<uint8_t>(segments.size()));
    for (const auto& s : segments) {
      u8(s.kind);
      u8(s.base);
      u8(s.end);
      u8(static_cast<uint8_t>((s.index ? 1 : 0) | (s.time_index ? 2 : 0) | (s.txn_index ? 4 : 0)));
      sized(s.log);
      sized(s.index ? *s.index : core::bytes{});
      sized(s.time_index ? *s.time_index : core::bytes{});
      sized(s.txn_index ? *s.txn_index : core::bytes{});
    }
    u8(static_cast<uint8_t>(snapshots.size()));
    for (const auto& f : snapshots) {
      u8(f.offset);
      sized(f.data);
    }
    return out;
  }
};

}  // namespace sluice::fuzz
