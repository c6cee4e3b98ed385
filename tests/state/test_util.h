#pragma once
// Helpers shared by the state tests: temporary directories, byte literals, iterator draining.

#include "core/temp_dir.h"
#include "core/bytes.h"
#include "state/key_value_iterator.h"
#include "state/session_store.h"
#include "state/window_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::state::testing {

using core::temp_dir;

inline bytes b(std::string_view s) {
  return core::to_bytes(s);
}
inline std::string str(bytes_view v) {
  return core::to_string(v);
}
/// The record timestamp for writes whose timestamp the test does not look at.
inline constexpr timestamp t0{};

inline timestamp ms(std::int64_t v) {
  return core::from_epoch_ms(v);
}

using kv_list = std::vector<std::pair<std::string, std::string>>;

/// Drains a key-value iterator into (key, value) strings; fails the test on an error.
inline kv_list drain(key_value_iterator it) {
  kv_list out;
  while (it.valid()) {
    out.emplace_back(str(it.key()), str(it.value()));
    it.next();
  }
  EXPECT_TRUE(it.status()) << it.status().error().message();
  return out;
}

inline kv_list drain(result<key_value_iterator> r) {
  EXPECT_TRUE(r) << r.error().message();
  if (!r) return {};
  return drain(std::move(r).value());
}

/// (key, window start ms, value)
using window_list = std::vector<std::tuple<std::string, std::int64_t, std::string>>;

inline window_list drain(result<window_iterator> r) {
  EXPECT_TRUE(r) << r.error().message();
  window_list out;
  if (!r) return out;
  auto it = std::move(r).value();
  while (it.valid()) {
    out.emplace_back(str(it.key()), core::to_epoch_ms(it.window_start()), str(it.value()));
    it.next();
  }
  EXPECT_TRUE(it.status());
  return out;
}

/// (key, start ms, end ms, value)
using session_list = std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::string>>;

inline session_list drain(result<session_iterator> r) {
  EXPECT_TRUE(r) << r.error().message();
  session_list out;
  if (!r) return out;
  auto it = std::move(r).value();
  while (it.valid()) {
    out.emplace_back(str(it.key()), core::to_epoch_ms(it.window().start),
                     core::to_epoch_ms(it.window().end), str(it.value()));
    it.next();
  }
  EXPECT_TRUE(it.status());
  return out;
}

template <class T>
std::vector<T> reversed(std::vector<T> v) {
  std::reverse(v.begin(), v.end());
  return v;
}

}  // namespace sluice::state::testing
