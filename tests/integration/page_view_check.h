#pragma once
/// The page-view example's exactly-once check, shared by the examples test and the chaos test:
/// the reference counts the generator prints, and Kafka EosTestDriver-style verification of
/// the committed output.

#include "tests/integration/broker_fixture.h"

#include "core/serde.h"
#include "examples/page_views/page_views.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::testing {

/// (window start in seconds, page) → views.
using page_view_counts = std::map<std::pair<int64_t, std::string>, int64_t>;

/// The generator's reference lines `<window start> <page> <views>`, summed per (window, page).
inline page_view_counts parse_page_view_tsv(const std::string& text) {
  page_view_counts out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    int64_t start = 0, n = 0;
    std::string page;
    if (row >> start >> page >> n) out[{start, page}] += n;
  }
  return out;
}

/// Every committed update of `page-views-per-minute` (`records`, read with read_committed), in
/// offset order per partition: per (window, page) the counts must rise strictly (a view counted
/// twice, or a store restored to an older state, repeats or lowers a count) and the last must
/// equal `expected`. Returns the problems found (empty: exactly once).
inline std::vector<std::string> page_view_problems(std::vector<consumed> records,
                                                   const page_view_counts& expected) {
  const auto key_serde = page_views::output_key_serde();
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  page_view_counts last;
  std::vector<std::string> problems;
  for (const auto& r : records) {
    auto key = key_serde.deserialize(core::as_bytes(*r.key));
    auto n = core::serdes::int64{}.deserialize(core::as_bytes(*r.value));
    if (!key || !n) {
      problems.push_back("undecodable record at offset " + std::to_string(r.offset));
      continue;
    }
    const std::pair<int64_t, std::string> k{core::to_epoch_ms(key.value().win.start) / 1000,
                                            key.value().key};
    auto it = last.find(k);
    if (it != last.end() && n.value() <= it->second) {
      problems.push_back(k.second + "@" + std::to_string(k.first) + ": count " +
                         std::to_string(n.value()) + " after " + std::to_string(it->second));
    }
    last[k] = n.value();
  }
  for (const auto& [k, n] : expected) {
    if (last[k] != n) {
      problems.push_back(k.second + "@" + std::to_string(k.first) + ": " +
                         std::to_string(last[k]) + " views, expected " + std::to_string(n));
    }
  }
  for (const auto& [k, n] : last) {
    if (!expected.contains(k)) problems.push_back("unexpected " + k.second);
  }
  return problems;
}

}  // namespace sluice::testing
