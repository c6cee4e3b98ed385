#pragma once
// Helpers for the protocol golden-byte tests.
//
// `hex()` turns a hand-written description into bytes: pairs of hex digits (whitespace is
// ignored, so adjacent string literals can be split and commented field by field) and
// 'quoted' ASCII text copied verbatim. Example:
//
//     hex("00 03 'abc'"   // string "abc"
//         "ff ff")        // null string
//
// Fuzz seeds: with SLUICE_FUZZ_SEED_DIR set, `check_golden` and `decode_all` also write every
// request they check as a request frame for the fuzz targets (tests/fuzz/seed_writer.h).

#include "core/protocol/errc.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"
#include "core/types.h"
#include "tests/fuzz/request_types.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace sluice::protocol::test {

inline core::bytes hex(std::string_view text) {
  core::bytes out;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t') {
      ++i;
    } else if (c == '\'') {
      const size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) {
        ADD_FAILURE() << "unterminated quote in golden bytes";
        return out;
      }
      for (size_t j = i + 1; j < end; ++j) out.push_back(static_cast<std::byte>(text[j]));
      i = end + 1;
    } else {
      const int hi = digit(c);
      const int lo = i + 1 < text.size() ? digit(text[i + 1]) : -1;
      if (hi < 0 || lo < 0) {
        ADD_FAILURE() << "bad hex in golden bytes at " << i << ": " << text.substr(i, 8);
        return out;
      }
      out.push_back(static_cast<std::byte>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

inline std::string dump(bytes_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) {
    const auto v = static_cast<uint8_t>(b[i]);
    if (i > 0) s += (i % 16 == 0) ? '\n' : ' ';
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

template <class M>
core::bytes encode(const M& m, int16_t version) {
  core::bytes out;
  writer w(out);
  m.encode(w, version);
  return out;
}

/// A request's golden bytes as a fuzz seed (when seeds are being collected).
template <class M>
void write_fuzz_seed(bytes_view bytes, int16_t version) {
  if constexpr (constexpr auto key = fuzz::request_types::key_of<M>(); key.has_value()) {
    fuzz::write_request_seed(*key, version, bytes);
  }
}

/// Decodes `M` from exactly `bytes` (all bytes consumed) or fails the test.
template <class M>
M decode_all(bytes_view bytes, int16_t version) {
  write_fuzz_seed<M>(bytes, version);
  reader r(bytes);
  auto res = M::decode(r, version);
  if (!res) {
    ADD_FAILURE() << "decode v" << version << " failed: " << res.error().message();
    return M{};
  }
  EXPECT_EQ(r.remaining(), 0u) << "decode v" << version << " left bytes unread";
  return std::move(res).value();
}

/// Every proper prefix of a valid encoding must fail to decode cleanly.
template <class M>
void expect_truncations_fail(bytes_view full, int16_t version) {
  for (size_t n = 0; n < full.size(); ++n) {
    reader r(full.first(n));
    auto res = M::decode(r, version);
    EXPECT_FALSE(res) << "prefix of " << n << "/" << full.size() << " bytes decoded (v"
                      << version << ")";
    if (!res) {
      EXPECT_EQ(res.error(), errc::malformed);
    }
  }
}

/// The golden check for one message and version: `m` encodes to exactly `golden`, `golden`
/// decodes back to `m`, and every truncation of `golden` fails.
template <class M>
void check_golden(const M& m, const core::bytes& golden, int16_t version) {
  SCOPED_TRACE("version " + std::to_string(version));
  write_fuzz_seed<M>(golden, version);
  const core::bytes encoded = encode(m, version);
  EXPECT_TRUE(core::equal(encoded, golden)) << "encoded:\n"
                                            << dump(encoded) << "\nexpected:\n"
                                            << dump(golden);
  EXPECT_TRUE(decode_all<M>(golden, version) == m) << "decoded message differs";
  expect_truncations_fail<M>(golden, version);
}

/// `M::decode` refuses every one of `versions` with unsupported_version.
template <class M>
void check_rejects_versions(std::initializer_list<int16_t> versions) {
  for (const int16_t v : versions) {
    reader r(bytes_view{});
    EXPECT_EQ(M::decode(r, v).error(), errc::unsupported_version) << "version " << v;
  }
}

}  // namespace sluice::protocol::test

namespace sluice::protocol {
// What every codec test names: the golden helpers and core's strong ids.
using core::node_id;
using core::offset;
using core::partition_id;
using core::producer_epoch;
using core::producer_id;
using test::check_golden;
using test::check_rejects_versions;
using test::decode_all;
using test::dump;
using test::hex;
}  // namespace sluice::protocol
