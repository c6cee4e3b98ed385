#include "broker/storage/cleaner_swap.h"

#include "broker/storage/file.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/segment.h"
#include "broker/storage/logger.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker::storage {
std::filesystem::path segment_path(const std::filesystem::path& dir, int64_t base, const char* ext) {
  return dir / (segment_file_stem(base) + ext);
}

std::filesystem::path swap_path(const std::filesystem::path& dir, int64_t base, int64_t next_base) {
  return dir / (segment_file_stem(base) + "-" + segment_file_stem(next_base) + ".swap");
}

std::optional<int64_t> parse_stem_offset(std::string_view s) {
  if (s.size() != 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

result<void> rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) return ec;
  return core::success();
}

result<void> recover_interrupted_clean(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return core::success();
  std::vector<std::filesystem::path> swaps;
  std::vector<std::pair<int64_t, std::filesystem::path>> segment_files;
  bool touched = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& path = entry.path();
    const auto ext = path.extension().string();
    if (ext == ".cleaned") {
      // Step 1 never committed: the sources are intact.
      std::filesystem::remove(path, ec);
      if (ec) return ec;
      touched = true;
    } else if (ext == ".swap") {
      swaps.push_back(path);
    } else if (ext == ".log" || ext == ".index" || ext == ".timeindex" || ext == ".txnindex") {
      if (auto base = parse_stem_offset(path.stem().string())) segment_files.emplace_back(*base, path);
    }
  }
  if (ec) return ec;
  std::sort(swaps.begin(), swaps.end());
  for (const auto& swap : swaps) {
    const auto stem = swap.stem().string();
    const auto dash = stem.find('-');
    auto base = dash == std::string::npos ? std::nullopt : parse_stem_offset(stem.substr(0, dash));
    auto next = dash == std::string::npos ? std::nullopt : parse_stem_offset(stem.substr(dash + 1));
    if (!base || !next || *next <= *base) {
      cleaner_log().warn("{}: ignoring unrecognised swap file", swap.string());
      continue;
    }
    // Step 2 committed: finish steps 3 and 4.
    for (const auto& [b, path] : segment_files) {
      if (b >= *base && b < *next) {
        std::filesystem::remove(path, ec);
        if (ec) return ec;
      }
    }
    const auto size = std::filesystem::file_size(swap, ec);
    if (ec) return ec;
    if (size == 0) {
      std::filesystem::remove(swap, ec);
      if (ec) return ec;
    } else {
      SLUICE_TRY(rename_file(swap, segment_path(dir, *base, ".log")));
    }
    cleaner_log().info("{}: completed an interrupted compaction of offsets [{}, {})", dir.string(), *base,
               *next);
    touched = true;
  }
  if (touched) SLUICE_TRY(sync_directory(dir));
  return core::success();
}

}  // namespace sluice::broker::storage
