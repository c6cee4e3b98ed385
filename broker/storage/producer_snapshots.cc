#include "broker/storage/producer_snapshots.h"

#include "broker/storage/cleaner_swap.h"
#include "broker/storage/file.h"
#include "broker/storage/segment.h"
#include "broker/storage/logger.h"

#include <fmt/ostream.h>

#include <algorithm>

namespace sluice::broker::storage {
std::filesystem::path producer_snapshots::path(int64_t offset) const {
  return _dir / (segment_file_stem(offset) + ".snapshot");
}

std::vector<int64_t> producer_snapshots::list() const {
  std::vector<int64_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(_dir, ec)) {
    const auto& p = entry.path();
    if (p.extension() != ".snapshot") continue;
    // As segment names: 20 digits that are no int64 are skipped.
    if (auto offset = parse_stem_offset(p.stem().string())) out.push_back(*offset);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::pair<int64_t, producer_state>> producer_snapshots::load_newest(
    int64_t at_most, int64_t log_end, const core::topic_partition& tp) const {
  auto offsets = list();
  std::error_code ec;
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    if (*it > log_end) {  // beyond a truncated tail: describes data that is gone
      std::filesystem::remove(path(*it), ec);
      continue;
    }
    if (*it > at_most) continue;
    auto data = read_whole_file(path(*it));
    if (!data) continue;
    auto parsed = producer_state::deserialize(data.value());
    if (!parsed || parsed.value().first != *it) {
      log().warn("{}: ignoring damaged producer snapshot {}", fmt::streamed(tp), segment_file_stem(*it));
      continue;
    }
    return std::make_pair(*it, std::move(parsed.value().second));
  }
  return std::nullopt;
}

result<void> producer_snapshots::write(int64_t offset, bytes_view data) const {
  return write_file_atomically(path(offset), data);
}

void producer_snapshots::clean(int64_t log_end, int64_t log_start) const {
  auto offsets = list();
  std::error_code ec;
  size_t n = 0;
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
    const bool newest = n == 0;
    if (*it > log_end || (!newest && (*it < log_start || n >= kept))) {
      std::filesystem::remove(path(*it), ec);
      continue;
    }
    ++n;
  }
}

}  // namespace sluice::broker::storage
